package chattest

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// UpdateMember sets the non-nil fields of a membership.
func (s *Store) UpdateMember(ctx context.Context, roomID, userID string, role *chat.Role, mutedUntil *time.Time) (chat.Member, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "UpdateMember", roomID, userID); err != nil {
		return chat.Member{}, err
	}
	m, ok := s.members[roomID][userID]
	if !ok {
		return chat.Member{}, chat.Errorf(chat.NotFound, "not a member")
	}
	if role != nil {
		m.Role = *role
	}
	if mutedUntil != nil {
		m.MutedUntil = *mutedUntil
	}
	s.members[roomID][userID] = m
	return m, nil
}

// SetArchived archives or unarchives a room.
func (s *Store) SetArchived(ctx context.Context, roomID string, archived bool) (chat.Room, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "SetArchived", roomID); err != nil {
		return chat.Room{}, err
	}
	r, ok := s.rooms[roomID]
	if !ok {
		return chat.Room{}, chat.Errorf(chat.NotFound, "room not found")
	}
	r.Archived = archived
	s.rooms[roomID] = r
	r.MemberIDs = slices.Clone(r.MemberIDs)
	return r, nil
}

// DeleteRoom deletes a room and everything under it at once (the memory
// store has nothing to purge after).
func (s *Store) DeleteRoom(ctx context.Context, roomID, _ string) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "DeleteRoom", roomID); err != nil {
		return err
	}
	r, ok := s.rooms[roomID]
	if !ok {
		return chat.Errorf(chat.NotFound, "room not found")
	}
	if r.Kind != chat.KindDirect && s.names[strings.ToLower(r.Name)] == roomID {
		delete(s.names, strings.ToLower(r.Name))
	}
	delete(s.members, roomID)
	delete(s.messages, roomID)
	for k := range s.clientIDs {
		if strings.HasPrefix(k, roomID+"\x00") {
			delete(s.clientIDs, k)
		}
	}
	delete(s.roomConns, roomID)
	delete(s.bans, roomID)
	delete(s.invites, roomID)
	for k, w := range s.hooks {
		if w.RoomID == roomID {
			delete(s.hooks, k)
		}
	}
	if s.supp != nil {
		delete(s.supp.convs, roomID) // a support room's conversation (support.go)
	}
	delete(s.rooms, roomID)
	return nil
}

// PurgeRoom has nothing to do: DeleteRoom removed everything.
func (s *Store) PurgeRoom(ctx context.Context, roomID string, _ int) (bool, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "PurgeRoom", roomID); err != nil {
		return false, err
	}
	return false, nil
}

func (s *Store) PutBan(ctx context.Context, b chat.Ban) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "PutBan", b.RoomID, b.UserID); err != nil {
		return err
	}
	if s.bans[b.RoomID] == nil {
		s.bans[b.RoomID] = map[string]chat.Ban{}
	}
	s.bans[b.RoomID][b.UserID] = b
	return nil
}

func (s *Store) GetBan(ctx context.Context, roomID, userID string) (chat.Ban, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "GetBan", roomID, userID); err != nil {
		return chat.Ban{}, err
	}
	b, ok := s.bans[roomID][userID]
	if !ok {
		return chat.Ban{}, chat.Errorf(chat.NotFound, "not banned")
	}
	return b, nil
}

func (s *Store) DeleteBan(ctx context.Context, roomID, userID string) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "DeleteBan", roomID, userID); err != nil {
		return err
	}
	if _, ok := s.bans[roomID][userID]; !ok {
		return chat.Errorf(chat.NotFound, "not banned")
	}
	delete(s.bans[roomID], userID)
	return nil
}

func (s *Store) ListBans(ctx context.Context, roomID string) ([]chat.Ban, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "ListBans", roomID); err != nil {
		return nil, err
	}
	out := []chat.Ban{}
	for _, b := range s.bans[roomID] {
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UserID < out[j].UserID })
	return out, nil
}

func (s *Store) PutReport(ctx context.Context, r chat.Report) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "PutReport", r.ID); err != nil {
		return err
	}
	if _, ok := s.reports[r.ID]; ok {
		return chat.Errorf(chat.Conflict, "report exists")
	}
	s.reports[r.ID] = r
	return nil
}

func (s *Store) GetReport(ctx context.Context, id string) (chat.Report, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "GetReport", id); err != nil {
		return chat.Report{}, err
	}
	r, ok := s.reports[id]
	if !ok {
		return chat.Report{}, chat.Errorf(chat.NotFound, "report not found")
	}
	return r, nil
}

// ListOpenReports pages open reports, newest first; the cursor is the
// last report's id.
func (s *Store) ListOpenReports(ctx context.Context, cursor string, limit int) ([]chat.Report, string, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "ListOpenReports"); err != nil {
		return nil, "", err
	}
	var all []chat.Report
	for _, r := range s.reports {
		if r.Resolution == "" {
			all = append(all, r)
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if !all[i].CreatedAt.Equal(all[j].CreatedAt) {
			return all[i].CreatedAt.After(all[j].CreatedAt)
		}
		return all[i].ID > all[j].ID
	})
	return pageAfter(all, cursor, limit, func(r chat.Report) string { return r.ID })
}

