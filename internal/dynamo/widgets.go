package dynamo

import (
	"context"
	"encoding/json"
	"time"

	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Support widgets (issue #17). Items:
//   - a widget: pk WIDGETS, sk WIDGET#<id>, its configuration as JSON in
//     cfg (a workspace has a few: listing is one Query of one partition,
//     the HTTP API's lookup one GetItem);
//   - a visitor's resume token: pk VISITOR#<visitorId>, sk
//     RESUME#<hex sha256 of the token>, ttl 30 days; taken (deleted) on
//     use and replaced by a new one (rotation). It holds the visitor's
//     name and email as they started: the visitor's partition is what
//     erasure deletes (DeleteVisitorResumes), TTL is its retention.

const (
	pkWidgets     = "WIDGETS"
	prefixWidget  = "WIDGET#"
	prefixVisitor = "VISITOR#"
	prefixResume  = "RESUME#"
	prefixPoW     = "WPOW#" // a spent proof-of-work challenge (TTL)
)

var _ chat.WidgetStore = (*Store)(nil)

type widgetItem struct {
	PK        string    `dynamo:"pk"`
	SK        string    `dynamo:"sk"`
	WidgetID  string    `dynamo:"widgetId"`
	Config    string    `dynamo:"cfg"`
	CreatedAt time.Time `dynamo:"createdAt"`
}

type resumeItem struct {
	PK         string    `dynamo:"pk"`
	SK         string    `dynamo:"sk"`
	VisitorID  string    `dynamo:"visitorId"`
	WidgetID   string    `dynamo:"widgetId"`
	Name       string    `dynamo:"name,omitempty"`
	Email      string    `dynamo:"email,omitempty"`
	Identified bool      `dynamo:"identified,omitempty"`
	CreatedAt  time.Time `dynamo:"createdAt"`
	TTL        int64     `dynamo:"ttl"`
}

func widgetSK(id string) string   { return prefixWidget + id }
func visitorPK(id string) string  { return prefixVisitor + id }
func resumeSK(hash string) string { return prefixResume + hash }

func newWidgetItem(w chat.Widget) (widgetItem, error) {
	b, err := json.Marshal(w)
	if err != nil {
		return widgetItem{}, chat.Errorf(chat.Internal, "encode widget: %v", err)
	}
	return widgetItem{PK: pkWidgets, SK: widgetSK(w.ID), WidgetID: w.ID, Config: string(b), CreatedAt: utc(w.CreatedAt)}, nil
}

func (it widgetItem) widget() (chat.Widget, error) {
	var w chat.Widget
	if err := json.Unmarshal([]byte(it.Config), &w); err != nil {
		return chat.Widget{}, chat.Errorf(chat.Internal, "decode widget %s: %v", it.WidgetID, err)
	}
	return w, nil
}

// CreateWidget puts the item unless the id is taken (1 WCU for a
// configuration under 1 KB; a long FAQ a few).
func (s *Store) CreateWidget(ctx context.Context, w chat.Widget) error {
	ctx = withOp(ctx, "CreateWidget")
	it, err := newWidgetItem(w)
	if err != nil {
		return err
	}
	err = s.table.Put(it).If("attribute_not_exists($)", AttrPK).Run(ctx)
	if isCondFailed(err) {
		return chat.Errorf(chat.Conflict, "a widget with this id exists")
	}
	if err != nil {
		return internal(err, "put widget")
	}
	return nil
}

// GetWidget reads one widget (eventually consistent: the session route's
// lookup is on every visitor's arrival; a changed origin list holds within
// a second).
func (s *Store) GetWidget(ctx context.Context, id string) (chat.Widget, error) {
	ctx = withOp(ctx, "GetWidget")
	if id == "" {
		return chat.Widget{}, chat.Errorf(chat.NotFound, "no such widget")
	}
	var it widgetItem
	err := s.table.Get(AttrPK, pkWidgets).Range(AttrSK, gdynamo.Equal, widgetSK(id)).One(ctx, &it)
	if isNotFound(err) {
		return chat.Widget{}, chat.Errorf(chat.NotFound, "no such widget")
	}
	if err != nil {
		return chat.Widget{}, internal(err, "get widget")
	}
	return it.widget()
}

// ListWidgets queries the WIDGETS partition.
func (s *Store) ListWidgets(ctx context.Context) ([]chat.Widget, error) {
	ctx = withOp(ctx, "ListWidgets")
	var items []widgetItem
	err := s.table.Get(AttrPK, pkWidgets).Range(AttrSK, gdynamo.BeginsWith, prefixWidget).Consistent(true).All(ctx, &items)
	if err != nil && !isNotFound(err) {
		return nil, internal(err, "list widgets")
	}
	out := make([]chat.Widget, 0, len(items))
	for _, it := range items {
		w, err := it.widget()
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	sortWidgets(out)
	return out, nil
}

func sortWidgets(ws []chat.Widget) {
	for i := 1; i < len(ws); i++ {
		for j := i; j > 0 && (ws[j].CreatedAt.Before(ws[j-1].CreatedAt) ||
			ws[j].CreatedAt.Equal(ws[j-1].CreatedAt) && ws[j].ID < ws[j-1].ID); j-- {
			ws[j], ws[j-1] = ws[j-1], ws[j]
		}
	}
}

// UpdateWidget replaces the item if it exists.
func (s *Store) UpdateWidget(ctx context.Context, w chat.Widget) error {
	ctx = withOp(ctx, "UpdateWidget")
	it, err := newWidgetItem(w)
	if err != nil {
		return err
	}
	err = s.table.Put(it).If("attribute_exists($)", AttrPK).Run(ctx)
	if isCondFailed(err) {
		return chat.Errorf(chat.NotFound, "no such widget")
	}
	if err != nil {
		return internal(err, "update widget")
	}
	return nil
}

// DeleteWidget deletes the item if it exists.
func (s *Store) DeleteWidget(ctx context.Context, id string) error {
	ctx = withOp(ctx, "DeleteWidget")
	err := s.table.Delete(AttrPK, pkWidgets).Range(AttrSK, widgetSK(id)).If("attribute_exists($)", AttrPK).Run(ctx)
	if isCondFailed(err) {
		return chat.Errorf(chat.NotFound, "no such widget")
	}
	if err != nil {
		return internal(err, "delete widget")
	}
	return nil
}

// PutVisitorResume stores a resume token's record with its TTL.
func (s *Store) PutVisitorResume(ctx context.Context, r chat.VisitorResume) error {
	ctx = withOp(ctx, "PutVisitorResume")
	if r.VisitorID == "" || r.TokenHash == "" {
		return chat.Errorf(chat.Internal, "PutVisitorResume: empty key attribute")
	}
	it := resumeItem{PK: visitorPK(r.VisitorID), SK: resumeSK(r.TokenHash), VisitorID: r.VisitorID, WidgetID: r.WidgetID,
		Name: r.Name, Email: r.Email, Identified: r.Identified, CreatedAt: utc(r.CreatedAt), TTL: r.ExpiresAt.Unix()}
	if err := s.table.Put(it).Run(ctx); err != nil {
		return internal(err, "put visitor resume")
	}
	return nil
}

// TakeVisitorResume deletes the record, returning it (one DeleteItem with
// ALL_OLD: two concurrent takes cannot both get it). An expired record
// (TTL deletes within days) is refused as gone.
func (s *Store) TakeVisitorResume(ctx context.Context, visitorID, tokenHash string, now time.Time) (chat.VisitorResume, error) {
	ctx = withOp(ctx, "TakeVisitorResume")
	var it resumeItem
	err := s.table.Delete(AttrPK, visitorPK(visitorID)).Range(AttrSK, resumeSK(tokenHash)).
		If("attribute_exists($)", AttrPK).OldValue(ctx, &it)
	if isCondFailed(err) || isNotFound(err) {
		return chat.VisitorResume{}, chat.Errorf(chat.NotFound, "unknown or used resume token")
	}
	if err != nil {
		return chat.VisitorResume{}, internal(err, "take visitor resume")
	}
	exp := time.Unix(it.TTL, 0)
	if !now.Before(exp) {
		return chat.VisitorResume{}, chat.Errorf(chat.NotFound, "the resume token expired")
	}
	return chat.VisitorResume{VisitorID: it.VisitorID, WidgetID: it.WidgetID, TokenHash: tokenHash, Name: it.Name, Email: it.Email,
		Identified: it.Identified, CreatedAt: it.CreatedAt.UTC(), ExpiresAt: exp.UTC()}, nil
}

// DeleteVisitorResumes deletes every RESUME# item of the visitor.
func (s *Store) DeleteVisitorResumes(ctx context.Context, visitorID string) (int, error) {
	ctx = withOp(ctx, "DeleteVisitorResumes")
	var items []resumeItem
	err := s.table.Get(AttrPK, visitorPK(visitorID)).Range(AttrSK, gdynamo.BeginsWith, prefixResume).Consistent(true).All(ctx, &items)
	if err != nil && !isNotFound(err) {
		return 0, internal(err, "list visitor resumes")
	}
	n := 0
	for _, it := range items {
		if err := s.table.Delete(AttrPK, it.PK).Range(AttrSK, it.SK).Run(ctx); err != nil {
			return n, internal(err, "delete visitor resume")
		}
		n++
	}
	return n, nil
}

// MarkChallengeUsed puts pk WPOW#<id> / META unless it exists (1 WCU),
// with the challenge's expiry as TTL: a challenge buys one session.
func (s *Store) MarkChallengeUsed(ctx context.Context, id string, until time.Time) (bool, error) {
	ctx = withOp(ctx, "MarkChallengeUsed")
	item := map[string]any{AttrPK: prefixPoW + id, AttrSK: skMeta, AttrTTL: until.Add(rateTTLSlack).Unix()}
	err := s.table.Put(item).If("attribute_not_exists($)", AttrPK).Run(ctx)
	if isCondFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, internal(err, "mark challenge used")
	}
	return true, nil
}

// SupportRoute routes a visitor's new conversation by its widget's topics
// (service.SupportRouter).
func (s *Store) SupportRoute(ctx context.Context, widgetID, topic string) (string, bool, error) {
	return chat.RouteByWidget(ctx, s, widgetID, topic)
}
