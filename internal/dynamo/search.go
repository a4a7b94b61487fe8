package dynamo

import (
	"context"
	"strconv"
	"strings"
	"time"

	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/search"
)

// The search index: one posting item per (message, distinct term), all
// of a room's in one partition:
//
//	pk SRCH#<roomId>   sk <term>#<seq, 20 digits>   s <senderId>   t <createdAt, unix ms>
//
// A term's postings in a room are one sort-key range, newest first with a
// descending Query; the terms beginning with a prefix are one
// begins_with range. A search over n rooms is n Queries per term, and
// only rooms the caller is a member of now are asked. The items are not
// among EventSourceKeys, so writing them never invokes the stream
// function. Terms never contain '#' (words are letters and digits;
// pseudo-terms are "!file", "!from:<id>", …, ids having no '#').
const prefixSearch = "SRCH#"

// SearchKeyPrefix begins the partition key of every search posting: the
// stream function's role may write only items whose key begins with it
// (dynamodb:LeadingKeys).
const SearchKeyPrefix = prefixSearch

func searchPK(roomID string) string { return prefixSearch + roomID }

func postingSK(term string, seq int64) string { return term + "#" + seqSK(seq) }

type postingItem struct {
	PK     string `dynamo:"pk"`
	SK     string `dynamo:"sk"`
	Sender string `dynamo:"s,omitempty"`
	T      int64  `dynamo:"t,omitempty"`
	TTL    int64  `dynamo:"ttl,omitempty"` // its message's (retention.go)
}

func (it postingItem) posting(roomID string) (search.Posting, bool) {
	i := strings.LastIndexByte(it.SK, '#')
	if i < 0 {
		return search.Posting{}, false
	}
	seq, err := strconv.ParseInt(it.SK[i+1:], 10, 64)
	if err != nil {
		return search.Posting{}, false
	}
	return search.Posting{RoomID: roomID, Term: it.SK[:i], Seq: seq, SenderID: it.Sender, CreatedAt: time.UnixMilli(it.T).UTC()}, true
}

var (
	_ search.PostingWriter = (*Store)(nil)
	_ search.Index         = (*Store)(nil)
)

// WritePostings puts and deletes postings with BatchWriteItem (25 per
// request, unprocessed items retried). Each item is under 1 KB: one write
// unit each.
func (s *Store) WritePostings(ctx context.Context, put, del []search.Posting) error {
	ctx = withOp(ctx, "WritePostings")
	if len(put) == 0 && len(del) == 0 {
		return nil
	}
	items := make([]any, 0, len(put))
	for _, p := range put {
		items = append(items, postingItem{PK: searchPK(p.RoomID), SK: postingSK(p.Term, p.Seq), Sender: p.SenderID, T: p.CreatedAt.UnixMilli(), TTL: unixOrZero(p.ExpiresAt)})
	}
	keys := make([]gdynamo.Keyed, 0, len(del))
	for _, p := range del {
		keys = append(keys, gdynamo.Keys{searchPK(p.RoomID), postingSK(p.Term, p.Seq)})
	}
	w := s.table.Batch(AttrPK, AttrSK).Write()
	if len(items) > 0 {
		w = w.Put(items...)
	}
	if len(keys) > 0 {
		w = w.Delete(keys...)
	}
	if _, err := w.Run(ctx); err != nil {
		return internal(err, "write search postings")
	}
	return nil
}

// Postings reads a term's postings in a room (search.Index): exact terms
// newest first below before; a prefix, every term beginning with it in
// term order. Eventually consistent.
func (s *Store) Postings(ctx context.Context, roomID, term string, prefix bool, before int64, limit int) ([]search.Posting, bool, error) {
	ctx = withOp(ctx, "Postings")
	q := s.table.Get(AttrPK, searchPK(roomID))
	switch {
	case prefix:
		q = q.Range(AttrSK, gdynamo.BeginsWith, term)
	case before == 1:
		return nil, false, nil
	default:
		upper := seqSKMax
		if before > 1 {
			upper = seqSK(before - 1)
		}
		q = q.Range(AttrSK, gdynamo.Between, term+"#"+seqSKMin, term+"#"+upper).Order(gdynamo.Descending)
	}
	var items []postingItem
	if err := q.Limit(limit+1).All(ctx, &items); err != nil {
		return nil, false, internal(err, "read search postings")
	}
	more := len(items) > limit
	if more {
		items = items[:limit]
	}
	out := make([]search.Posting, 0, len(items))
	for _, it := range items {
		if p, ok := it.posting(roomID); ok {
			out = append(out, p)
		}
	}
	return out, more, nil
}

// Messages reads messages by key, of any rooms, with BatchGetItem (the
// candidates of a search page: 100 keys per request, unprocessed keys
// retried), eventually consistent; missing ones are left out.
func (s *Store) Messages(ctx context.Context, keys []search.MessageKey) ([]chat.Message, error) {
	ctx = withOp(ctx, "SearchMessages")
	if len(keys) == 0 {
		return nil, nil
	}
	ks := make([]gdynamo.Keyed, 0, len(keys))
	seen := map[search.MessageKey]bool{}
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			ks = append(ks, gdynamo.Keys{msgPK(k.RoomID), seqSK(k.Seq)})
		}
	}
	var items []messageItem
	err := s.table.Batch(AttrPK, AttrSK).Get(ks...).All(ctx, &items)
	if err != nil && !isNotFound(err) {
		return nil, internal(err, "read search results")
	}
	out := make([]chat.Message, 0, len(items))
	for _, it := range items {
		if !s.expiredItem(it.TTL) { // past its retention: TTL lags
			out = append(out, it.message())
		}
	}
	return out, nil
}

// UserIDByHandle is the user holding a handle (already normalised), from
// its claim item; "" when nobody does. One GetItem.
func (s *Store) UserIDByHandle(ctx context.Context, handle string) (string, error) {
	ctx = withOp(ctx, "UserIDByHandle")
	var it handleClaimItem
	err := s.table.Get(AttrPK, handlePK(handle)).Range(AttrSK, gdynamo.Equal, skClaim).One(ctx, &it)
	if isNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", internal(err, "read handle")
	}
	return it.UserID, nil
}

// RoomIDByName is the channel holding a name (case-insensitively), from
// its claim item; "" when none does. One GetItem.
func (s *Store) RoomIDByName(ctx context.Context, name string) (string, error) {
	ctx = withOp(ctx, "RoomIDByName")
	var it nameClaimItem
	err := s.table.Get(AttrPK, chanNamePK(name)).Range(AttrSK, gdynamo.Equal, skClaim).One(ctx, &it)
	if isNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", internal(err, "read channel name")
	}
	return it.RoomID, nil
}
