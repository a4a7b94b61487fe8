package service_test

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// The bot actions' rows of the authorization matrix (issue #16), appended
// to workspaceCases: managing bots is for admins, adding one to #open and
// removing it for its owners and workspace admins.

const matrixBot = "bot_matrix"

// withBot stores a bot (as createBot would) and, when inRoom, adds it to
// #open.
func withBot(inRoom bool) func(w *modWorld) {
	return func(w *modWorld) {
		token, hash := chat.NewBotToken()
		_ = token
		b := chat.Bot{ID: matrixBot, Name: "Matrix bot", CreatedBy: "adm", CreatedAt: w.clock(), TokenIssuedAt: w.clock(), TokenHash: hash}
		if err := w.store.CreateBot(w.ctx, b, chat.Profile{UserID: b.ID, Username: b.ID, DisplayName: b.Name, Bot: true}); err != nil {
			w.t.Fatal(err)
		}
		if inRoom {
			if err := w.store.AddMember(w.ctx, chat.Member{RoomID: w.room.ID, UserID: b.ID, Role: chat.RoleMember, JoinedAt: w.clock()}); err != nil {
				w.t.Fatal(err)
			}
		}
	}
}

var botCases = []modCase{
	{name: "createBot", want: adminOnly,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.CreateBot(w.ctx, c, protocol.CreateBotRequest{Name: "Deploy bot"})
			return err
		}},
	{name: "listBots", want: everyone, setup: withBot(false),
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.ListBots(w.ctx, c)
			return err
		}},
	{name: "rotateBotToken", want: adminOnly, setup: withBot(false),
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.RotateBotToken(w.ctx, c, protocol.BotRequest{BotID: matrixBot})
			return err
		}},
	{name: "deleteBot", want: adminOnly, setup: withBot(true),
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.DeleteBot(w.ctx, c, protocol.BotRequest{BotID: matrixBot})
			return err
		}},
	{name: "addBotToRoom", want: [9]chat.Code{fb, fb, "", fb, fb, "", fb, fb, nf}, setup: withBot(false),
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.AddBotToRoom(w.ctx, c, protocol.RoomBotRequest{RoomID: w.room.ID, BotID: matrixBot})
			return err
		}},
	{name: "removeBotFromRoom", want: [9]chat.Code{fb, fb, "", fb, fb, "", fb, fb, nf}, setup: withBot(true),
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.RemoveBotFromRoom(w.ctx, c, protocol.RoomBotRequest{RoomID: w.room.ID, BotID: matrixBot})
			return err
		}},
}

func init() { workspaceCases = append(workspaceCases, botCases...) }

// botWorld: #open with alice (owner), a private #secret of alice's, and a
// bot created by the admin and added to #open only.
type botWorld struct {
	*modWorld
	secret chat.Room
	bot    chat.Connection
	token  string
}

func newBotWorld(t *testing.T) *botWorld {
	w := newModWorld(t)
	ev, err := w.svc.CreateBot(w.ctx, w.p["admin"], protocol.CreateBotRequest{Name: "Deploy bot", AvatarColor: "#336699"})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Token == "" || !chat.IsBotToken(ev.Token) || !chat.IsBotID(ev.Bot.ID) {
		t.Fatalf("createBot answered %+v", ev)
	}
	if _, err := w.svc.AddBotToRoom(w.ctx, w.p["owner"], protocol.RoomBotRequest{RoomID: w.room.ID, BotID: ev.Bot.ID}); err != nil {
		t.Fatal(err)
	}
	secret := w.channel(w.p["owner"], "secret", true)
	id, err := w.svc.BotIdentity(w.ctx, ev.Token)
	if err != nil {
		t.Fatal(err)
	}
	bot := w.connectIdentity(id, "botconn1")
	return &botWorld{modWorld: w, secret: secret, bot: bot, token: ev.Token}
}

