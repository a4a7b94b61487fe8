package chattest

import (
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// CreateRoom stores r and members together, or nothing (Conflict) when the
// id or, for a channel, its name is taken. The room is stored as given,
// MemberCount included.
func (s *Store) CreateRoom(ctx context.Context, r chat.Room, members []chat.Member) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "CreateRoom", r.ID); err != nil {
		return err
	}
	if _, ok := s.rooms[r.ID]; ok {
		return chat.Errorf(chat.Conflict, "room exists")
	}
	claim := claimsName(r)
	if claim {
		if err := s.nameFree(r.Name, r.ID); err != nil {
			return err
		}
	}
	for _, m := range members {
		if m.RoomID != r.ID || m.UserID == "" {
			return chat.Errorf(chat.Internal, "CreateRoom: member %q/%q does not belong to room %q", m.RoomID, m.UserID, r.ID)
		}
	}
	r.MemberIDs = slices.Clone(r.MemberIDs)
	s.rooms[r.ID] = r
	s.members[r.ID] = map[string]chat.Member{}
	for _, m := range members {
		s.members[r.ID][m.UserID] = m
	}
	if claim {
		s.names[strings.ToLower(r.Name)] = r.ID
	}
	return nil
}

// claimsName says whether r holds its name: channels do, direct rooms
// (whose names nobody picks) do not.
func claimsName(r chat.Room) bool { return r.Kind != chat.KindDirect && r.Name != "" }

// nameFree returns the store's name-taken Conflict unless name is free or
// held by roomID.
func (s *Store) nameFree(name, roomID string) error {
	holder, ok := s.names[strings.ToLower(name)]
	if !ok || holder == roomID {
		return nil
	}
	return chat.NameTaken(strings.ToLower(name), s.rooms[holder].Kind)
}

func (s *Store) GetRoom(ctx context.Context, roomID string) (chat.Room, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "GetRoom", roomID); err != nil {
		return chat.Room{}, err
	}
	r, ok := s.rooms[roomID]
	if !ok {
		return chat.Room{}, chat.Errorf(chat.NotFound, "room not found")
	}
	r.MemberIDs = slices.Clone(r.MemberIDs)
	s.supportRoomLocked(&r)
	return r, nil
}

func (s *Store) UpdateRoom(ctx context.Context, roomID string, name, topic *string) (chat.Room, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "UpdateRoom", roomID); err != nil {
		return chat.Room{}, err
	}
	r, ok := s.rooms[roomID]
	if !ok {
		return chat.Room{}, chat.Errorf(chat.NotFound, "room not found")
	}
	if name != nil && *name == "" {
		return chat.Room{}, chat.Errorf(chat.Invalid, "room name must not be empty")
	}
	if name != nil && r.Kind != chat.KindDirect {
		if err := s.nameFree(*name, roomID); err != nil {
			return chat.Room{}, err
		}
		if claimsName(r) && s.names[strings.ToLower(r.Name)] == roomID {
			delete(s.names, strings.ToLower(r.Name))
		}
		s.names[strings.ToLower(*name)] = roomID
	}
	if name != nil {
		r.Name = *name
	}
	if topic != nil {
		r.Topic = *topic
	}
	s.rooms[roomID] = r
	r.MemberIDs = slices.Clone(r.MemberIDs)
	return r, nil
}

// ListPublicRooms pages public rooms by (name, id); the cursor is opaque.
func (s *Store) ListPublicRooms(ctx context.Context, cursor string, limit int) ([]chat.Room, string, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "ListPublicRooms"); err != nil {
		return nil, "", err
	}
	if limit <= 0 {
		return nil, "", chat.Errorf(chat.Internal, "ListPublicRooms: limit must be positive")
	}
	var out []chat.Room
	for _, r := range s.rooms {
		if r.Kind == chat.KindPublic && !r.Archived && (cursor == "" || roomSortKey(r) > cursor) {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return roomSortKey(out[i]) < roomSortKey(out[j]) })
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = roomSortKey(out[limit-1])
	}
	return out, next, nil
}

func roomSortKey(r chat.Room) string { return r.Name + "\x00" + r.ID }

func (s *Store) GetMember(ctx context.Context, roomID, userID string) (chat.Member, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "GetMember", roomID, userID); err != nil {
		return chat.Member{}, err
	}
	m, ok := s.members[roomID][userID]
	if !ok {
		return chat.Member{}, chat.Errorf(chat.NotFound, "not a member")
	}
	return m, nil
}

// AddMember adds m and bumps the member count; NotFound without the room,
// Conflict when m is a member already.
func (s *Store) AddMember(ctx context.Context, m chat.Member) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "AddMember", m.RoomID, m.UserID); err != nil {
		return err
	}
	r, ok := s.rooms[m.RoomID]
	if !ok {
		return chat.Errorf(chat.NotFound, "room not found")
	}
	if _, ok := s.members[m.RoomID][m.UserID]; ok {
		return chat.Errorf(chat.Conflict, "already a member")
	}
	s.members[m.RoomID][m.UserID] = m
	r.MemberCount++
	s.rooms[m.RoomID] = r
	return nil
}

func (s *Store) RemoveMember(ctx context.Context, roomID, userID string) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "RemoveMember", roomID, userID); err != nil {
		return err
	}
	if _, ok := s.members[roomID][userID]; !ok {
		return chat.Errorf(chat.NotFound, "not a member")
	}
	delete(s.members[roomID], userID)
	r := s.rooms[roomID]
	r.MemberCount--
	s.rooms[roomID] = r
	return nil
}

func (s *Store) ListMembers(ctx context.Context, roomID string) ([]chat.Member, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "ListMembers", roomID); err != nil {
		return nil, err
	}
	out := make([]chat.Member, 0, len(s.members[roomID]))
	for _, m := range s.members[roomID] {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UserID < out[j].UserID })
	return out, nil
}

func (s *Store) UserRooms(ctx context.Context, userID string) ([]chat.Member, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "UserRooms", userID); err != nil {
		return nil, err
	}
	out := []chat.Member{}
	for _, ms := range s.members {
		if m, ok := ms[userID]; ok {
			out = append(out, m)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].RoomID < out[j].RoomID })
	return out, nil
}

// AdvanceReadSeq moves the read position forward only. A missing
// membership is NotFound.
func (s *Store) AdvanceReadSeq(ctx context.Context, roomID, userID string, seq int64) (bool, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "AdvanceReadSeq", roomID, userID); err != nil {
		return false, err
	}
	m, ok := s.members[roomID][userID]
	if !ok {
		return false, chat.Errorf(chat.NotFound, "not a member")
	}
	if m.ReadSeq >= seq {
		return false, nil
	}
	m.ReadSeq = seq
	s.members[roomID][userID] = m
	return true, nil
}
