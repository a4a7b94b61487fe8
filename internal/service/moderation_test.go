package service_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// modWorld is a public channel #open owned by alice, with one member in
// each role the policy tells apart, tgt (a plain member the moderation
// actions aim at, with one message), and people outside it.
type modWorld struct {
	*harness
	room    chat.Room
	p       map[string]chat.Connection // by persona
	own     map[string]int64           // each member persona's own message
	tgt     chat.Connection
	tgtMsg  chat.Message
	newbie  chat.Connection // in no channel: invited by the invite case
	oldBan  chat.Connection // banned before: unbanned by the unban case
	persona []string
	// The other things an action may change: the user pool, the
	// connections closed from the server side and the file bucket.
	dir    *chattest.Directory
	closer *chattest.Closer
	blobs  *chattest.Blobs
}

// personaNames: the callers of the matrix. "deactivated" was a member
// until an admin deactivated their account (DeactivatePerson): their
// connections are closed and forgotten, so every action they still send
// is answered not_found ("reconnect"), and the reconnect is refused.
var personaNames = []string{"outsider", "member", "owner", "room moderator", "workspace moderator", "admin", "muted", "banned", "deactivated"}

func newModWorld(t *testing.T) *modWorld {
	dir := chattest.NewDirectory(
		chat.Person{UserID: "adm", Username: "adm", DisplayName: "Adm", Role: chat.WorkspaceAdmin, Status: chat.PersonActive},
		chat.Person{UserID: "dea", Username: "dea", DisplayName: "Dea", Role: chat.WorkspaceMember, Status: chat.PersonActive},
		chat.Person{UserID: "tgt", Username: "tgt", DisplayName: "Tgt", Role: chat.WorkspaceMember, Status: chat.PersonActive},
	)
	closer, blobs := &chattest.Closer{}, chattest.NewBlobs()
	h := newHarness(t, withSystemLines, func(c *service.Config) {
		c.People, c.Closer, c.Blobs = dir, closer, blobs
		c.Erasure = noErasure{}
		c.PushKey = "test-push-key"
		c.Timer = noTimer{} // scheduled_authz_test.go
		c.Gifs = &chattest.Gifs{}
		c.ExportQueue = &exportJobs{} // export_test.go
		c.Hooks = testHooks           // integrations_test.go
	})
	w := &modWorld{harness: h, p: map[string]chat.Connection{}, own: map[string]int64{}, dir: dir, closer: closer, blobs: blobs}
	alice := h.connect("alice", "a1")
	w.room = h.channel(alice, "open", false)
	w.p["owner"] = alice
	for i, name := range []string{"member", "room moderator", "workspace moderator", "admin", "muted", "deactivated"} {
		id := []string{"mem", "rmod", "wmod", "adm", "mute", "dea"}[i]
		var groups []string
		switch name {
		case "workspace moderator":
			groups = []string{chat.GroupModerators}
		case "admin":
			groups = []string{chat.GroupAdmins}
		}
		c := h.connectWithGroups(id, id+"1", groups...)
		h.join(c, w.room.ID)
		w.p[name] = c
	}
	for name, c := range w.p {
		w.own[name] = h.send(c, w.room.ID, "mine").Seq
	}
	role := chat.RoleModerator
	if _, err := h.store.UpdateMember(h.ctx, w.room.ID, "rmod", &role, nil); err != nil {
		t.Fatal(err)
	}
	until := h.clock().Add(time.Hour)
	if _, err := h.store.UpdateMember(h.ctx, w.room.ID, "mute", nil, &until); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.DeactivatePerson(h.ctx, w.p["admin"], protocol.PersonRequest{Username: "dea"}); err != nil {
		t.Fatal(err)
	}
	w.p["outsider"] = h.connect("out", "o1")
	w.p["banned"] = h.connect("ban", "x1")
	w.oldBan = h.connect("old", "y1")
	for _, id := range []string{"ban", "old"} {
		if err := h.store.PutBan(h.ctx, chat.Ban{RoomID: w.room.ID, UserID: id, By: "alice", BannedAt: h.clock()}); err != nil {
			t.Fatal(err)
		}
	}
	w.tgt = h.connect("tgt", "t1")
	h.join(w.tgt, w.room.ID)
	w.tgtMsg = h.send(w.tgt, w.room.ID, "target words")
	w.newbie = h.connect("newbie", "n1")
	h.fan.Reset()
	h.events.Reset()
	h.store.ResetAudit() // the persona's deactivation
	return w
}

// modCase is one action of the matrix: setup (optional) prepares the
// world, do acts as c. want is the code per persona, in personaNames
// order ("" allowed).
type modCase struct {
	name  string
	setup func(w *modWorld)
	do    func(w *modWorld, who string, c chat.Connection) error
	want  [9]chat.Code
}

const (
	fb = chat.Forbidden
	iv = chat.Invalid
	nf = chat.NotFound
)

func (w *modWorld) roomReq() protocol.RoomRequest { return protocol.RoomRequest{RoomID: w.room.ID} }

func (w *modWorld) on(userID string) protocol.MemberActionRequest {
	return protocol.MemberActionRequest{RoomID: w.room.ID, UserID: userID}
}

