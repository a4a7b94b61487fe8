package service

import (
	"context"
	"log/slog"
	"strings"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Bot accounts (issue #16; chat/bots.go has the model). Admins create,
// list, rotate and delete bots; a room's owners and workspace admins add
// a bot to the room and remove it. The bot then acts, as itself, over the
// WebSocket protocol or the HTTP API (internal/httpapi), through the same
// methods and the same policy as people: only in the rooms it was added to.

// botStore is the bot accounts' store, or an Internal error when the
// deployment has none.
func (s *Chat) botStore() (chat.BotStore, error) {
	if s.bots == nil {
		return nil, chat.Errorf(chat.Internal, "bots are not configured")
	}
	return s.bots, nil
}

// botStoreFor is botStore for acting on the bot with the id: NotFound for
// an id that is no bot's.
func (s *Chat) botStoreFor(id string) (chat.BotStore, error) {
	bots, err := s.botStore()
	if err != nil {
		return nil, err
	}
	if !chat.IsBotID(id) {
		return nil, chat.Errorf(chat.NotFound, "bot not found")
	}
	return bots, nil
}

// getBot reads the bot with the id (NotFound when there is none) and
// answers the store it came from.
func (s *Chat) getBot(ctx context.Context, id string) (chat.BotStore, chat.Bot, error) {
	bots, err := s.botStoreFor(id)
	if err != nil {
		return nil, chat.Bot{}, err
	}
	b, err := bots.GetBot(ctx, id)
	if err != nil {
		return nil, chat.Bot{}, storeErr(err, "get bot")
	}
	return bots, b, nil
}

// BotIdentity verifies a bot token (the HTTP API's bearer credential) and
// returns the bot's identity: Forbidden for anything but a current token.
func (s *Chat) BotIdentity(ctx context.Context, token string) (chat.Identity, error) {
	bots, err := s.botStore()
	if err != nil {
		return chat.Identity{}, err
	}
	return chat.VerifyBotToken(ctx, bots, token)
}

// BotIdentityByHash is BotIdentity from the token's SHA-256, which the
// $connect authorizer passes on instead of the token.
func (s *Chat) BotIdentityByHash(ctx context.Context, hash []byte) (chat.Identity, error) {
	bots, err := s.botStore()
	if err != nil {
		return chat.Identity{}, err
	}
	return chat.VerifyBotTokenHash(ctx, bots, hash)
}

// botName checks a bot's name as a display name, at most chat.MaxBotName
// characters.
func botName(raw string) (string, error) {
	name, err := displayName(raw)
	if err != nil {
		return "", chat.Errorf(chat.Invalid, "%s", strings.Replace(chat.ErrorMessage(err), "display name", "bot name", 1))
	}
	if len([]rune(name)) > chat.MaxBotName {
		return "", chat.Errorf(chat.Invalid, "bot name is too long: the limit is %d characters", chat.MaxBotName)
	}
	return name, nil
}

// CreateBot makes a bot and answers it with its token, shown this once.
func (s *Chat) CreateBot(ctx context.Context, c chat.Connection, r protocol.CreateBotRequest) (protocol.BotEvent, error) {
	if err := chat.Authorize(chat.ActCreateBot, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.BotEvent{}, err
	}
	bots, err := s.botStore()
	if err != nil {
		return protocol.BotEvent{}, err
	}
	name, err := botName(r.Name)
	if err != nil {
		return protocol.BotEvent{}, err
	}
	id := chat.BotIDPrefix + newID()
	color := avatarColor(id)
	if r.AvatarColor != "" {
		if !colorPattern.MatchString(r.AvatarColor) {
			return protocol.BotEvent{}, chat.Errorf(chat.Invalid, "avatarColor must look like #rrggbb")
		}
		color = strings.ToLower(r.AvatarColor)
	}
	now := s.clock()
	token, hash := chat.NewBotToken()
	b := chat.Bot{ID: id, Name: name, AvatarColor: color, CreatedBy: c.UserID, CreatedAt: now, TokenIssuedAt: now, TokenHash: hash}
	p := chat.Profile{UserID: id, Username: id, DisplayName: name, AvatarColor: color, CreatedAt: now, Bot: true}
	if err := bots.CreateBot(ctx, b, p); err != nil {
		return protocol.BotEvent{}, storeErr(err, "create bot")
	}
	s.ensureHandle(ctx, p, "") // so people can @mention it
	s.audit(ctx, c, chat.ActCreateBot, "", id, 0, "", name)
	return protocol.BotEvent{Head: protocol.Head{Type: protocol.EventBot}, Bot: b, Token: token}, nil
}

// ListBots lists the workspace's bots.
func (s *Chat) ListBots(ctx context.Context, c chat.Connection) (protocol.BotsEvent, error) {
	if err := chat.Authorize(chat.ActListBots, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.BotsEvent{}, err
	}
	bots, err := s.botStore()
	if err != nil {
		return protocol.BotsEvent{}, err
	}
	list, err := bots.ListBots(ctx)
	if err != nil {
		return protocol.BotsEvent{}, storeErr(err, "list bots")
	}
	return protocol.BotsEvent{Head: protocol.Head{Type: protocol.EventBots}, Bots: list}, nil
}

// RotateBotToken gives the bot a new token (shown this once); the old one
// is refused from now on, and the bot's open WebSocket connections, which
// it proved, are closed.
func (s *Chat) RotateBotToken(ctx context.Context, c chat.Connection, r protocol.BotRequest) (protocol.BotEvent, error) {
	if err := chat.Authorize(chat.ActRotateBotToken, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.BotEvent{}, err
	}
	bots, err := s.botStoreFor(r.BotID)
	if err != nil {
		return protocol.BotEvent{}, err
	}
	token, hash := chat.NewBotToken()
	b, err := bots.RotateBotToken(ctx, r.BotID, hash, s.clock())
	if err != nil {
		return protocol.BotEvent{}, storeErr(err, "rotate bot token")
	}
	s.closeConnectionsFor(ctx, b.ID, "token rotated", "")
	s.audit(ctx, c, chat.ActRotateBotToken, "", b.ID, 0, "", "")
	return protocol.BotEvent{Head: protocol.Head{Type: protocol.EventBot}, Bot: b, Token: token}, nil
}

// DeleteBot removes the bot from its rooms, closes its connections and
// deletes it with its token. Its messages stay, under its (deactivated)
// profile.
func (s *Chat) DeleteBot(ctx context.Context, c chat.Connection, r protocol.BotRequest) (protocol.BotEvent, error) {
	if err := chat.Authorize(chat.ActDeleteBot, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.BotEvent{}, err
	}
	bots, b, err := s.getBot(ctx, r.BotID)
	if err != nil {
		return protocol.BotEvent{}, err
	}
	// The token first, so the bot cannot act while it leaves its rooms.
	if err := bots.DeleteBot(ctx, b.ID, s.clock()); err != nil {
		return protocol.BotEvent{}, storeErr(err, "delete bot")
	}
	s.closeConnectionsFor(ctx, b.ID, "bot deleted", "")
	rooms, err := s.store.UserRooms(ctx, b.ID)
	if err != nil {
		return protocol.BotEvent{}, storeErr(err, "list the bot's rooms")
	}
	for _, m := range rooms {
		room, err := s.store.GetRoom(ctx, m.RoomID)
		if err != nil {
			s.log.WarnContext(ctx, "delete bot: room unavailable", slog.String("roomId", m.RoomID), slog.Any("error", err))
			continue
		}
		if err := s.removeFromRoom(ctx, c, room, b.ID); err != nil {
			return protocol.BotEvent{}, err
		}
	}
	s.audit(ctx, c, chat.ActDeleteBot, "", b.ID, 0, "", b.Name)
	return protocol.BotEvent{Head: protocol.Head{Type: protocol.EventBot}, Bot: b, Deleted: true}, nil
}

// AddBotToRoom makes a bot a member of a channel: its owners and workspace
// admins may. Adding it again answers the members.
func (s *Chat) AddBotToRoom(ctx context.Context, c chat.Connection, r protocol.RoomBotRequest) (protocol.MembersEvent, error) {
	ra, err := s.authorize(ctx, c, chat.ActAddBotToRoom, r.RoomID, true)
	if err != nil {
		return protocol.MembersEvent{}, err
	}
	if ra.room.Encrypted {
		return protocol.MembersEvent{}, errEncryptedOff("bots are") // e2ee_rooms.go: a bot could read nothing
	}
	_, b, err := s.getBot(ctx, r.BotID)
	if err != nil {
		return protocol.MembersEvent{}, err
	}
	room := ra.room
	m := chat.Member{RoomID: room.ID, UserID: b.ID, Role: chat.RoleMember, JoinedAt: s.clock(), ReadSeq: room.LastSeq}
	switch err := s.store.AddMember(ctx, m); chat.ErrorCode(err) {
	case "":
		room.MemberCount++
		actor := chat.Actor{UserID: c.UserID, ConnectionID: c.ID}
		if err := s.welcome(ctx, room, m, s.profileOrStub(ctx, b.ID), actor); err != nil {
			return protocol.MembersEvent{}, err
		}
		s.systemLine(ctx, room.ID, actor, chat.SystemLine{Kind: chat.SystemInvited, UserIDs: []string{b.ID}}, b.Name)
		s.audit(ctx, c, chat.ActAddBotToRoom, room.ID, b.ID, 0, "", "")
	case chat.Conflict: // a member already
	case chat.NotFound:
		return protocol.MembersEvent{}, errRoomNotFound()
	default:
		return protocol.MembersEvent{}, storeErr(err, "add bot")
	}
	return s.membersEvent(ctx, room.ID, c.UserID)
}

// RemoveBotFromRoom takes a bot out of a room (#general too).
func (s *Chat) RemoveBotFromRoom(ctx context.Context, c chat.Connection, r protocol.RoomBotRequest) (protocol.MembersEvent, error) {
	ra, err := s.authorize(ctx, c, chat.ActRemoveBotFromRoom, r.RoomID, true)
	if err != nil {
		return protocol.MembersEvent{}, err
	}
	if !chat.IsBotID(r.BotID) {
		return protocol.MembersEvent{}, chat.Errorf(chat.Invalid, "%s is not a bot: remove people with removeMember", r.BotID)
	}
	if _, err := s.store.GetMember(ctx, r.RoomID, r.BotID); err != nil {
		return protocol.MembersEvent{}, storeErr(err, "get the bot's membership")
	}
	if err := s.removeFromRoom(ctx, c, ra.room, r.BotID); err != nil {
		return protocol.MembersEvent{}, err
	}
	s.systemLine(ctx, ra.room.ID, chat.Actor{UserID: c.UserID, ConnectionID: c.ID}, chat.SystemLine{Kind: chat.SystemRemoved, UserIDs: []string{r.BotID}}, s.profileOrStub(ctx, r.BotID).DisplayName)
	s.audit(ctx, c, chat.ActRemoveBotFromRoom, r.RoomID, r.BotID, 0, "", "")
	return s.membersEvent(ctx, r.RoomID, c.UserID)
}

// noBots refuses a list of people that names a bot: a bot is a member of
// exactly the rooms its channels' owners added it to (addBotToRoom), never
// of a direct conversation, never by invitation.
func noBots(userIDs []string, why string) error {
	for _, id := range userIDs {
		if chat.IsBotID(id) {
			return chat.Errorf(chat.Invalid, "%s", why)
		}
	}
	return nil
}
