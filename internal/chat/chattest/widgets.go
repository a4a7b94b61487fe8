package chattest

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

var _ chat.WidgetStore = (*Store)(nil)

// cloneWidget deep-copies w through JSON, as the real store keeps it.
func cloneWidget(w chat.Widget) chat.Widget {
	b, _ := json.Marshal(w)
	var out chat.Widget
	_ = json.Unmarshal(b, &out)
	return out
}

// CreateWidget stores w unless its id is taken.
func (s *Store) CreateWidget(ctx context.Context, w chat.Widget) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "CreateWidget", w.ID); err != nil {
		return err
	}
	if s.widgets == nil {
		s.widgets = map[string]chat.Widget{}
	}
	if _, ok := s.widgets[w.ID]; ok {
		return chat.Errorf(chat.Conflict, "a widget with this id exists")
	}
	s.widgets[w.ID] = cloneWidget(w)
	return nil
}

// GetWidget returns one widget.
func (s *Store) GetWidget(ctx context.Context, id string) (chat.Widget, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "GetWidget"); err != nil {
		return chat.Widget{}, err
	}
	w, ok := s.widgets[id]
	if !ok {
		return chat.Widget{}, chat.Errorf(chat.NotFound, "no such widget")
	}
	return cloneWidget(w), nil
}

// ListWidgets returns every widget, oldest first.
func (s *Store) ListWidgets(ctx context.Context) ([]chat.Widget, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "ListWidgets"); err != nil {
		return nil, err
	}
	out := make([]chat.Widget, 0, len(s.widgets))
	for _, w := range s.widgets {
		out = append(out, cloneWidget(w))
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// UpdateWidget replaces a stored widget.
func (s *Store) UpdateWidget(ctx context.Context, w chat.Widget) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "UpdateWidget", w.ID); err != nil {
		return err
	}
	if _, ok := s.widgets[w.ID]; !ok {
		return chat.Errorf(chat.NotFound, "no such widget")
	}
	s.widgets[w.ID] = cloneWidget(w)
	return nil
}

// DeleteWidget removes a widget.
func (s *Store) DeleteWidget(ctx context.Context, id string) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "DeleteWidget", id); err != nil {
		return err
	}
	if _, ok := s.widgets[id]; !ok {
		return chat.Errorf(chat.NotFound, "no such widget")
	}
	delete(s.widgets, id)
	return nil
}

// PutVisitorResume stores a resume record.
func (s *Store) PutVisitorResume(ctx context.Context, r chat.VisitorResume) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "PutVisitorResume", r.VisitorID, r.TokenHash); err != nil {
		return err
	}
	if s.resumes == nil {
		s.resumes = map[string]chat.VisitorResume{}
	}
	r.CreatedAt, r.ExpiresAt = r.CreatedAt.UTC(), time.Unix(r.ExpiresAt.Unix(), 0).UTC()
	s.resumes[r.VisitorID+"|"+r.TokenHash] = r
	return nil
}

// TakeVisitorResume deletes and returns a resume record.
func (s *Store) TakeVisitorResume(ctx context.Context, visitorID, tokenHash string, now time.Time) (chat.VisitorResume, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "TakeVisitorResume"); err != nil {
		return chat.VisitorResume{}, err
	}
	k := visitorID + "|" + tokenHash
	r, ok := s.resumes[k]
	if !ok {
		return chat.VisitorResume{}, chat.Errorf(chat.NotFound, "unknown or used resume token")
	}
	delete(s.resumes, k)
	if !now.Before(r.ExpiresAt) {
		return chat.VisitorResume{}, chat.Errorf(chat.NotFound, "the resume token expired")
	}
	return r, nil
}

// DeleteVisitorResumes removes every resume record of a visitor.
func (s *Store) DeleteVisitorResumes(ctx context.Context, visitorID string) (int, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "DeleteVisitorResumes"); err != nil {
		return 0, err
	}
	n := 0
	for k := range s.resumes {
		if strings.HasPrefix(k, visitorID+"|") {
			delete(s.resumes, k)
			n++
		}
	}
	return n, nil
}

// MarkChallengeUsed records a spent challenge.
func (s *Store) MarkChallengeUsed(ctx context.Context, id string, until time.Time) (bool, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "MarkChallengeUsed", id); err != nil {
		return false, err
	}
	if s.resumes == nil {
		s.resumes = map[string]chat.VisitorResume{}
	}
	k := "pow|" + id
	if _, ok := s.resumes[k]; ok {
		return false, nil
	}
	s.resumes[k] = chat.VisitorResume{ExpiresAt: until}
	return true, nil
}

// SupportRoute routes a visitor's new conversation by its widget's topics
// (service.SupportRouter).
func (s *Store) SupportRoute(ctx context.Context, widgetID, topic string) (string, bool, error) {
	return chat.RouteByWidget(ctx, s, widgetID, topic)
}