var modCases = []modCase{
	{name: "joinChannel", want: [9]chat.Code{"", "", "", "", "", "", "", fb, nf},
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.JoinChannel(w.ctx, c, w.roomReq())
			return err
		}},
	{name: "leaveChannel", want: [9]chat.Code{fb, "", iv, "", "", "", "", fb, nf},
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.LeaveChannel(w.ctx, c, w.roomReq())
			return err
		}},
	{name: "inviteToChannel", want: [9]chat.Code{fb, "", "", "", "", "", "", fb, nf},
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.InviteToChannel(w.ctx, c, protocol.InviteRequest{RoomID: w.room.ID, UserIDs: []string{"newbie"}})
			return err
		}},
	{name: "updateChannel topic", want: [9]chat.Code{fb, fb, "", "", fb, "", fb, fb, nf},
		do: func(w *modWorld, _ string, c chat.Connection) error {
			topic := "phishing here"
			_, err := w.svc.UpdateChannel(w.ctx, c, protocol.UpdateChannelRequest{RoomID: w.room.ID, Topic: &topic})
			return err
		}},
	{name: "updateChannel name", want: [9]chat.Code{fb, fb, "", "", fb, "", fb, fb, nf},
		do: func(w *modWorld, _ string, c chat.Connection) error {
			name := "renamed"
			_, err := w.svc.UpdateChannel(w.ctx, c, protocol.UpdateChannelRequest{RoomID: w.room.ID, Name: &name})
			return err
		}},
	{name: "updateChannel private", want: [9]chat.Code{fb, fb, "", "", fb, "", fb, fb, nf},
		do: func(w *modWorld, _ string, c chat.Connection) error {
			private := true
			_, err := w.svc.UpdateChannel(w.ctx, c, protocol.UpdateChannelRequest{RoomID: w.room.ID, Private: &private})
			return err
		}},
	{name: "archiveChannel", want: [9]chat.Code{fb, fb, "", "", fb, "", fb, fb, nf},
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.ArchiveChannel(w.ctx, c, w.roomReq())
			return err
		}},
	{name: "unarchiveChannel", want: [9]chat.Code{fb, fb, "", "", fb, "", fb, fb, nf},
		setup: func(w *modWorld) {
			if _, err := w.store.SetArchived(w.ctx, w.room.ID, true); err != nil {
				w.t.Fatal(err)
			}
		},
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.UnarchiveChannel(w.ctx, c, w.roomReq())
			return err
		}},
	{name: "deleteChannel", want: [9]chat.Code{fb, fb, fb, fb, fb, "", fb, fb, nf},
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.DeleteChannel(w.ctx, c, w.roomReq())
			return err
		}},
	{name: "setMemberRole", want: [9]chat.Code{fb, fb, "", fb, fb, "", fb, fb, nf},
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.SetMemberRole(w.ctx, c, protocol.SetMemberRoleRequest{RoomID: w.room.ID, UserID: "tgt", Role: chat.RoleModerator})
			return err
		}},
	{name: "muteMember", want: [9]chat.Code{fb, fb, "", "", "", "", fb, fb, nf},
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.MuteMember(w.ctx, c, protocol.MuteMemberRequest{RoomID: w.room.ID, UserID: "tgt", Minutes: 5})
			return err
		}},
	{name: "unmuteMember", want: [9]chat.Code{fb, fb, "", "", "", "", fb, fb, nf},
		setup: func(w *modWorld) {
			until := w.clock().Add(time.Hour)
			if _, err := w.store.UpdateMember(w.ctx, w.room.ID, "tgt", nil, &until); err != nil {
				w.t.Fatal(err)
			}
		},
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.UnmuteMember(w.ctx, c, w.on("tgt"))
			return err
		}},
	{name: "removeMember", want: [9]chat.Code{fb, fb, "", "", "", "", fb, fb, nf},
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.RemoveMember(w.ctx, c, w.on("tgt"))
			return err
		}},
	{name: "banMember", want: [9]chat.Code{fb, fb, "", "", "", "", fb, fb, nf},
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.BanMember(w.ctx, c, w.on("tgt"))
			return err
		}},
	{name: "unbanMember", want: [9]chat.Code{fb, fb, "", "", "", "", fb, fb, nf},
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.UnbanMember(w.ctx, c, w.on("old"))
			return err
		}},
	{name: "listBans", want: [9]chat.Code{fb, fb, "", "", "", "", fb, fb, nf},
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.ListBans(w.ctx, c, w.roomReq())
			return err
		}},
	{name: "listMembers", want: [9]chat.Code{fb, "", "", "", "", "", "", fb, nf},
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.ListMembers(w.ctx, c, w.roomReq())
			return err
		}},
	{name: "sendMessage", want: [9]chat.Code{fb, "", "", "", "", "", fb, fb, nf},
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.SendMessage(w.ctx, c, protocol.SendMessageRequest{RoomID: w.room.ID, ClientID: "matrix-1", Text: "hello"})
			return err
		}},
	{name: "editMessage own", want: [9]chat.Code{fb, "", "", "", "", "", fb, fb, nf},
		do: func(w *modWorld, who string, c chat.Connection) error {
			seq, ok := w.own[who]
			if !ok {
				seq = w.tgtMsg.Seq
			}
			_, err := w.svc.EditMessage(w.ctx, c, protocol.EditMessageRequest{RoomID: w.room.ID, Seq: seq, Text: "changed"})
			return err
		}},
	{name: "editMessage other's", want: [9]chat.Code{fb, fb, fb, fb, fb, fb, fb, fb, nf},
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.EditMessage(w.ctx, c, protocol.EditMessageRequest{RoomID: w.room.ID, Seq: w.tgtMsg.Seq, Text: "changed"})
			return err
		}},
	{name: "deleteMessage other's", want: [9]chat.Code{fb, fb, "", "", "", "", fb, fb, nf},
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.DeleteMessage(w.ctx, c, protocol.MessageRef{RoomID: w.room.ID, Seq: w.tgtMsg.Seq})
			return err
		}},
	{name: "reportMessage", want: [9]chat.Code{fb, "", "", "", "", "", "", fb, nf},
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.ReportMessage(w.ctx, c, protocol.ReportMessageRequest{RoomID: w.room.ID, Seq: w.tgtMsg.Seq})
			return err
		}},
	{name: "history", want: [9]chat.Code{fb, "", "", "", "", "", "", fb, nf},
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.History(w.ctx, c, protocol.HistoryRequest{RoomID: w.room.ID})
			return err
		}},
	{name: "search", want: [9]chat.Code{fb, "", "", "", "", "", "", fb, nf},
		do: func(w *modWorld, _ string, c chat.Connection) error {
			// search leaves rooms the caller is not in out instead of
			// failing: finding nothing of the room is the refusal.
			ev, err := w.svc.Search(w.ctx, c, protocol.SearchRequest{Query: "mine "})
			if err == nil && !slices.ContainsFunc(ev.Results, func(r protocol.SearchResult) bool { return r.RoomID == w.room.ID }) {
				return chat.Errorf(chat.Forbidden, "left out")
			}
			return err
		}},
	{name: "resume", want: [9]chat.Code{fb, "", "", "", "", "", "", fb, nf},
		do: func(w *modWorld, _ string, c chat.Connection) error {
			// resume leaves refused rooms out instead of failing.
			ev, err := w.svc.Resume(w.ctx, c, protocol.ResumeRequest{Rooms: map[string]int64{w.room.ID: 0}})
			if err == nil && len(ev.Rooms) == 0 {
				return chat.Errorf(chat.Forbidden, "left out")
			}
			return err
		}},
	{name: "typing", want: [9]chat.Code{fb, "", "", "", "", "", "", fb, nf},
		do: func(w *modWorld, _ string, c chat.Connection) error {
			return w.svc.Typing(w.ctx, c, protocol.TypingRequest{RoomID: w.room.ID})
		}},
	{name: "markRead", want: [9]chat.Code{fb, "", "", "", "", "", "", fb, nf},
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.MarkRead(w.ctx, c, protocol.MarkReadRequest{RoomID: w.room.ID, Seq: w.tgtMsg.Seq})
			return err
		}},
	{name: "setRoomNotify", want: [9]chat.Code{fb, "", "", "", "", "", "", fb, nf},
		do: func(w *modWorld, _ string, c chat.Connection) error {
			level := "all"
			_, err := w.svc.SetRoomNotify(w.ctx, c, protocol.SetRoomNotifyRequest{RoomID: w.room.ID, Level: &level})
			return err
		}},
}

