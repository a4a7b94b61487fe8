package service

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/outhook"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Slash commands and outgoing webhooks (issue 16; docs/ARCHITECTURE.md
// "Slash commands and outgoing webhooks"). Registrations are kept in the
// store (chat.IntegrationStore), each with a signing secret shown once.
// runCommand calls the command's URL, signed (internal/outhook), while the
// caller waits, at most outhook.CommandTimeout: each action is its own
// invocation, so a slow URL holds only this one. Outgoing webhooks are not
// called here: the delivery function (internal/outhook.Deliverer) receives
// the room's message events from the event bus, off the send path.

// CommandPayload is the JSON body a command's URL receives.
type CommandPayload struct {
	Command  string `json:"command"`
	Text     string `json:"text"`
	RoomID   string `json:"roomId"`
	UserID   string `json:"userId"`
	UserName string `json:"userName"`
	// ResponseURL takes delayed answers: up to CommandResponseUses POSTs
	// of a CommandReply within CommandResponseTTL (integrations_respond.go).
	ResponseURL string `json:"responseUrl,omitempty"`
}

// CommandReply is what a command's URL answers.
type CommandReply struct {
	Text       string `json:"text"`
	Visibility string `json:"visibility"`
}

// IntegrationSenderPrefix starts the senderId of a message a command
// posted to the room ("integration:<id>"); its senderName is the command.
const IntegrationSenderPrefix = "integration:"

// MaxCommandReply bounds a reply's text (a message's limit applies too).
const MaxCommandReply = 4000

func (s *Chat) integrations() (chat.IntegrationStore, error) {
	if s.integ == nil {
		return nil, chat.Errorf(chat.Internal, "integrations are not configured on this server")
	}
	return s.integ, nil
}

func (s *Chat) hookClient() *outhook.Client { return s.hooks }

func newSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return "bcsec_" + hex.EncodeToString(b[:])
}

func newIntegrationID() string {
	var b [9]byte
	_, _ = rand.Read(b[:])
	return "ig_" + hex.EncodeToString(b[:])
}

// authorizeScope asks the policy for a room's action, or for the
// workspace's commands when roomID is empty.
func (s *Chat) authorizeScope(ctx context.Context, c chat.Connection, action chat.Action, roomID string) error {
	if roomID == chat.WorkspaceScope {
		return chat.Authorize(chat.ActManageWorkspaceCommands, chat.Access{Groups: c.Groups})
	}
	_, err := s.authorize(ctx, c, action, roomID, true)
	return err
}

func (s *Chat) checkHookURL(raw string) error {
	if raw == "" {
		return chat.Errorf(chat.Invalid, "url is required")
	}
	if err := s.hookClient().CheckURL(raw); err != nil {
		return chat.Errorf(chat.Invalid, "%s", err.Error())
	}
	return nil
}

func checkDescription(d string) (string, error) {
	d = strings.TrimSpace(d)
	if utf8.RuneCountInString(d) > chat.MaxCommandDesc {
		return "", chat.Errorf(chat.Invalid, "a description is at most %d characters", chat.MaxCommandDesc)
	}
	return d, nil
}

// integrationView is what a client sees; full adds the URL and creator.
func integrationView(it chat.Integration, full bool) protocol.IntegrationView {
	v := protocol.IntegrationView{ID: it.ID, Kind: it.Kind, RoomID: it.RoomID, Command: it.Command, Description: it.Description}
	if full {
		v.URL, v.TriggerWords, v.AllMessages, v.CreatedBy = it.URL, it.TriggerWords, it.AllMessages, it.CreatedBy
		v.CreatedAt = it.CreatedAt.UTC().Format(time.RFC3339)
	}
	return v
}