func (s *Store) ResolveReport(ctx context.Context, id, resolution, by string, at time.Time) (chat.Report, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "ResolveReport", id); err != nil {
		return chat.Report{}, err
	}
	r, ok := s.reports[id]
	if !ok {
		return chat.Report{}, chat.Errorf(chat.NotFound, "report not found")
	}
	if r.Resolution != "" {
		return chat.Report{}, chat.Errorf(chat.Conflict, "report resolved already")
	}
	r.Resolution, r.ResolvedBy, r.ResolvedAt = resolution, by, at
	s.reports[id] = r
	return r, nil
}

func (s *Store) PutAudit(ctx context.Context, e chat.AuditEntry) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "PutAudit", e.ID); err != nil {
		return err
	}
	s.audit = append(s.audit, e)
	return nil
}

// ListAudit pages the audit log newest first, leaving out expired entries
// as DynamoDB's TTL eventually does.
func (s *Store) ListAudit(ctx context.Context, cursor string, limit int) ([]chat.AuditEntry, string, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "ListAudit"); err != nil {
		return nil, "", err
	}
	now := s.Now()
	var all []chat.AuditEntry
	for i := len(s.audit) - 1; i >= 0; i-- {
		if e := s.audit[i]; e.ExpiresAt.IsZero() || e.ExpiresAt.After(now) {
			all = append(all, e)
		}
	}
	return pageAfter(all, cursor, limit, func(e chat.AuditEntry) string { return e.ID })
}

// AuditEntries returns every recorded entry, oldest first (tests).
// ResetAudit forgets the audit entries written so far (a test's setup).
func (s *Store) ResetAudit() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.audit = nil
}

func (s *Store) AuditEntries() []chat.AuditEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.audit)
}

func pageAfter[T any](all []T, cursor string, limit int, id func(T) string) ([]T, string, error) {
	if limit <= 0 {
		return nil, "", chat.Errorf(chat.Internal, "limit must be positive")
	}
	if cursor != "" {
		i := slices.IndexFunc(all, func(v T) bool { return id(v) == cursor })
		if i < 0 {
			return nil, "", chat.Errorf(chat.Invalid, "bad cursor")
		}
		all = all[i+1:]
	}
	if len(all) > limit {
		return all[:limit], id(all[limit-1]), nil
	}
	return all, "", nil
}

// Snapshot renders everything the store keeps but rate-limit counters, so
// a test can assert that a refused action stored nothing.
func (s *Store) Snapshot() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := json.Marshal(map[string]any{
		"connections": s.connections, "userConns": s.userConns, "roomConns": s.roomConns,
		"profiles": s.profiles, "rooms": s.rooms, "members": s.members, "names": s.names,
		"messages": s.messages, "clientIds": s.clientIDs,
		"bans": s.bans, "invites": s.invites, "reports": s.reports, "audit": s.audit,
		"changes": s.changes, "pins": s.pins, "versions": s.versions, "saved": s.saved,
		"calls": s.calls, "e2ee": s.e2ee,
	})
	if err != nil {
		return "snapshot: " + err.Error()
	}
	return string(b)
}

func (s *Store) PutInvite(ctx context.Context, inv chat.Invite) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "PutInvite", inv.RoomID, inv.UserID); err != nil {
		return err
	}
	if s.invites[inv.RoomID] == nil {
		s.invites[inv.RoomID] = map[string]chat.Invite{}
	}
	s.invites[inv.RoomID][inv.UserID] = inv
	return nil
}

func (s *Store) GetInvite(ctx context.Context, roomID, userID string) (chat.Invite, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "GetInvite", roomID, userID); err != nil {
		return chat.Invite{}, err
	}
	inv, ok := s.invites[roomID][userID]
	if !ok {
		return chat.Invite{}, chat.Errorf(chat.NotFound, "no invitation")
	}
	return inv, nil
}

func (s *Store) DeleteInvite(ctx context.Context, roomID, userID string) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "DeleteInvite", roomID, userID); err != nil {
		return err
	}
	if _, ok := s.invites[roomID][userID]; !ok {
		return chat.Errorf(chat.NotFound, "no invitation")
	}
	delete(s.invites[roomID], userID)
	return nil
}

func (s *Store) UserInvites(ctx context.Context, userID string) ([]chat.Invite, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "UserInvites", userID); err != nil {
		return nil, err
	}
	out := []chat.Invite{}
	for _, byUser := range s.invites {
		if inv, ok := byUser[userID]; ok {
			out = append(out, inv)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].RoomID < out[j].RoomID })
	return out, nil
}

// SetKind makes a channel public or private.
func (s *Store) SetKind(ctx context.Context, roomID string, kind chat.RoomKind) (chat.Room, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "SetKind", roomID); err != nil {
		return chat.Room{}, err
	}
	r, ok := s.rooms[roomID]
	if !ok {
		return chat.Room{}, chat.Errorf(chat.NotFound, "room not found")
	}
	if r.Kind == chat.KindDirect || kind == chat.KindDirect {
		return chat.Room{}, chat.Errorf(chat.Invalid, "only channels change kind")
	}
	r.Kind = kind
	s.rooms[roomID] = r
	r.MemberIDs = slices.Clone(r.MemberIDs)
	return r, nil
}

// RoomReports lists the reports filed in a room, open or resolved, oldest
// first.
func (s *Store) RoomReports(ctx context.Context, roomID string) ([]chat.Report, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "RoomReports", roomID); err != nil {
		return nil, err
	}
	var out []chat.Report
	for _, r := range s.reports {
		if r.RoomID == roomID {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b chat.Report) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, nil
}