// TestAuthorizationMatrix runs every room action of the moderation issue
// × {outsider, member, owner, room moderator, workspace moderator, admin,
// muted, banned, deactivated} through the use cases, each in a fresh
// world: a refusal has the policy's code, stores nothing and pushes
// nothing; an allowed action succeeds. The workspace, people and file
// actions are in TestAuthorizationMatrixWorkspace (authz_matrix_test.go);
// TestAuthorizationMatrixCoversEveryAction fails when an action of
// protocol.ActionTable has no case in either.
func TestAuthorizationMatrix(t *testing.T) {
	// The deactivated persona cannot come back either: $connect refuses
	// them, storing nothing.
	w := newModWorld(t)
	before := w.state()
	err := w.svc.Connect(w.ctx, chat.Connection{ID: "dea2", Identity: chat.Identity{UserID: "dea", Username: "dea"}})
	wantCode(t, err, chat.Forbidden)
	if w.state() != before || len(w.fan.Sends()) > 0 || len(w.events.All()) > 0 {
		t.Error("a refused reconnect of the deactivated persona stored, pushed or published something")
	}
	runMatrix(t, modCases)
}

// state renders everything an action may change: the store, the user
// pool, the connections closed from the server side and the bucket
// (its objects and the URLs signed).
func (w *modWorld) state() string {
	people, err := w.dir.ListPeople(w.ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	slices.SortFunc(people, func(a, b chat.Person) int { return strings.Compare(a.Username, b.Username) })
	return w.store.Snapshot() + fmt.Sprintf("\npool %v %v\nclosed %v\nblobs %v %v",
		w.dir.Calls, people, w.closer.Closed(), w.blobs.Keys(), w.blobs.Presigns())
}

// runMatrix runs each case for each persona in a fresh world: a refusal
// has the expected code and changes, pushes and publishes nothing; an
// allowed action succeeds. As wsapi does, the stored connection is loaded
// first, except for the actions the table answers without one (ping).
func runMatrix(t *testing.T, cases []modCase) {
	t.Helper()
	for _, mc := range cases {
		spec, ok := protocol.LookupAction(matrixAction(mc.name))
		if !ok {
			t.Errorf("matrix case %q names no action of protocol.ActionTable", mc.name)
			continue
		}
		for i, who := range personaNames {
			w := newModWorld(t)
			if mc.setup != nil {
				mc.setup(w)
			}
			before := w.state()
			w.fan.Reset()
			w.events.Reset()
			c, err := w.p[who], error(nil)
			if !spec.NoConnection {
				c, err = w.svc.Connection(w.ctx, w.p[who].ID)
			}
			if err == nil {
				err = mc.do(w, who, c)
			}
			got := chat.ErrorCode(err)
			if got != mc.want[i] {
				t.Errorf("%s by %s: %v, want code %q", mc.name, who, err, mc.want[i])
				continue
			}
			if got == "" {
				continue
			}
			if after := w.state(); after != before && mc.name != "resume" {
				t.Errorf("%s by %s was refused but changed the store, the pool, the bucket or closed connections", mc.name, who)
			}
			if sends := w.fan.Sends(); len(sends) > 0 {
				t.Errorf("%s by %s was refused but pushed %d events", mc.name, who, len(sends))
			}
			if evs := w.events.All(); len(evs) > 0 {
				t.Errorf("%s by %s was refused but published %v", mc.name, who, w.events.Types())
			}
		}
	}
}

// matrixAction is the action a matrix case is about: its name's first
// word ("updateChannel topic" is updateChannel).
func matrixAction(caseName string) string {
	name, _, _ := strings.Cut(caseName, " ")
	return name
}

func TestModeratorDeletesAnyonesMessageAndItsFiles(t *testing.T) {
	w := newModWorld(t)
	msg := w.tgtMsg
	ev, err := w.svc.DeleteMessage(w.ctx, w.p["room moderator"], protocol.MessageRef{RoomID: w.room.ID, Seq: msg.Seq})
	if err != nil {
		t.Fatal(err)
	}
	if !ev.Message.Deleted || ev.Message.DeletedBy != "rmod" || ev.Message.SenderID != "tgt" {
		t.Errorf("tombstone = %+v", ev.Message)
	}
	// Both sides see it: the author's connection and the others'.
	for _, conn := range []string{"t1", "a1"} {
		got := decodeOne[protocol.MessageEvent](t, w.fan, conn, protocol.EventMessageUpdated)
		if got.Message.DeletedBy != "rmod" {
			t.Errorf("%s saw %+v", conn, got.Message)
		}
	}
	md := w.events.All()[0].(chat.MessageDeleted)
	if md.Message.DeletedBy != "rmod" {
		t.Errorf("event = %+v", md)
	}
	audit := w.store.AuditEntries()
	if len(audit) != 1 || audit[0].Action != "deleteMessage" || audit[0].ActorID != "rmod" || audit[0].TargetID != "tgt" || audit[0].Seq != msg.Seq {
		t.Errorf("audit = %+v", audit)
	}
	// An author deleting their own message is not audited.
	if _, err := w.svc.DeleteMessage(w.ctx, w.p["member"], protocol.MessageRef{RoomID: w.room.ID, Seq: w.own["member"]}); err != nil {
		t.Fatal(err)
	}
	if n := len(w.store.AuditEntries()); n != 1 {
		t.Errorf("%d audit entries after an own delete", n)
	}
}

func TestDeletedMessageNamesItsFiles(t *testing.T) {
	w := newModWorld(t)
	atts := []chat.Attachment{{Key: "rooms/" + w.room.ID + "/tgt/f1/a.png", Name: "a.png", Size: 3, Type: "image/png", ThumbKey: "thumbs/rooms/" + w.room.ID + "/tgt/f1/thumb.jpg"}}
	stored, _, err := w.store.AppendMessage(w.ctx, chat.Message{RoomID: w.room.ID, ClientID: "f", SenderID: "tgt", Attachments: atts, CreatedAt: w.clock()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.DeleteMessage(w.ctx, w.p["admin"], protocol.MessageRef{RoomID: w.room.ID, Seq: stored.Seq}); err != nil {
		t.Fatal(err)
	}
	md := w.events.All()[0].(chat.MessageDeleted)
	if !slices.Equal(md.Files, []string{atts[0].Key, atts[0].ThumbKey}) || md.Message.Attachments != nil {
		t.Errorf("files = %v, tombstone attachments %v", md.Files, md.Message.Attachments)
	}
}

func TestMuteRefusesSendsUntilItEnds(t *testing.T) {
	w := newModWorld(t)
	ev, err := w.svc.MuteMember(w.ctx, w.p["workspace moderator"], protocol.MuteMemberRequest{RoomID: w.room.ID, UserID: "tgt", Minutes: 10, Reason: "cool off"})
	if err != nil {
		t.Fatal(err)
	}
	until := w.clock().Add(10 * time.Minute)
	for _, m := range ev.Members {
		if m.UserID == "tgt" && !m.MutedUntil.Equal(until) {
			t.Errorf("members: tgt muted until %v", m.MutedUntil)
		}
	}
	// The muted person hears it (their banner) as does the room.
	upd := decodeOne[protocol.MemberUpdatedEvent](t, w.fan, "t1", protocol.EventMemberUpdated)
	if !upd.Member.MutedUntil.Equal(until) || upd.Member.UserID != "tgt" {
		t.Errorf("memberUpdated = %+v", upd)
	}
	_, err = w.svc.SendMessage(w.ctx, w.tgt, protocol.SendMessageRequest{RoomID: w.room.ID, ClientID: "m-x", Text: "let me talk"})
	wantCode(t, err, chat.Forbidden)
	if !strings.Contains(chat.ErrorMessage(err), until.Format(time.RFC3339)) {
		t.Errorf("refusal %q does not name when the mute ends", chat.ErrorMessage(err))
	}
	if got := chat.ErrorUntil(err); !got.Equal(until) {
		t.Errorf("refusal's Until = %v, want %v", got, until)
	}
	st, err := w.svc.GetState(w.ctx, w.tgt)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range st.Rooms {
		if r.ID == w.room.ID && !r.MutedUntil.Equal(until) {
			t.Errorf("state: mutedUntil %v", r.MutedUntil)
		}
	}
	if a := w.store.AuditEntries(); len(a) != 1 || a[0].Action != "muteMember" || a[0].Reason != "cool off" || !a[0].ExpiresAt.Equal(w.clock().Add(365*24*time.Hour)) {
		t.Errorf("audit = %+v", a)
	}
	w.advance(10*time.Minute + time.Second)
	if _, err := w.svc.SendMessage(w.ctx, w.tgt, protocol.SendMessageRequest{RoomID: w.room.ID, ClientID: "m-y", Text: "back"}); err != nil {
		t.Errorf("after the mute: %v", err)
	}
	// Unmuting early.
	if _, err := w.svc.MuteMember(w.ctx, w.p["owner"], protocol.MuteMemberRequest{RoomID: w.room.ID, UserID: "tgt", Minutes: 60}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.UnmuteMember(w.ctx, w.p["owner"], w.on("tgt")); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.SendMessage(w.ctx, w.tgt, protocol.SendMessageRequest{RoomID: w.room.ID, ClientID: "m-z", Text: "free"}); err != nil {
		t.Errorf("after unmute: %v", err)
	}
	_, err = w.svc.MuteMember(w.ctx, w.p["owner"], protocol.MuteMemberRequest{RoomID: w.room.ID, UserID: "tgt", Minutes: 0})
	wantCode(t, err, chat.Invalid)
	_, err = w.svc.MuteMember(w.ctx, w.p["owner"], protocol.MuteMemberRequest{RoomID: w.room.ID, UserID: "alice", Minutes: 5})
	wantCode(t, err, chat.Invalid)
	_, err = w.svc.MuteMember(w.ctx, w.p["room moderator"], protocol.MuteMemberRequest{RoomID: w.room.ID, UserID: "alice", Minutes: 5})
	wantCode(t, err, chat.Forbidden) // a moderator does not act on an owner
}

func TestRemoveAndBan(t *testing.T) {
	w := newModWorld(t)
	if _, err := w.svc.RemoveMember(w.ctx, w.p["room moderator"], w.on("tgt")); err != nil {
		t.Fatal(err)
	}
	decodeOne[protocol.RoomRemovedEvent](t, w.fan, "t1", protocol.EventRoomRemoved)
	if _, err := w.store.GetMember(w.ctx, w.room.ID, "tgt"); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("still a member: %v", err)
	}
	// Removed, not banned: they may come back.
	w.join(w.tgt, w.room.ID)
	bans, err := w.svc.BanMember(w.ctx, w.p["room moderator"], protocol.MemberActionRequest{RoomID: w.room.ID, UserID: "tgt", Reason: "again"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(bans.Bans, func(b protocol.BanInfo) bool { return b.UserID == "tgt" && b.Reason == "again" && b.By == "rmod" }) {
		t.Errorf("bans = %+v", bans.Bans)
	}
	_, err = w.svc.JoinChannel(w.ctx, w.tgt, w.roomReq())
	wantCode(t, err, chat.Forbidden)
	_, err = w.svc.InviteToChannel(w.ctx, w.p["owner"], protocol.InviteRequest{RoomID: w.room.ID, UserIDs: []string{"tgt"}})
	wantCode(t, err, chat.Forbidden)
	if _, err := w.svc.UnbanMember(w.ctx, w.p["owner"], w.on("tgt")); err != nil {
		t.Fatal(err)
	}
	w.join(w.tgt, w.room.ID)
	_, err = w.svc.UnbanMember(w.ctx, w.p["owner"], w.on("tgt"))
	wantCode(t, err, chat.NotFound)
	var kinds []chat.SystemKind
	hist, _ := w.svc.History(w.ctx, w.p["owner"], protocol.HistoryRequest{RoomID: w.room.ID})
	for _, m := range hist.Messages {
		if m.System != nil {
			kinds = append(kinds, m.System.Kind)
		}
	}
	for _, k := range []chat.SystemKind{chat.SystemRemoved, chat.SystemBanned, chat.SystemJoined} {
		if !slices.Contains(kinds, k) {
			t.Errorf("no %s line in history: %v", k, kinds)
		}
	}
	var actions []string
	for _, a := range w.store.AuditEntries() {
		actions = append(actions, a.Action)
	}
	if !slices.Equal(actions, []string{"removeMember", "banMember", "unbanMember"}) {
		t.Errorf("audit = %v", actions)
	}
}

func TestOwnershipIsHandedOnBeforeLeaving(t *testing.T) {
	w := newModWorld(t)
	alice := w.p["owner"]
	_, err := w.svc.LeaveChannel(w.ctx, alice, w.roomReq())
	wantCode(t, err, chat.Invalid)
	_, err = w.svc.SetMemberRole(w.ctx, alice, protocol.SetMemberRoleRequest{RoomID: w.room.ID, UserID: "alice", Role: chat.RoleMember})
	wantCode(t, err, chat.Invalid)
	if _, err := w.svc.SetMemberRole(w.ctx, alice, protocol.SetMemberRoleRequest{RoomID: w.room.ID, UserID: "tgt", Role: chat.RoleOwner}); err != nil {
		t.Fatal(err)
	}
	upd := decodeOne[protocol.MemberUpdatedEvent](t, w.fan, "t1", protocol.EventMemberUpdated)
	if upd.Member.Role != chat.RoleOwner {
		t.Errorf("memberUpdated = %+v", upd)
	}
	if _, err := w.svc.LeaveChannel(w.ctx, alice, w.roomReq()); err != nil {
		t.Errorf("leave after handing on: %v", err)
	}
	_, err = w.svc.SetMemberRole(w.ctx, w.tgt, protocol.SetMemberRoleRequest{RoomID: w.room.ID, UserID: "mem", Role: "king"})
	wantCode(t, err, chat.Invalid)
}

func TestArchivedChannelIsReadOnlyAndHidden(t *testing.T) {
	w := newModWorld(t)
	ev, err := w.svc.ArchiveChannel(w.ctx, w.p["owner"], w.roomReq())
	if err != nil || !ev.Room.Archived {
		t.Fatalf("archive: %+v, %v", ev.Room, err)
	}
	upd := decodeOne[protocol.RoomEvent](t, w.fan, "t1", protocol.EventRoomUpdated)
	if !upd.Room.Archived {
		t.Errorf("roomUpdated = %+v", upd.Room)
	}
	_, err = w.svc.SendMessage(w.ctx, w.tgt, protocol.SendMessageRequest{RoomID: w.room.ID, ClientID: "late", Text: "hello?"})
	wantCode(t, err, chat.Forbidden)
	list, err := w.svc.ListChannels(w.ctx, w.newbie, protocol.ListChannelsRequest{})
	if err != nil || slices.ContainsFunc(list.Rooms, func(r chat.Room) bool { return r.ID == w.room.ID }) {
		t.Errorf("browse lists the archived channel: %v", err)
	}
	if hist, err := w.svc.History(w.ctx, w.tgt, protocol.HistoryRequest{RoomID: w.room.ID}); err != nil || hist.Messages[0].System == nil || hist.Messages[0].System.Kind != chat.SystemArchived {
		t.Errorf("history after archiving: %v", err)
	}
	if _, err := w.svc.UnarchiveChannel(w.ctx, w.p["admin"], w.roomReq()); err != nil {
		t.Fatal(err)
	}
	w.send(w.tgt, w.room.ID, "open again")
	list, _ = w.svc.ListChannels(w.ctx, w.newbie, protocol.ListChannelsRequest{})
	if !slices.ContainsFunc(list.Rooms, func(r chat.Room) bool { return r.ID == w.room.ID }) {
		t.Error("unarchived channel not listed")
	}
}

func TestReportsQueueAndAuditLog(t *testing.T) {
	w := newModWorld(t)
	rep, err := w.svc.ReportMessage(w.ctx, w.p["member"], protocol.ReportMessageRequest{RoomID: w.room.ID, Seq: w.tgtMsg.Seq, Reason: "rude"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.ReportMessage(w.ctx, w.tgt, protocol.ReportMessageRequest{RoomID: w.room.ID, Seq: w.tgtMsg.Seq})
	wantCode(t, err, chat.Invalid) // one's own message
	_, err = w.svc.ListReports(w.ctx, w.p["member"], protocol.ListReportsRequest{})
	wantCode(t, err, chat.Forbidden)
	// A workspace moderator who is not in the channel still sees it
	// (public), with the message in context.
	mod := w.connect("mod2", "m2")
	mod.Groups = []string{chat.GroupModerators}
	q, err := w.svc.ListReports(w.ctx, mod, protocol.ListReportsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Reports) != 1 || q.Reports[0].ID != rep.Report.ID || q.Reports[0].Message.Text != "target words" || q.Reports[0].RoomName != "open" {
		t.Fatalf("queue = %+v", q.Reports)
	}
	if !slices.ContainsFunc(q.Reports[0].Context, func(m chat.Message) bool { return m.Seq == w.tgtMsg.Seq }) || len(q.Reports[0].Context) < 2 {
		t.Errorf("context = %+v", q.Reports[0].Context)
	}
	res, err := w.svc.ResolveReport(w.ctx, mod, protocol.ResolveReportRequest{ReportID: rep.Report.ID, Resolution: protocol.ResolveMute, Minutes: 15})
	if err != nil {
		t.Fatal(err)
	}
	if res.Report.Resolution != "mute" || res.Report.ResolvedBy != "mod2" {
		t.Errorf("resolved = %+v", res.Report)
	}
	_, err = w.svc.SendMessage(w.ctx, w.tgt, protocol.SendMessageRequest{RoomID: w.room.ID, ClientID: "q1", Text: "hi"})
	wantCode(t, err, chat.Forbidden)
	_, err = w.svc.ResolveReport(w.ctx, mod, protocol.ResolveReportRequest{ReportID: rep.Report.ID, Resolution: protocol.ResolveDismiss})
	wantCode(t, err, chat.Conflict)
	if q, _ := w.svc.ListReports(w.ctx, mod, protocol.ListReportsRequest{}); len(q.Reports) != 0 {
		t.Errorf("resolved report still queued: %+v", q.Reports)
	}
	// Delete from the queue.
	rep2, _ := w.svc.ReportMessage(w.ctx, w.p["member"], protocol.ReportMessageRequest{RoomID: w.room.ID, Seq: w.own["owner"]})
	if _, err := w.svc.ResolveReport(w.ctx, w.p["admin"], protocol.ResolveReportRequest{ReportID: rep2.Report.ID, Resolution: protocol.ResolveDelete}); err != nil {
		t.Fatal(err)
	}
	if m, _ := w.store.GetMessage(w.ctx, w.room.ID, w.own["owner"]); !m.Deleted || m.DeletedBy != "adm" {
		t.Errorf("message after delete from queue = %+v", m)
	}
	// The audit log, for admins only.
	_, err = w.svc.ListAudit(w.ctx, mod, protocol.ListAuditRequest{})
	wantCode(t, err, chat.Forbidden)
	log, err := w.svc.ListAudit(w.ctx, w.p["admin"], protocol.ListAuditRequest{})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range log.Entries {
		actions = append(actions, e.Action+":"+e.Detail)
	}
	want := []string{"resolveReport:delete", "deleteMessage:", "resolveReport:mute", "muteMember:until " + w.clock().Add(15*time.Minute).Format(time.RFC3339)}
	if !slices.Equal(actions, want) {
		t.Errorf("audit (newest first) = %v, want %v", actions, want)
	}
}

// sysValue: "kind=value" of a system line (its new name, topic, room kind
// or role).
func sysValue(l *chat.SystemLine) string {
	return string(l.Kind) + "=" + l.Name + l.Topic + string(l.RoomKind) + string(l.Role)
}

func TestSystemLinesForChannelChanges(t *testing.T) {
	w := newModWorld(t)
	name, topic := "renamed", "new topic"
	if _, err := w.svc.UpdateChannel(w.ctx, w.p["owner"], protocol.UpdateChannelRequest{RoomID: w.room.ID, Name: &name, Topic: &topic}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.InviteToChannel(w.ctx, w.p["owner"], protocol.InviteRequest{RoomID: w.room.ID, UserIDs: []string{"newbie"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.LeaveChannel(w.ctx, w.p["member"], w.roomReq()); err != nil {
		t.Fatal(err)
	}
	hist, err := w.svc.History(w.ctx, w.p["owner"], protocol.HistoryRequest{RoomID: w.room.ID, Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range hist.Messages[:4] {
		if m.System == nil {
			t.Fatalf("not a system line: %+v", m)
		}
		got = append(got, sysValue(m.System)+strings.Join(m.System.UserIDs, ",")+"@"+m.SenderID)
	}
	want := []string{"left=mem@mem", "invited=newbie@alice", "topic=new topic@alice", "renamed=renamed@alice"}
	if !slices.Equal(got, want) {
		t.Errorf("system lines (newest first) = %v, want %v", got, want)
	}
	// System lines are never unread.
	st, _ := w.svc.GetState(w.ctx, w.newbie)
	for _, r := range st.Rooms {
		if r.ID == w.room.ID && r.Unread != 0 {
			t.Errorf("newbie has %d unread", r.Unread)
		}
	}
}

func TestChannelKindChanges(t *testing.T) {
	w := newModWorld(t)
	private := true
	ev, err := w.svc.UpdateChannel(w.ctx, w.p["owner"], protocol.UpdateChannelRequest{RoomID: w.room.ID, Private: &private})
	if err != nil || ev.Room.Kind != chat.KindPrivate {
		t.Fatalf("make private: %+v, %v", ev.Room, err)
	}
	if upd := decodeOne[protocol.RoomEvent](t, w.fan, "t1", protocol.EventRoomUpdated); upd.Room.Kind != chat.KindPrivate {
		t.Errorf("roomUpdated = %+v", upd.Room)
	}
	list, _ := w.svc.ListChannels(w.ctx, w.newbie, protocol.ListChannelsRequest{})
	if slices.ContainsFunc(list.Rooms, func(r chat.Room) bool { return r.ID == w.room.ID }) {
		t.Error("a private channel is listed")
	}
	// Now private, it does not exist for outsiders.
	_, err = w.svc.JoinChannel(w.ctx, w.newbie, w.roomReq())
	wantCode(t, err, chat.NotFound)
	public := false
	if _, err := w.svc.UpdateChannel(w.ctx, w.p["admin"], protocol.UpdateChannelRequest{RoomID: w.room.ID, Private: &public}); err != nil {
		t.Fatal(err)
	}
	w.join(w.newbie, w.room.ID)
	hist, _ := w.svc.History(w.ctx, w.p["owner"], protocol.HistoryRequest{RoomID: w.room.ID, Limit: 3})
	var kinds []string
	for _, m := range hist.Messages {
		if m.System != nil {
			kinds = append(kinds, sysValue(m.System))
		}
	}
	if !slices.Equal(kinds, []string{"joined=", "kind=public", "kind=private"}) {
		t.Errorf("system lines = %v", kinds)
	}
	var actions []string
	for _, a := range w.store.AuditEntries() {
		actions = append(actions, a.Action+":"+a.Detail)
	}
	if !slices.Equal(actions, []string{"changeKind:public -> private", "changeKind:private -> public"}) {
		t.Errorf("audit = %v", actions)
	}
	_, err = w.svc.UpdateChannel(w.ctx, w.p["admin"], protocol.UpdateChannelRequest{RoomID: chat.GeneralRoomID, Private: &private})
	wantCode(t, err, chat.Invalid)
}

// withSystemLines turns the timeline's system lines on (the app does).
func withSystemLines(c *service.Config) { c.SystemLines = true }

// connectWithGroups connects like harness.connect, with the token's
// workspace groups stored on the connection (as $connect stores them).
func (h *harness) connectWithGroups(userID, connID string, groups ...string) chat.Connection {
	h.t.Helper()
	id := chat.Identity{UserID: userID, Username: userID, DisplayName: strings.ToUpper(userID[:1]) + userID[1:], Groups: groups}
	if err := h.svc.Connect(h.ctx, chat.Connection{ID: connID, Identity: id}); err != nil {
		h.t.Fatalf("Connect(%s, %s): %v", userID, connID, err)
	}
	c, err := h.svc.Connection(h.ctx, connID)
	if err != nil {
		h.t.Fatalf("Connection(%s): %v", connID, err)
	}
	return c
}

// An admin deletes a channel: what was stored under it goes, every
// connection that had it gets roomRemoved (deleted), its name is free, and
// the audit log says who. #general and direct rooms cannot be deleted.
func TestDeleteChannel(t *testing.T) {
	w := newModWorld(t)
	ev, err := w.svc.DeleteChannel(w.ctx, w.p["admin"], w.roomReq())
	if err != nil || !ev.Deleted || ev.RoomID != w.room.ID || ev.Type != protocol.EventRoomRemoved {
		t.Fatalf("DeleteChannel = %+v, %v", ev, err)
	}
	for _, conn := range []string{"a1", "mem1", "t1", "mute1"} {
		got := decodeOne[protocol.RoomRemovedEvent](t, w.fan, conn, protocol.EventRoomRemoved)
		if got.RoomID != w.room.ID || !got.Deleted {
			t.Errorf("%s got %+v", conn, got)
		}
	}
	if got := w.fan.OfType("adm1", protocol.EventRoomRemoved); len(got) != 0 {
		t.Errorf("the admin's own connection was pushed the reply too: %d", len(got))
	}
	if _, err := w.store.GetRoom(w.ctx, w.room.ID); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("room still stored: %v", err)
	}
	if ms, _ := w.store.ListMembers(w.ctx, w.room.ID); len(ms) != 0 {
		t.Errorf("members left: %d", len(ms))
	}
	if msgs, _, _ := w.store.MessagesBefore(w.ctx, w.room.ID, 0, 100); len(msgs) != 0 {
		t.Errorf("messages left: %d", len(msgs))
	}
	_, err = w.svc.History(w.ctx, w.p["member"], protocol.HistoryRequest{RoomID: w.room.ID})
	wantCode(t, err, chat.NotFound)
	// Gone at once for every action: joining, deleting again.
	_, err = w.svc.JoinChannel(w.ctx, w.p["outsider"], w.roomReq())
	wantCode(t, err, chat.NotFound)
	_, err = w.svc.DeleteChannel(w.ctx, w.p["admin"], w.roomReq())
	wantCode(t, err, chat.NotFound)
	chans, err := w.svc.ListChannels(w.ctx, w.p["outsider"], protocol.ListChannelsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range chans.Rooms {
		if r.ID == w.room.ID {
			t.Error("the deleted room is still listed")
		}
	}
	st, _ := w.svc.GetState(w.ctx, w.p["member"])
	for _, r := range st.Rooms {
		if r.ID == w.room.ID {
			t.Error("the deleted room is still in the member's state")
		}
	}
	audit := w.store.AuditEntries()
	if len(audit) != 1 || audit[0].Action != "deleteChannel" || audit[0].ActorID != "adm" || audit[0].Detail != "#open" {
		t.Errorf("audit = %+v", audit)
	}
	// The name is free again.
	w.channel(w.p["owner"], "open", false)
	// Not #general, not a direct room.
	_, err = w.svc.DeleteChannel(w.ctx, w.p["admin"], protocol.RoomRequest{RoomID: chat.GeneralRoomID})
	wantCode(t, err, chat.Invalid)
}

// TestDeletedChannelLeavesTheReportsQueue: deleting a channel resolves its
// open reports as channelDeleted (by the admin who deleted it), so the
// queue no longer holds reports nobody can act on; other rooms' reports
// stay.
func TestDeletedChannelLeavesTheReportsQueue(t *testing.T) {
	w := newModWorld(t)
	doomed, err := w.svc.ReportMessage(w.ctx, w.p["member"], protocol.ReportMessageRequest{RoomID: w.room.ID, Seq: w.tgtMsg.Seq, Reason: "rude"})
	if err != nil {
		t.Fatal(err)
	}
	other := w.channel(w.tgt, "other", false)
	w.join(w.p["member"], other.ID)
	msg := w.send(w.tgt, other.ID, "elsewhere")
	kept, err := w.svc.ReportMessage(w.ctx, w.p["member"], protocol.ReportMessageRequest{RoomID: other.ID, Seq: msg.Seq})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.DeleteChannel(w.ctx, w.p["admin"], w.roomReq()); err != nil {
		t.Fatal(err)
	}
	q, err := w.svc.ListReports(w.ctx, w.p["admin"], protocol.ListReportsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Reports) != 1 || q.Reports[0].ID != kept.Report.ID {
		t.Errorf("queue after deleting the channel = %+v, want only %s", q.Reports, kept.Report.ID)
	}
	open, _, err := w.store.ListOpenReports(w.ctx, "", 100)
	if err != nil || len(open) != 1 || open[0].ID != kept.Report.ID {
		t.Errorf("open reports in the store = %+v, %v", open, err)
	}
	got, err := w.store.GetReport(w.ctx, doomed.Report.ID)
	if err != nil || got.Resolution != protocol.ResolutionChannelDeleted || got.ResolvedBy != "adm" || !got.ResolvedAt.Equal(w.clock()) {
		t.Errorf("deleted channel's report = %+v, %v", got, err)
	}
	_, err = w.svc.ResolveReport(w.ctx, w.p["admin"], protocol.ResolveReportRequest{ReportID: doomed.Report.ID, Resolution: protocol.ResolveDismiss})
	wantCode(t, err, chat.Conflict)
}