// RegisterCommand registers /command for a room (its owners, workspace
// admins) or the workspace (admins); the reply carries the secret once.
func (s *Chat) RegisterCommand(ctx context.Context, c chat.Connection, r protocol.RegisterCommandRequest) (protocol.IntegrationEvent, error) {
	store, err := s.integrations()
	if err != nil {
		return protocol.IntegrationEvent{}, err
	}
	if err := s.authorizeScope(ctx, c, chat.ActRegisterCommand, r.RoomID); err != nil {
		return protocol.IntegrationEvent{}, err
	}
	name, err := chat.NormalizeCommand(r.Command)
	if err != nil {
		return protocol.IntegrationEvent{}, err
	}
	if err := s.checkHookURL(r.URL); err != nil {
		return protocol.IntegrationEvent{}, err
	}
	desc, err := checkDescription(r.Description)
	if err != nil {
		return protocol.IntegrationEvent{}, err
	}
	it := chat.Integration{ID: newIntegrationID(), Kind: chat.KindCommand, RoomID: r.RoomID, Command: name, Description: desc,
		URL: r.URL, Secret: newSecret(), CreatedBy: c.UserID, CreatedAt: s.clock()}
	if err := store.PutIntegration(ctx, it, chat.MaxCommandsPerScope); err != nil {
		return protocol.IntegrationEvent{}, passOr(err, "register command")
	}
	s.audit(ctx, c, chat.ActRegisterCommand, r.RoomID, "", 0, "", "/"+name+" "+it.URL)
	return protocol.IntegrationEvent{Head: protocol.Head{Type: protocol.EventIntegration}, Integration: integrationView(it, true), Secret: it.Secret}, nil
}

// RegisterOutgoingWebhook registers a room's outgoing webhook (its owners,
// workspace admins): trigger words, or every message.
func (s *Chat) RegisterOutgoingWebhook(ctx context.Context, c chat.Connection, r protocol.RegisterOutgoingWebhookRequest) (protocol.IntegrationEvent, error) {
	store, err := s.integrations()
	if err != nil {
		return protocol.IntegrationEvent{}, err
	}
	if ra, err := s.authorize(ctx, c, chat.ActRegisterOutgoingWebhook, r.RoomID, true); err != nil {
		return protocol.IntegrationEvent{}, err
	} else if ra.room.Encrypted {
		return protocol.IntegrationEvent{}, errEncryptedOff("outgoing webhooks are") // e2ee_rooms.go
	}
	if err := s.checkHookURL(r.URL); err != nil {
		return protocol.IntegrationEvent{}, err
	}
	words, err := chat.NormalizeTriggerWords(r.TriggerWords)
	if err != nil {
		return protocol.IntegrationEvent{}, err
	}
	if len(words) == 0 && !r.AllMessages {
		return protocol.IntegrationEvent{}, chat.Errorf(chat.Invalid, "give trigger words, or choose every message")
	}
	if r.AllMessages {
		words = nil
	}
	desc, err := checkDescription(r.Description)
	if err != nil {
		return protocol.IntegrationEvent{}, err
	}
	it := chat.Integration{ID: newIntegrationID(), Kind: chat.KindOutgoing, RoomID: r.RoomID, Description: desc, URL: r.URL,
		TriggerWords: words, AllMessages: r.AllMessages, Secret: newSecret(), CreatedBy: c.UserID, CreatedAt: s.clock()}
	if err := store.PutIntegration(ctx, it, chat.MaxOutgoingPerRoom); err != nil {
		return protocol.IntegrationEvent{}, passOr(err, "register outgoing webhook")
	}
	s.audit(ctx, c, chat.ActRegisterOutgoingWebhook, r.RoomID, "", 0, "", it.URL)
	return protocol.IntegrationEvent{Head: protocol.Head{Type: protocol.EventIntegration}, Integration: integrationView(it, true), Secret: it.Secret}, nil
}

