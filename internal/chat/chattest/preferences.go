package chattest

import (
	"context"
	"slices"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// The preference store's state lives beside the rest, created on first use.
type prefState struct {
	prefs   map[string]chat.Preferences
	hidden  map[string]bool                             // connection id -> hidden
	subs    map[string]map[string]chat.PushSubscription // user -> endpoint -> subscription
	subSeq  map[string]int64                            // user|endpoint -> insertion order (oldest first)
	nextSeq int64
}

func (s *Store) prefState() *prefState {
	if s.pref == nil {
		s.pref = &prefState{
			prefs: map[string]chat.Preferences{}, hidden: map[string]bool{},
			subs: map[string]map[string]chat.PushSubscription{}, subSeq: map[string]int64{},
		}
	}
	return s.pref
}

func (s *Store) GetPreferences(ctx context.Context, userID string) (chat.Preferences, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "GetPreferences", userID); err != nil {
		return chat.Preferences{}, err
	}
	p, ok := s.prefState().prefs[userID]
	if !ok {
		return chat.DefaultPreferences(), nil
	}
	return p.Clone().Normalize(), nil
}

func (s *Store) UpdatePreferences(ctx context.Context, userID string, edit func(*chat.Preferences) error) (chat.Preferences, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "UpdatePreferences", userID); err != nil {
		return chat.Preferences{}, err
	}
	p, ok := s.prefState().prefs[userID]
	if !ok {
		p = chat.DefaultPreferences()
	}
	p = p.Clone().Normalize()
	if err := edit(&p); err != nil {
		return chat.Preferences{}, err
	}
	p.PushKey = ""
	s.prefState().prefs[userID] = p.Clone()
	return p, nil
}

func (s *Store) SetConnectionVisible(ctx context.Context, userID, connID string, visible bool) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "SetConnectionVisible", userID, connID); err != nil {
		return err
	}
	if !s.userConns[userID][connID] {
		return chat.Errorf(chat.NotFound, "connection not found")
	}
	s.prefState().hidden[connID] = !visible
	return nil
}

func (s *Store) UserPresence(ctx context.Context, userID string) (int, int, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "UserPresence", userID); err != nil {
		return 0, 0, err
	}
	conns, visible := 0, 0
	for id := range s.userConns[userID] {
		conns++
		if !s.prefState().hidden[id] {
			visible++
		}
	}
	return conns, visible, nil
}

func (s *Store) PutPushSubscription(ctx context.Context, sub chat.PushSubscription, max int) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "PutPushSubscription", sub.UserID, sub.Endpoint); err != nil {
		return err
	}
	st := s.prefState()
	mine := st.subs[sub.UserID]
	if mine == nil {
		mine = map[string]chat.PushSubscription{}
		st.subs[sub.UserID] = mine
	}
	for ep, old := range mine {
		if sub.Device != "" && old.Device == sub.Device && ep != sub.Endpoint {
			delete(mine, ep)
		}
	}
	if _, ok := mine[sub.Endpoint]; !ok {
		st.nextSeq++
		st.subSeq[sub.UserID+"|"+sub.Endpoint] = st.nextSeq
	}
	mine[sub.Endpoint] = sub
	for max > 0 && len(mine) > max {
		oldest := s.sortedSubs(sub.UserID)[0]
		delete(mine, oldest.Endpoint)
	}
	return nil
}

// sortedSubs lists a user's subscriptions oldest first. Callers hold s.mu.
func (s *Store) sortedSubs(userID string) []chat.PushSubscription {
	st := s.prefState()
	out := make([]chat.PushSubscription, 0, len(st.subs[userID]))
	for _, v := range st.subs[userID] {
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b chat.PushSubscription) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return int(st.subSeq[userID+"|"+a.Endpoint] - st.subSeq[userID+"|"+b.Endpoint])
	})
	return out
}

func (s *Store) PushSubscriptions(ctx context.Context, userID string) ([]chat.PushSubscription, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "PushSubscriptions", userID); err != nil {
		return nil, err
	}
	return s.sortedSubs(userID), nil
}

func (s *Store) DeletePushSubscription(ctx context.Context, userID, endpoint string) (bool, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "DeletePushSubscription", userID, endpoint); err != nil {
		return false, err
	}
	mine := s.prefState().subs[userID]
	_, ok := mine[endpoint]
	delete(mine, endpoint)
	return ok, nil
}
