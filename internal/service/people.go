package service

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/search"
)

// maxEmailBytes is RFC 5321's limit on a forward path.
const maxEmailBytes = 254

// closeTimeout bounds closing one person's connections on deactivation.
const closeTimeout = 4 * time.Second

// peopleAllowed asks the policy, then checks the directory is wired.
func (s *Chat) peopleAllowed(c chat.Connection, a chat.Action) error {
	if err := chat.Authorize(a, chat.Access{Groups: c.Groups}); err != nil {
		return err
	}
	if s.people == nil {
		return chat.Errorf(chat.Internal, "managing people is not configured")
	}
	return nil
}

// ListPeople lists the accounts of the pool whose email, handle or name
// contains the query (ignoring case), by name.
func (s *Chat) ListPeople(ctx context.Context, c chat.Connection, r protocol.ListPeopleRequest) (protocol.PeopleEvent, error) {
	if err := s.peopleAllowed(c, chat.ActListPeople); err != nil {
		return protocol.PeopleEvent{}, err
	}
	all, err := s.people.ListPeople(ctx)
	if err != nil {
		return protocol.PeopleEvent{}, storeErr(err, "list people")
	}
	if err := s.addHandles(ctx, all); err != nil {
		return protocol.PeopleEvent{}, err
	}
	// Case- and accent-insensitive ("zoe" finds "Zoë"), as people search.
	q := search.Fold(strings.TrimSpace(r.Query))
	qh := strings.TrimPrefix(q, "@")
	out := make([]chat.Person, 0, len(all))
	for _, p := range all {
		if q == "" || strings.Contains(search.Fold(p.Email), q) || strings.Contains(search.Fold(p.Username), q) ||
			strings.Contains(search.Fold(p.DisplayName), q) || (p.Handle != "" && strings.Contains(p.Handle, qh)) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b chat.Person) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.DisplayName), strings.ToLower(b.DisplayName)), cmp.Compare(a.Username, b.Username))
	})
	return protocol.PeopleEvent{Head: protocol.Head{Type: protocol.EventPeople}, People: out}, nil
}

// addHandles fills in the chat handles from the profiles (BatchGetItem,
// 100 at a time); people who never connected have none.
func (s *Chat) addHandles(ctx context.Context, people []chat.Person) error {
	ids := make([]string, 0, len(people))
	for _, p := range people {
		if p.UserID != "" {
			ids = append(ids, p.UserID)
		}
	}
	ps, err := s.profilesOf(ctx, ids)
	if err != nil {
		return err
	}
	handles := make(map[string]string, len(ps))
	for _, p := range ps {
		handles[p.UserID] = p.Handle
	}
	for i := range people {
		people[i].Handle = handles[people[i].UserID]
	}
	return nil
}

// InvitePerson creates an account for an email address; the pool mails
// the invitee a temporary password.
func (s *Chat) InvitePerson(ctx context.Context, c chat.Connection, r protocol.InvitePersonRequest) (protocol.PersonEvent, error) {
	if err := s.peopleAllowed(c, chat.ActInvitePerson); err != nil {
		return protocol.PersonEvent{}, err
	}
	email := strings.TrimSpace(r.Email)
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || len(email) > maxEmailBytes || addr.Name != "" {
		return protocol.PersonEvent{}, chat.Errorf(chat.Invalid, "%q is not an email address", r.Email)
	}
	name := ""
	if r.DisplayName != "" {
		if name, err = validDisplayName(r.DisplayName); err != nil {
			return protocol.PersonEvent{}, err
		}
	}
	p, err := s.people.Invite(ctx, strings.ToLower(email), name)
	if err != nil {
		return protocol.PersonEvent{}, storeErr(err, "invite")
	}
	s.log.InfoContext(ctx, "person invited", slog.String("by", c.UserID), slog.String("username", p.Username))
	s.audit(ctx, c, chat.ActInvitePerson, "", p.UserID, 0, "", p.Email)
	return personEvent(p), nil
}

// SetWorkspaceRole changes a person's workspace role. Admins cannot change
// their own (so the last admin cannot lock everyone out by mistake).
func (s *Chat) SetWorkspaceRole(ctx context.Context, c chat.Connection, r protocol.SetWorkspaceRoleRequest) (protocol.PersonEvent, error) {
	if err := s.peopleAllowed(c, chat.ActSetWorkspaceRole); err != nil {
		return protocol.PersonEvent{}, err
	}
	if !r.Role.Valid() {
		return protocol.PersonEvent{}, chat.Errorf(chat.Invalid, "role must be admin, moderator or member")
	}
	p, err := s.person(ctx, c, r.Username, "change your own role")
	if err != nil {
		return protocol.PersonEvent{}, err
	}
	if err := s.people.SetRole(ctx, p.Username, r.Role); err != nil {
		return protocol.PersonEvent{}, storeErr(err, "set role")
	}
	p.Role = r.Role
	s.log.InfoContext(ctx, "workspace role changed", slog.String("by", c.UserID), slog.String("userId", p.UserID), slog.String("role", string(r.Role)))
	s.audit(ctx, c, chat.ActSetWorkspaceRole, "", p.UserID, 0, "", string(r.Role))
	return personEvent(p), nil
}