// TestBotActsOnlyInItsRooms: through the service methods every transport
// calls, a bot sends, replies in a thread, reacts and reads history in the
// room it was added to, and is refused (as an outsider) everywhere else and
// for everything bots may not do.
func TestBotActsOnlyInItsRooms(t *testing.T) {
	w := newBotWorld(t)
	ack, err := w.svc.SendMessage(w.ctx, w.bot, protocol.SendMessageRequest{RoomID: w.room.ID, ClientID: "b1", Text: "build green"})
	if err != nil {
		t.Fatalf("bot send in its room: %v", err)
	}
	if _, err := w.svc.SendMessage(w.ctx, w.bot, protocol.SendMessageRequest{RoomID: w.room.ID, ClientID: "b2", Text: "details", ParentSeq: ack.Message.Seq}); err != nil {
		t.Fatalf("bot reply in a thread: %v", err)
	}
	if _, err := w.svc.React(w.ctx, w.bot, protocol.ReactRequest{RoomID: w.room.ID, Seq: w.tgtMsg.Seq, Emoji: "👍", On: true}); err != nil {
		t.Fatalf("bot react: %v", err)
	}
	if _, err := w.svc.History(w.ctx, w.bot, protocol.HistoryRequest{RoomID: w.room.ID}); err != nil {
		t.Fatalf("bot history: %v", err)
	}
	st, err := w.svc.GetState(w.ctx, w.bot)
	if err != nil {
		t.Fatalf("bot getState: %v", err)
	}
	if len(st.Rooms) != 1 || st.Rooms[0].ID != w.room.ID {
		t.Errorf("the bot's rooms: %+v, want only #open", st.Rooms)
	}
	// Nobody brings a bot into a room but through addBotToRoom.
	if _, err := w.svc.OpenDirect(w.ctx, w.p["member"], protocol.OpenDirectRequest{UserIDs: []string{w.bot.UserID}}); chat.ErrorCode(err) != chat.Invalid {
		t.Errorf("a direct conversation with a bot: %v, want invalid", err)
	}
	if _, err := w.svc.InviteToChannel(w.ctx, w.p["owner"], protocol.InviteRequest{RoomID: w.secret.ID, UserIDs: []string{w.bot.UserID}}); chat.ErrorCode(err) != chat.Invalid {
		t.Errorf("inviting a bot: %v, want invalid", err)
	}
	refusals := []struct {
		name string
		want chat.Code
		do   func() error
	}{
		{"send in #general (not added)", fb, func() error {
			_, err := w.svc.SendMessage(w.ctx, w.bot, protocol.SendMessageRequest{RoomID: chat.GeneralRoomID, ClientID: "x", Text: "hi"})
			return err
		}},
		{"history of a private room", nf, func() error {
			_, err := w.svc.History(w.ctx, w.bot, protocol.HistoryRequest{RoomID: w.secret.ID})
			return err
		}},
		{"join a public channel", fb, func() error {
			_, err := w.svc.JoinChannel(w.ctx, w.bot, protocol.RoomRequest{RoomID: chat.GeneralRoomID})
			return err
		}},
		{"create a channel", fb, func() error {
			_, err := w.svc.CreateChannel(w.ctx, w.bot, protocol.CreateChannelRequest{Name: "botland"})
			return err
		}},
		{"open a direct conversation", fb, func() error {
			_, err := w.svc.OpenDirect(w.ctx, w.bot, protocol.OpenDirectRequest{UserIDs: []string{"alice"}})
			return err
		}},
		{"delete another's message", fb, func() error {
			_, err := w.svc.DeleteMessage(w.ctx, w.bot, protocol.MessageRef{RoomID: w.room.ID, Seq: w.tgtMsg.Seq})
			return err
		}},
		{"create a bot", fb, func() error {
			_, err := w.svc.CreateBot(w.ctx, w.bot, protocol.CreateBotRequest{Name: "child"})
			return err
		}},
		{"remove a member", fb, func() error {
			_, err := w.svc.RemoveMember(w.ctx, w.bot, protocol.MemberActionRequest{RoomID: w.room.ID, UserID: "mem"})
			return err
		}},
	}
	for _, r := range refusals {
		if got := chat.ErrorCode(r.do()); got != r.want {
			t.Errorf("bot: %s: %q, want %q", r.name, got, r.want)
		}
	}
}

// TestBotTokenRotationAndDeletion: a rotated token is refused at once and
// the new one works; a deleted bot's token is refused and the bot has left
// its rooms, its profile kept (deactivated) for its messages.
func TestBotTokenRotationAndDeletion(t *testing.T) {
	w := newBotWorld(t)
	admin := w.p["admin"]
	rot, err := w.svc.RotateBotToken(w.ctx, admin, protocol.BotRequest{BotID: w.bot.UserID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.BotIdentity(w.ctx, w.token); chat.ErrorCode(err) != fb {
		t.Errorf("old token after rotation: %v, want forbidden", err)
	}
	if id, err := w.svc.BotIdentity(w.ctx, rot.Token); err != nil || id.UserID != w.bot.UserID || !id.IsBot() {
		t.Errorf("new token: %+v, %v", id, err)
	}
	if _, err := w.svc.BotIdentity(w.ctx, "bcb_forged"); chat.ErrorCode(err) != fb {
		t.Errorf("forged token: %v", err)
	}
	list, err := w.svc.ListBots(w.ctx, admin)
	if err != nil || len(list.Bots) != 1 || list.Bots[0].CreatedBy != "adm" {
		t.Fatalf("listBots: %+v, %v", list, err)
	}
	if _, err := w.svc.DeleteBot(w.ctx, admin, protocol.BotRequest{BotID: w.bot.UserID}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.BotIdentity(w.ctx, rot.Token); chat.ErrorCode(err) != fb {
		t.Errorf("deleted bot's token: %v, want forbidden", err)
	}
	if _, err := w.store.GetMember(w.ctx, w.room.ID, w.bot.UserID); chat.ErrorCode(err) != nf {
		t.Errorf("the deleted bot is still in #open: %v", err)
	}
	p, err := w.store.GetProfile(w.ctx, w.bot.UserID)
	if err != nil || !p.Bot || !p.Deactivated {
		t.Errorf("the deleted bot's profile: %+v, %v", p, err)
	}
}

var _ = service.Config{}

// connectIdentity registers a connection of a verified identity (a bot's).
func (h *harness) connectIdentity(id chat.Identity, connID string) chat.Connection {
	h.t.Helper()
	if err := h.svc.Connect(h.ctx, chat.Connection{ID: connID, Identity: id}); err != nil {
		h.t.Fatalf("Connect(%s): %v", id.UserID, err)
	}
	c, err := h.svc.Connection(h.ctx, connID)
	if err != nil {
		h.t.Fatal(err)
	}
	return c
}