// ListCommands lists the commands usable in a room (the room's first, then
// the workspace's it does not shadow) and, for those who may manage them,
// the room's outgoing webhooks and the URLs.
func (s *Chat) ListCommands(ctx context.Context, c chat.Connection, r protocol.ListCommandsRequest) (protocol.CommandsEvent, error) {
	store, err := s.integrations()
	if err != nil {
		return protocol.CommandsEvent{}, err
	}
	if r.RoomID == chat.WorkspaceScope {
		return s.listWorkspaceCommands(ctx, c, store)
	}
	ra, err := s.authorize(ctx, c, chat.ActListCommands, r.RoomID, true)
	if err != nil {
		return protocol.CommandsEvent{}, err
	}
	manage := chat.Authorize(chat.ActRegisterCommand, ra.access(c)) == nil
	admin := chat.Authorize(chat.ActManageWorkspaceCommands, chat.Access{Groups: c.Groups}) == nil
	room, err := store.ListIntegrations(ctx, r.RoomID, "")
	if err != nil {
		return protocol.CommandsEvent{}, storeErr(err, "list integrations")
	}
	ws, err := store.ListIntegrations(ctx, chat.WorkspaceScope, chat.KindCommand)
	if err != nil {
		return protocol.CommandsEvent{}, storeErr(err, "list workspace commands")
	}
	ev := protocol.CommandsEvent{Head: protocol.Head{Type: protocol.EventCommands}, RoomID: r.RoomID, CanManage: manage,
		Commands: []protocol.IntegrationView{}}
	seen := map[string]bool{}
	for _, it := range room {
		switch it.Kind {
		case chat.KindCommand:
			seen[it.Command] = true
			ev.Commands = append(ev.Commands, integrationView(it, manage))
		case chat.KindOutgoing:
			if manage {
				ev.OutgoingWebhooks = append(ev.OutgoingWebhooks, integrationView(it, true))
			}
		}
	}
	for _, it := range ws {
		if !seen[it.Command] {
			ev.Commands = append(ev.Commands, integrationView(it, admin))
		}
	}
	slices.SortFunc(ev.Commands, func(a, b protocol.IntegrationView) int { return strings.Compare(a.Command, b.Command) })
	return ev, nil
}

// listWorkspaceCommands is listCommands without a room: the workspace's
// commands with their URLs, for the admin console (admins only).
func (s *Chat) listWorkspaceCommands(ctx context.Context, c chat.Connection, store chat.IntegrationStore) (protocol.CommandsEvent, error) {
	if err := chat.Authorize(chat.ActManageWorkspaceCommands, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.CommandsEvent{}, err
	}
	ws, err := store.ListIntegrations(ctx, chat.WorkspaceScope, chat.KindCommand)
	if err != nil {
		return protocol.CommandsEvent{}, storeErr(err, "list workspace commands")
	}
	ev := protocol.CommandsEvent{Head: protocol.Head{Type: protocol.EventCommands}, CanManage: true, Commands: []protocol.IntegrationView{}}
	for _, it := range ws {
		ev.Commands = append(ev.Commands, integrationView(it, true))
	}
	slices.SortFunc(ev.Commands, func(a, b protocol.IntegrationView) int { return strings.Compare(a.Command, b.Command) })
	return ev, nil
}

// DeleteCommand deletes a room's or the workspace's command.
func (s *Chat) DeleteCommand(ctx context.Context, c chat.Connection, r protocol.DeleteIntegrationRequest) (protocol.IntegrationDeletedEvent, error) {
	return s.deleteIntegration(ctx, c, chat.ActDeleteCommand, chat.KindCommand, r)
}

// DeleteOutgoingWebhook deletes a room's outgoing webhook.
func (s *Chat) DeleteOutgoingWebhook(ctx context.Context, c chat.Connection, r protocol.DeleteIntegrationRequest) (protocol.IntegrationDeletedEvent, error) {
	if r.RoomID == "" {
		return protocol.IntegrationDeletedEvent{}, chat.Errorf(chat.Invalid, "roomId is required")
	}
	return s.deleteIntegration(ctx, c, chat.ActDeleteOutgoingWebhook, chat.KindOutgoing, r)
}

