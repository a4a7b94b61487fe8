package dynamo

import (
	"context"
	"time"

	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// termsItem is USER#<id> / TERMS: the version of the terms the person last
// accepted, and when (docs/ARCHITECTURE.md "Terms and guidelines"). Kept
// beside the profile, not in it: nobody else reads it.
type termsItem struct {
	PK         string    `dynamo:"pk"`
	SK         string    `dynamo:"sk"`
	Version    string    `dynamo:"version"`
	AcceptedAt time.Time `dynamo:"acceptedAt"`
}

const skTerms = "TERMS"

// TermsAcceptance reads the item (GetItem, strongly consistent: 1 RCU);
// the zero value when there is none.
func (s *Store) TermsAcceptance(ctx context.Context, userID string) (chat.TermsAcceptance, error) {
	ctx = withOp(ctx, "TermsAcceptance")
	var it termsItem
	err := s.table.Get(AttrPK, userPK(userID)).Range(AttrSK, gdynamo.Equal, skTerms).Consistent(true).One(ctx, &it)
	if isNotFound(err) {
		return chat.TermsAcceptance{}, nil
	}
	if err != nil {
		return chat.TermsAcceptance{}, internal(err, "get terms acceptance")
	}
	return chat.TermsAcceptance{Version: it.Version, AcceptedAt: it.AcceptedAt.UTC()}, nil
}

// AcceptTerms writes the item (PutItem: 1 WCU).
func (s *Store) AcceptTerms(ctx context.Context, userID string, a chat.TermsAcceptance) error {
	ctx = withOp(ctx, "AcceptTerms")
	if userID == "" || a.Version == "" {
		return chat.Errorf(chat.Internal, "AcceptTerms: empty key attribute")
	}
	it := termsItem{PK: userPK(userID), SK: skTerms, Version: a.Version, AcceptedAt: a.AcceptedAt.UTC()}
	if err := s.table.Put(it).Run(ctx); err != nil {
		return internal(err, "put terms acceptance")
	}
	return nil
}
