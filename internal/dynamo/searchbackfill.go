package dynamo

import (
	"context"
	"strings"

	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/search"
)

// SearchBackfillStats counts what a search-index backfill saw and did.
type SearchBackfillStats struct {
	Pages    int // Scan pages read
	Messages int // message items found (system lines and tombstones included)
	Indexed  int // messages whose postings were there already
	Skipped  int // system lines and tombstones: nothing to index
	Written  int // messages given their postings (or that would be, in a dry run)
	Postings int // posting items written (or that would be)
}

// BackfillSearchIndex gives the messages stored before the search indexer
// ran their postings (search.Postings), as the stream's indexer would
// have: a paged Scan of the message items (pk MSG#…, the seq sort keys),
// and per page one BatchGetItem of each message's sender posting
// (!from:<sender>, which every indexed message has) to skip the indexed
// ones, then BatchWriteItem of the others' postings. Postings are
// deterministic, so a message indexed meanwhile by the stream is written
// the same again; a second run writes nothing. opts is as for
// BackfillNameIndex (Wait before each request, Progress after each page).
//
// An edit between the Scan and the write leaves the new text's postings to
// the stream (it writes them after this reads the item) and may leave the
// old text's behind until the next edit or delete of that message; run it
// before opening search to people, or accept that rare stale candidate
// (search checks every candidate's text, so it is never a wrong result).
func (s *Store) BackfillSearchIndex(ctx context.Context, opts BackfillOptions, progress func(SearchBackfillStats)) (SearchBackfillStats, error) {
	ctx = withOp(ctx, "BackfillSearchIndex")
	var st SearchBackfillStats
	err := scanPages(ctx, opts, "messages",
		func() *gdynamo.Scan {
			return s.table.Scan().Filter("begins_with($, ?) AND attribute_exists($)", AttrPK, prefixMsg, "seq")
		},
		func(items []messageItem) error {
			st.Pages++
			return s.backfillMessages(ctx, items, opts.DryRun, opts.wait, &st)
		},
		func() {
			if progress != nil {
				progress(st)
			}
		})
	return st, err
}

func (s *Store) backfillMessages(ctx context.Context, items []messageItem, dryRun bool, wait func(context.Context) error, st *SearchBackfillStats) error {
	var todo [][]search.Posting
	var keys []gdynamo.Keyed
	for _, it := range items {
		if strings.HasPrefix(it.SK, prefixClient) {
			continue
		}
		st.Messages++
		ps := search.Postings(it.message())
		if len(ps) == 0 {
			st.Skipped++
			continue
		}
		todo = append(todo, ps)
		from := search.TermFrom(it.SenderID)
		keys = append(keys, gdynamo.Keys{searchPK(it.RoomID), postingSK(from, it.Seq)})
	}
	if len(todo) == 0 {
		return nil
	}
	have := map[string]bool{}
	for start := 0; start < len(keys); start += 100 {
		if err := wait(ctx); err != nil {
			return err
		}
		var got []postingItem
		err := s.table.Batch(AttrPK, AttrSK).Get(keys[start:min(start+100, len(keys))]...).Project(AttrPK, AttrSK).All(ctx, &got)
		if err != nil && !isNotFound(err) {
			return internal(err, "read search postings")
		}
		for _, g := range got {
			have[g.PK+"\x00"+g.SK] = true
		}
	}
	var put []search.Posting
	for _, ps := range todo {
		p := ps[0]
		if have[searchPK(p.RoomID)+"\x00"+postingSK(search.TermFrom(p.SenderID), p.Seq)] {
			st.Indexed++
			continue
		}
		st.Written++
		st.Postings += len(ps)
		put = append(put, ps...)
	}
	if dryRun || len(put) == 0 {
		return nil
	}
	// WritePostings batches by 25; wait once per such request.
	for start := 0; start < len(put); start += 25 {
		if err := wait(ctx); err != nil {
			return err
		}
		if err := s.WritePostings(ctx, put[start:min(start+25, len(put))], nil); err != nil {
			return err
		}
	}
	return nil
}
