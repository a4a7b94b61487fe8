package dynamo

import (
	"context"
	"encoding/base64"

	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Page sizes of the listing methods.
const (
	defaultPageSize = 50
	maxPageSize     = 500
)

func pageSize(limit int) int {
	switch {
	case limit <= 0:
		return defaultPageSize
	case limit > maxPageSize:
		return maxPageSize
	}
	return limit
}

// A cursor is the gsi1sk of the last item of a page, opaque to clients.
func encodeCursor(sk string) string { return base64.RawURLEncoding.EncodeToString([]byte(sk)) }

func decodeCursor(cursor string) (string, error) {
	sk, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(sk) == 0 {
		return "", chat.Errorf(chat.Invalid, "bad cursor")
	}
	return string(sk), nil
}

// pageGSI reads one page of gsi1 partition pk in sort-key order, starting
// after cursor. It asks for one item more than the page to know whether
// another page exists, and returns the cursor of the next page or "".
func pageGSI[T any](ctx context.Context, s *Store, pk, cursor string, limit int, sortKey func(T) string) ([]T, string, error) {
	limit = pageSize(limit)
	q := s.table.Get(AttrGSI1PK, pk).Index(IndexGSI1)
	if cursor != "" {
		after, err := decodeCursor(cursor)
		if err != nil {
			return nil, "", err
		}
		q = q.Range(AttrGSI1SK, gdynamo.Greater, after)
	}
	var items []T
	if err := q.Limit(limit+1).All(ctx, &items); err != nil {
		return nil, "", internal(err, "list "+pk)
	}
	if len(items) <= limit {
		return items, "", nil
	}
	items = items[:limit]
	return items, encodeCursor(sortKey(items[limit-1])), nil
}
