package chattest

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/search"
)

// EnsureProfile stores p unless one exists. Online is never stored: it is
// derived from connections by the service.
func (s *Store) EnsureProfile(ctx context.Context, p chat.Profile) (chat.Profile, bool, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "EnsureProfile", p.UserID); err != nil {
		return chat.Profile{}, false, err
	}
	if old, ok := s.profiles[p.UserID]; ok {
		return old, false, nil
	}
	p.Online = false
	p.Handle = "" // claimed by SetHandle only
	s.profiles[p.UserID] = p
	return p, true, nil
}

func (s *Store) GetProfile(ctx context.Context, userID string) (chat.Profile, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "GetProfile", userID); err != nil {
		return chat.Profile{}, err
	}
	p, ok := s.profiles[userID]
	if !ok {
		return chat.Profile{}, chat.Errorf(chat.NotFound, "user not found")
	}
	return p, nil
}

// GetProfiles behaves like BatchGetItem: missing users are left out, the
// order is not the order asked for, and duplicate keys are an error.
func (s *Store) GetProfiles(ctx context.Context, userIDs []string) ([]chat.Profile, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "GetProfiles", userIDs...); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	out := []chat.Profile{}
	for _, id := range userIDs {
		if seen[id] {
			return nil, chat.Errorf(chat.Internal, "GetProfiles: duplicate key %q", id)
		}
		seen[id] = true
		if p, ok := s.profiles[id]; ok {
			out = append(out, p)
		}
	}
	// Reverse id order: never the order asked for in tests that ask sorted.
	sort.Slice(out, func(i, j int) bool { return out[i].UserID > out[j].UserID })
	return out, nil
}

func (s *Store) UpdateProfile(ctx context.Context, userID string, displayName, avatarColor, avatarKey *string) (chat.Profile, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "UpdateProfile", userID); err != nil {
		return chat.Profile{}, err
	}
	p, ok := s.profiles[userID]
	if !ok {
		return chat.Profile{}, chat.Errorf(chat.NotFound, "user not found")
	}
	if displayName != nil {
		p.DisplayName = *displayName
	}
	if avatarColor != nil {
		p.AvatarColor = *avatarColor
	}
	if avatarKey != nil {
		p.AvatarKey = *avatarKey
	}
	s.profiles[userID] = p
	return p, nil
}

func (s *Store) SetLastSeen(ctx context.Context, userID string, at time.Time) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "SetLastSeen", userID); err != nil {
		return err
	}
	p, ok := s.profiles[userID]
	if !ok {
		return chat.Errorf(chat.NotFound, "user not found")
	}
	p.LastSeen = at
	s.profiles[userID] = p
	return nil
}

func (s *Store) SetProfilePrivacy(ctx context.Context, userID string, hidePresence, hideReceipts bool) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "SetProfilePrivacy", userID); err != nil {
		return err
	}
	p, ok := s.profiles[userID]
	if !ok {
		return chat.Errorf(chat.NotFound, "user not found")
	}
	p.HidePresence, p.HideReceipts = hidePresence, hideReceipts
	s.profiles[userID] = p
	return nil
}

func (s *Store) ReceiptHiders(ctx context.Context) (map[string]bool, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "ReceiptHiders"); err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for id, p := range s.profiles {
		if p.HideReceipts {
			out[id] = true
		}
	}
	return out, nil
}