// DeactivatePerson offboards a person: their profile is marked first (so
// a $connect racing with the rest is refused), then the account is
// disabled and signed out everywhere, then every live connection of
// theirs is closed (@connections DELETE) and forgotten. Their messages
// stay.
func (s *Chat) DeactivatePerson(ctx context.Context, c chat.Connection, r protocol.PersonRequest) (protocol.PersonEvent, error) {
	if err := s.peopleAllowed(c, chat.ActDeactivatePerson); err != nil {
		return protocol.PersonEvent{}, err
	}
	p, err := s.person(ctx, c, r.Username, "deactivate yourself")
	if err != nil {
		return protocol.PersonEvent{}, err
	}
	if p.UserID != "" {
		if err := s.markDeactivated(ctx, p, true); err != nil {
			return protocol.PersonEvent{}, err
		}
	}
	// The connections close even if the pool fails: the marker already
	// refuses any new one.
	poolErr := s.people.Deactivate(ctx, p.Username)
	closed := 0
	if p.UserID != "" {
		closed = s.closeConnections(ctx, p.UserID)
	}
	if poolErr != nil {
		return protocol.PersonEvent{}, storeErr(poolErr, "deactivate")
	}
	p.Status = chat.PersonDeactivated
	s.log.InfoContext(ctx, "person deactivated", slog.String("by", c.UserID), slog.String("userId", p.UserID), slog.Int("connectionsClosed", closed))
	s.audit(ctx, c, chat.ActDeactivatePerson, "", p.UserID, 0, "", fmt.Sprintf("%d connections closed", closed))
	return personEvent(p), nil
}

// ReactivatePerson lets a deactivated person sign in again.
func (s *Chat) ReactivatePerson(ctx context.Context, c chat.Connection, r protocol.PersonRequest) (protocol.PersonEvent, error) {
	if err := s.peopleAllowed(c, chat.ActReactivatePerson); err != nil {
		return protocol.PersonEvent{}, err
	}
	p, err := s.person(ctx, c, r.Username, "reactivate yourself")
	if err != nil {
		return protocol.PersonEvent{}, err
	}
	if err := s.people.Reactivate(ctx, p.Username); err != nil {
		return protocol.PersonEvent{}, storeErr(err, "reactivate")
	}
	if p.UserID != "" {
		if err := s.markDeactivated(ctx, p, false); err != nil {
			return protocol.PersonEvent{}, err
		}
	}
	p.Status = chat.PersonActive
	s.log.InfoContext(ctx, "person reactivated", slog.String("by", c.UserID), slog.String("userId", p.UserID))
	s.audit(ctx, c, chat.ActReactivatePerson, "", p.UserID, 0, "", "")
	return personEvent(p), nil
}

// person reads the account an admin action is about; the caller may not
// act on themselves (doing says what they tried, for the message).
func (s *Chat) person(ctx context.Context, c chat.Connection, username, doing string) (chat.Person, error) {
	username = strings.TrimSpace(username)
	if username == "" {
		return chat.Person{}, chat.Errorf(chat.Invalid, "username is required")
	}
	p, err := s.people.GetPerson(ctx, username)
	if err != nil {
		return chat.Person{}, storeErr(err, "get person")
	}
	if p.UserID == c.UserID || p.Username == c.Username {
		return chat.Person{}, chat.Errorf(chat.Invalid, "you cannot %s", doing)
	}
	return p, nil
}

// markDeactivated sets the profile's marker, creating the profile of a
// person who never connected (without joining #general), and tells
// everyone who shares a room with them.
func (s *Chat) markDeactivated(ctx context.Context, p chat.Person, deactivated bool) error {
	if deactivated {
		first := s.newProfile(chat.Identity{UserID: p.UserID, Username: p.Username, DisplayName: p.DisplayName})
		if _, _, err := s.store.EnsureProfile(ctx, first); err != nil {
			return storeErr(err, "ensure profile")
		}
	}
	err := s.store.SetDeactivated(ctx, p.UserID, deactivated, s.clock())
	if chat.ErrorCode(err) == chat.NotFound && !deactivated {
		return nil // never connected: nothing to unmark
	}
	if err != nil {
		return storeErr(err, "mark deactivated")
	}
	if prof, err := s.store.GetProfile(ctx, p.UserID); err == nil {
		s.publish(ctx, chat.ProfileUpdated{Actor: chat.Actor{UserID: p.UserID}, Profile: prof})
	}
	return nil
}

// closeConnections closes and forgets every live connection of the user,
// all at once, and returns how many there were. Failures are logged: the
// forgotten connection fails its next action anyway.
func (s *Chat) closeConnections(ctx context.Context, userID string) int {
	return s.closeConnectionsFor(ctx, userID, "deactivated", "")
}

// closeConnectionsFor is closeConnections with the signedOut reason,
// sparing the connection keep ("" for none).
func (s *Chat) closeConnectionsFor(ctx context.Context, userID, reason, keep string) int {
	ids, err := s.store.UserConnections(ctx, userID)
	if keep != "" {
		ids = without(ids, keep)
	}
	if err != nil {
		s.log.ErrorContext(ctx, "deactivate: list connections", slog.String("userId", userID), slog.String("error", err.Error()))
		return 0
	}
	ctx, cancel := context.WithTimeout(ctx, closeTimeout)
	defer cancel()
	if payload, err := json.Marshal(protocol.SignedOutEvent{Head: protocol.Head{Type: protocol.EventSignedOut}, Reason: reason}); err == nil && len(ids) > 0 {
		s.fanout.Send(ctx, ids, payload) // best effort: the close follows anyway
	}
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if s.closer != nil {
				if err := s.closer.Disconnect(ctx, id); err != nil {
					s.log.ErrorContext(ctx, "deactivate: close connection", slog.String("connectionId", id), slog.String("error", err.Error()))
				}
			}
			if err := s.Disconnect(ctx, id); err != nil {
				s.log.ErrorContext(ctx, "deactivate: forget connection", slog.String("connectionId", id), slog.String("error", err.Error()))
			}
		}()
	}
	wg.Wait()
	return len(ids)
}

func personEvent(p chat.Person) protocol.PersonEvent {
	return protocol.PersonEvent{Head: protocol.Head{Type: protocol.EventPerson}, Person: p}
}