func (s *Chat) deleteIntegration(ctx context.Context, c chat.Connection, action chat.Action, kind chat.IntegrationKind, r protocol.DeleteIntegrationRequest) (protocol.IntegrationDeletedEvent, error) {
	store, err := s.integrations()
	if err != nil {
		return protocol.IntegrationDeletedEvent{}, err
	}
	if err := s.authorizeScope(ctx, c, action, r.RoomID); err != nil {
		return protocol.IntegrationDeletedEvent{}, err
	}
	if r.ID == "" {
		return protocol.IntegrationDeletedEvent{}, chat.Errorf(chat.Invalid, "id is required")
	}
	all, err := store.ListIntegrations(ctx, r.RoomID, kind)
	if err != nil {
		return protocol.IntegrationDeletedEvent{}, storeErr(err, "list integrations")
	}
	if !slices.ContainsFunc(all, func(it chat.Integration) bool { return it.ID == r.ID }) {
		return protocol.IntegrationDeletedEvent{}, chat.Errorf(chat.NotFound, "integration not found")
	}
	it, err := store.DeleteIntegration(ctx, r.RoomID, r.ID)
	if err != nil {
		return protocol.IntegrationDeletedEvent{}, passOr(err, "delete integration")
	}
	s.audit(ctx, c, action, r.RoomID, "", 0, "", it.URL)
	return protocol.IntegrationDeletedEvent{Head: protocol.Head{Type: protocol.EventIntegrationDeleted}, RoomID: r.RoomID, ID: r.ID}, nil
}

// findCommand finds /name in the room, then in the workspace.
func (s *Chat) findCommand(ctx context.Context, store chat.IntegrationStore, roomID, name string) (chat.Integration, error) {
	for _, scope := range []string{roomID, chat.WorkspaceScope} {
		all, err := store.ListIntegrations(ctx, scope, chat.KindCommand)
		if err != nil {
			return chat.Integration{}, storeErr(err, "list commands")
		}
		for _, it := range all {
			if it.Command == name {
				return it, nil
			}
		}
	}
	return chat.Integration{}, chat.Errorf(chat.NotFound, "/%s is not a command here", name)
}