// ListProfiles pages by user id; the cursor is the last id returned.
func (s *Store) ListProfiles(ctx context.Context, cursor string, limit int) ([]chat.Profile, string, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "ListProfiles"); err != nil {
		return nil, "", err
	}
	if limit <= 0 {
		return nil, "", chat.Errorf(chat.Internal, "ListProfiles: limit must be positive")
	}
	ids := make([]string, 0, len(s.profiles))
	for id := range s.profiles {
		if id > cursor {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	next := ""
	if len(ids) > limit {
		ids = ids[:limit]
		next = ids[limit-1]
	}
	out := make([]chat.Profile, 0, len(ids))
	for _, id := range ids {
		out = append(out, s.profiles[id])
	}
	return out, next, nil
}

// MentionCandidates answers from the profiles and memberships, as the name
// index would.
func (s *Store) MentionCandidates(ctx context.Context, roomID string, keys []string) ([]chat.Profile, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "MentionCandidates", append([]string{roomID}, keys...)...); err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, k := range keys {
		want[k] = true
	}
	var out []chat.Profile
	for uid := range s.members[roomID] {
		p, ok := s.profiles[uid]
		if !ok {
			continue
		}
		for _, k := range chat.NameKeys(p.Username, p.DisplayName, p.Handle) {
			if want[k] {
				out = append(out, chat.Profile{UserID: p.UserID, Username: p.Username, DisplayName: p.DisplayName, Handle: p.Handle})
				break
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UserID < out[j].UserID })
	return out, nil
}

// SetDeactivated marks the profile.
func (s *Store) SetDeactivated(ctx context.Context, userID string, deactivated bool, _ time.Time) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "SetDeactivated", userID); err != nil {
		return err
	}
	p, ok := s.profiles[userID]
	if !ok {
		return chat.Errorf(chat.NotFound, "user not found")
	}
	p.Deactivated = deactivated
	s.profiles[userID] = p
	return nil
}

// SetHandle claims handle for userID: Conflict (ErrHandleTaken) if another
// profile holds it.
func (s *Store) SetHandle(ctx context.Context, userID, handle string) (chat.Profile, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "SetHandle", userID, handle); err != nil {
		return chat.Profile{}, err
	}
	p, ok := s.profiles[userID]
	if !ok {
		return chat.Profile{}, chat.Errorf(chat.NotFound, "user not found")
	}
	for id, other := range s.profiles {
		if id != userID && other.Handle == handle {
			return chat.Profile{}, chat.HandleTaken(handle)
		}
	}
	p.Handle = handle
	s.profiles[userID] = p
	return p, nil
}

// SetLastRoom records the user's last open room.
func (s *Store) SetLastRoom(ctx context.Context, userID, roomID string, at time.Time) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "SetLastRoom", userID, roomID); err != nil {
		return err
	}
	if s.lastRooms == nil {
		s.lastRooms = map[string]lastRoom{}
	}
	s.lastRooms[userID] = lastRoom{roomID, at}
	return nil
}

// LastRoom is the last recorded room, "" if none.
func (s *Store) LastRoom(ctx context.Context, userID string) (string, time.Time, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "LastRoom", userID); err != nil {
		return "", time.Time{}, err
	}
	lr := s.lastRooms[userID]
	return lr.roomID, lr.at, nil
}

type lastRoom struct {
	roomID string
	at     time.Time
}

// SearchProfiles finds people by a prefix of a word of their display name
// or handle, as the table's word index does: (word, user) pairs in order,
// at most limit of them, each person once.
func (s *Store) SearchProfiles(ctx context.Context, prefix string, limit int) ([]chat.Profile, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "SearchProfiles"); err != nil {
		return nil, err
	}
	var keys []string
	for id, p := range s.profiles {
		for _, w := range search.NameWords(p.DisplayName, p.Handle) {
			if prefix != "" && strings.HasPrefix(w, prefix) {
				keys = append(keys, w+"#"+id)
			}
		}
	}
	sort.Strings(keys)
	if len(keys) > limit {
		keys = keys[:max(limit, 0)]
	}
	out := []chat.Profile{}
	seen := map[string]bool{}
	for _, k := range keys {
		id := k[strings.LastIndexByte(k, '#')+1:]
		if !seen[id] {
			seen[id] = true
			out = append(out, s.profiles[id])
		}
	}
	return out, nil
}

var _ chat.AvatarVersionStore = (*Store)(nil)

// SetAvatarVersion records the version while key is the picture.
func (s *Store) SetAvatarVersion(ctx context.Context, userID, key, version string) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "SetAvatarVersion", userID); err != nil {
		return err
	}
	p, ok := s.profiles[userID]
	if !ok || p.AvatarKey != key {
		return nil
	}
	p.AvatarVersion, p.AvatarVersionKey = version, key
	s.profiles[userID] = p
	return nil
}