// RunCommand calls the command's URL with a signed CommandPayload and
// answers its reply: ephemeral (only in this answer, nothing stored) or
// room (posted to the room as the command, pushed to its members). A URL
// that fails, answers outside 2xx, answers garbage or not within
// outhook.CommandTimeout gives the caller an error saying so.
func (s *Chat) RunCommand(ctx context.Context, c chat.Connection, r protocol.RunCommandRequest) (protocol.CommandResultEvent, error) {
	store, err := s.integrations()
	if err != nil {
		return protocol.CommandResultEvent{}, err
	}
	if err := checkClientID(r.ClientID); err != nil {
		return protocol.CommandResultEvent{}, err
	}
	name, err := chat.NormalizeCommand(r.Command)
	if err != nil {
		return protocol.CommandResultEvent{}, err
	}
	if utf8.RuneCountInString(r.Text) > MaxCommandReply {
		return protocol.CommandResultEvent{}, chat.Errorf(chat.TooLarge, "the command's text is too long")
	}
	ra, err := s.authorize(ctx, c, chat.ActRunCommand, r.RoomID, true)
	if err != nil {
		return protocol.CommandResultEvent{}, err
	}
	if ra.room.Encrypted { // a command's text would leave in the clear (e2ee_rooms.go)
		return protocol.CommandResultEvent{}, errEncryptedOff("slash commands are")
	}
	it, err := s.findCommand(ctx, store, r.RoomID, name)
	if err != nil {
		return protocol.CommandResultEvent{}, err
	}
	caller := s.profileOrStub(ctx, c.UserID)
	if caller.DisplayName == "" {
		caller.DisplayName = c.DisplayName
	}
	body, _ := json.Marshal(CommandPayload{Command: "/" + name, Text: strings.TrimSpace(r.Text), RoomID: r.RoomID, UserID: c.UserID, UserName: caller.DisplayName,
		ResponseURL: s.commandResponseURL(it, r.RoomID, c.UserID)})
	res, err := s.hookClient().Post(ctx, it.URL, it.Secret, it.ID+":"+r.ClientID, body, outhook.CommandTimeout)
	if err != nil {
		s.log.WarnContext(ctx, "slash command failed", "command", name, "integration", it.ID, "error", err.Error())
		return protocol.CommandResultEvent{}, chat.Errorf(chat.Unavailable, "/%s failed: %s", name, clientSafe(err))
	}
	var reply CommandReply
	if len(strings.TrimSpace(string(res.Body))) == 0 {
		reply = CommandReply{} // an empty 200: done, nothing to show
	} else if err := json.Unmarshal(res.Body, &reply); err != nil {
		return protocol.CommandResultEvent{}, chat.Errorf(chat.Unavailable, "/%s failed: its answer is not the JSON {\"text\", \"visibility\"}", name)
	}
	reply.Text = strings.TrimSpace(reply.Text)
	if utf8.RuneCountInString(reply.Text) > MaxCommandReply {
		reply.Text = string([]rune(reply.Text)[:MaxCommandReply])
	}
	out := protocol.CommandResultEvent{Head: protocol.Head{Type: protocol.EventCommandResult}, RoomID: r.RoomID, Command: "/" + name,
		Text: reply.Text, Visibility: protocol.VisibilityEphemeral}
	if reply.Visibility != protocol.VisibilityRoom || reply.Text == "" {
		return out, nil
	}
	out.Visibility = protocol.VisibilityRoom
	// A room reply is reviewed as a send (review.go): a denial reaches the
	// caller as rejected, and nothing is stored.
	if reply.Text, err = s.review(ctx, chat.ReviewRequest{Kind: chat.ReviewSend, RoomID: r.RoomID, ClientID: "cmd-" + r.ClientID,
		SenderID: IntegrationSenderPrefix + it.ID, SenderName: "/" + name, Text: reply.Text}, false); err != nil {
		return protocol.CommandResultEvent{}, err
	}
	out.Text = reply.Text
	now := s.clock()
	msg, created, err := s.store.AppendMessage(ctx, chat.Message{
		RoomID: r.RoomID, ClientID: "cmd-" + r.ClientID,
		SenderID: IntegrationSenderPrefix + it.ID, SenderName: "/" + name,
		Integration: &chat.MessageIntegration{Kind: chat.IntegrationCommand, ID: it.ID, Name: "/" + name},
		Text:        reply.Text, CreatedAt: now, ExpiresAt: s.messageExpiry(ctx, ra.room, now),
	})
	if err != nil {
		return protocol.CommandResultEvent{}, storeErr(err, "store command reply")
	}
	if created {
		// No connection in the actor: the caller's own connection gets the
		// message too (its reply is the command's result, not an ack).
		s.publish(ctx, chat.MessageCreated{Actor: chat.Actor{UserID: c.UserID}, Message: msg})
	}
	out.Message = &msg
	return out, nil
}

// clientSafe says what went wrong with a receiver without its internals
// (outhook's errors are written for people: timeouts and statuses).
func clientSafe(err error) string {
	var se *outhook.StatusError
	if errors.As(err, &se) {
		return se.Error()
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "the receiver did not answer") {
		return msg
	}
	return "the receiver could not be reached"
}

// passOr passes the store's client errors through and wraps the rest.
func passOr(err error, what string) error {
	switch chat.ErrorCode(err) {
	case chat.Conflict, chat.Invalid, chat.NotFound:
		return err
	}
	return storeErr(err, what)
}
