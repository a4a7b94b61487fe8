package search

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Index reads the postings and the messages (internal/dynamo).
type Index interface {
	// Postings returns the postings of term in room, newest first, with
	// seq < before (before <= 0: any), at most limit, and whether more
	// exist. With prefix, every term beginning with term matches, in
	// term order, and before is ignored.
	Postings(ctx context.Context, roomID, term string, prefix bool, before int64, limit int) ([]Posting, bool, error)
	// Messages reads messages by key, of any rooms, in one request
	// (missing ones are left out).
	Messages(ctx context.Context, keys []MessageKey) ([]chat.Message, error)
}

// MessageKey names one message.
type MessageKey struct {
	RoomID string
	Seq    int64
}

// Read bounds of one search request.
const (
	// TermReadLimit is the most postings read per (room, term) Query.
	TermReadLimit = 200
	// PrefixReadLimit is the most postings read per (room, prefix) Query.
	PrefixReadLimit = 500
	// MaxDrivingWords is how many query words are looked up in the index
	// (the longest); the others are checked on the candidates' text.
	MaxDrivingWords = 2
	// MaxFetched is the most messages read to check per request.
	MaxFetched = 200
	// RelevanceWindow is how many of the newest matches relevance ranks.
	RelevanceWindow = 100
	// roomConcurrency is how many rooms are read at once.
	roomConcurrency = 8
)

// Order of results.
const (
	OrderNewest    = "newest"
	OrderRelevance = "relevance"
)

// Request is one search over rooms the caller may read (the service
// authorizes them).
type Request struct {
	Query  Query
	Filter Filter
	Rooms  []string
	Cursor string
	Limit  int
	Order  string
}

// Result is one matching message.
type Result struct {
	Message chat.Message
	Match
}

// Page is a page of results and the cursor of the next ("" at the end).
type Page struct {
	Results []Result
	Next    string
}

type cursor struct {
	// Before is, per room, the seq the next page reads below (1: the room
	// is done); a room not in it starts from its newest.
	Before map[string]int64 `json:"b,omitempty"`
	// Offset is the relevance order's position.
	Offset int `json:"o,omitempty"`
}

func decodeCursor(s string) (cursor, error) {
	var c cursor
	if s == "" {
		return c, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil || c.Offset < 0 {
		return cursor{}, chat.Errorf(chat.Invalid, "search cursor is not one this server gave")
	}
	return c, nil
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// group is one condition the index is asked for: a posting of any of its
// terms (a word's stems, a prefix, the senders of from:).
type group struct {
	terms  []string
	prefix bool
}

// DrivingGroups are the index lookups of a query: its longest words (up to
// MaxDrivingWords), else its prefix, else one operator's pseudo-term. No
// group means the query cannot be answered from the index (only in: and
// dates): an invalid query.
func drivingGroups(q Query, f Filter) []group {
	var gs []group
	words := slices.Clone(q.Words)
	sort.SliceStable(words, func(i, j int) bool { return len(words[i].Text) > len(words[j].Text) })
	seen := map[string]bool{}
	for _, w := range words {
		if len(gs) == MaxDrivingWords {
			break
		}
		if seen[w.Text] {
			continue
		}
		seen[w.Text] = true
		gs = append(gs, group{terms: lookupStems(w)})
	}
	switch {
	case len(gs) > 0:
	case q.Prefix != "":
		gs = append(gs, group{terms: []string{q.Prefix}, prefix: true})
	case q.IsMention:
		gs = append(gs, group{terms: []string{TermMention(f.Me)}})
	case q.HasImage:
		gs = append(gs, group{terms: []string{TermImage}})
	case q.HasFile:
		gs = append(gs, group{terms: []string{TermFile}})
	case q.HasLink:
		gs = append(gs, group{terms: []string{TermLink}})
	case len(f.From) > 0:
		var ts []string
		for _, u := range f.From {
			ts = append(ts, TermFrom(u))
		}
		gs = append(gs, group{terms: ts})
	}
	return gs
}

// lookupStems are the stems of a query word the index is asked for: both,
// except a German stem that is the word itself ("deploying": the German
// stemmer left it alone, so it is not an inflected German form), which
// only finds words that share the English stem anyway but for rare
// coincidences; it halves the Queries of most English words.
func lookupStems(w Word) []string {
	if len(w.Stems) == 2 && w.Stems[1] == w.Text {
		return w.Stems[:1]
	}
	return w.Stems
}

// candidate is a message the index says may match.
type candidate struct {
	room string
	seq  int64
	at   time.Time
}

// roomHits are one room's candidates, newest first, exact down to floor
// (seq >= floor; 0: complete).
type roomHits struct {
	cands []candidate
	floor int64
	at    time.Time // createdAt of the floor posting
}

// Run answers a request.
func Run(ctx context.Context, idx Index, r Request) (Page, error) {
	c, err := decodeCursor(r.Cursor)
	if err != nil {
		return Page{}, err
	}
	gs := drivingGroups(r.Query, r.Filter)
	if len(gs) == 0 {
		return Page{}, chat.Errorf(chat.Invalid, "search query needs a word, from:, has: or is: besides in: and dates")
	}
	if r.Limit <= 0 || r.Limit > 50 {
		r.Limit = 20
	}
	relevance := r.Order == OrderRelevance
	rooms := make([]string, 0, len(r.Rooms))
	for _, room := range r.Rooms {
		if relevance || c.Before[room] != 1 {
			rooms = append(rooms, room)
		}
	}
	hits := make([]roomHits, len(rooms))
	errs := make([]error, len(rooms))
	sem := make(chan struct{}, roomConcurrency)
	var wg sync.WaitGroup
	for i, room := range rooms {
		before := c.Before[room]
		if relevance {
			before = 0
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			hits[i], errs[i] = readRoom(ctx, idx, room, gs, before, r)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return Page{}, err
		}
	}
	// Merge newest first. Below the newest floor of a room whose postings
	// were cut, that room's matches are unknown: stop there.
	var all []candidate
	var cutoff time.Time
	for _, h := range hits {
		all = append(all, h.cands...)
		if h.floor > 0 && h.at.After(cutoff) {
			cutoff = h.at
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if !all[i].at.Equal(all[j].at) {
			return all[i].at.After(all[j].at)
		}
		if all[i].room != all[j].room {
			return all[i].room < all[j].room
		}
		return all[i].seq > all[j].seq
	})
	if relevance {
		return rankByRelevance(ctx, idx, r, all, c.Offset)
	}
	consumed := map[string]int64{} // room -> lowest seq examined
	var results []Result
	stoppedAtCutoff := false
	fetched := 0
	for start := 0; start < len(all) && len(results) < r.Limit && fetched < MaxFetched; {
		// As many as are still missing: most candidates match.
		end := min(start+max(r.Limit-len(results), 5), len(all))
		chunk := all[start:end]
		for k, cd := range chunk {
			if cd.at.Before(cutoff) {
				chunk, stoppedAtCutoff = chunk[:k], true
				break
			}
		}
		if len(chunk) == 0 {
			break
		}
		msgs, err := fetch(ctx, idx, chunk)
		if err != nil {
			return Page{}, err
		}
		fetched += len(chunk)
		for _, cd := range chunk {
			consumed[cd.room] = cd.seq
			m, ok := msgs[cd]
			if !ok {
				continue
			}
			if mt, ok := MatchMessage(r.Query, r.Filter, m); ok {
				results = append(results, Result{Message: m, Match: mt})
				if len(results) == r.Limit {
					break
				}
			}
		}
		if stoppedAtCutoff {
			break
		}
		start = end
	}
	// The next cursor: per room, below what was examined; a room whose
	// candidates were all examined continues below its floor, or is done.
	next := cursor{Before: map[string]int64{}}
	more := false
	for i, room := range rooms {
		h := hits[i]
		last, examined := consumed[room]
		allDone := len(h.cands) == 0 || (examined && last == h.cands[len(h.cands)-1].seq)
		switch {
		case !allDone && examined:
			next.Before[room], more = last, true
		case !allDone:
			if b := c.Before[room]; b > 0 {
				next.Before[room] = b
			} else {
				delete(next.Before, room)
			}
			more = true
		case h.floor > 0:
			next.Before[room], more = h.floor, true
		default:
			next.Before[room] = 1
		}
	}
	for room, b := range c.Before {
		if b == 1 && slices.Contains(r.Rooms, room) {
			next.Before[room] = 1
		}
	}
	p := Page{Results: results}
	if results == nil {
		p.Results = []Result{}
	}
	if more {
		p.Next = next.encode()
	}
	return p, nil
}

// readRoom asks the index for every group in one room and intersects.
func readRoom(ctx context.Context, idx Index, room string, gs []group, before int64, r Request) (roomHits, error) {
	var h roomHits
	var sets []map[int64]time.Time
	for _, g := range gs {
		set := map[int64]time.Time{}
		for _, term := range g.terms {
			limit := TermReadLimit
			if g.prefix {
				limit = PrefixReadLimit
			}
			ps, more, err := idx.Postings(ctx, room, term, g.prefix, before, limit)
			if err != nil {
				return roomHits{}, err
			}
			for _, p := range ps {
				if before > 0 && p.Seq >= before {
					continue
				}
				set[p.Seq] = p.CreatedAt
			}
			if more && len(ps) > 0 && !g.prefix {
				low := ps[len(ps)-1]
				if low.Seq > h.floor {
					h.floor, h.at = low.Seq, low.CreatedAt
				}
			}
		}
		sets = append(sets, set)
	}
	for seq, at := range sets[0] {
		in := seq >= h.floor
		for _, s := range sets[1:] {
			if _, ok := s[seq]; !ok {
				in = false
				break
			}
		}
		// Dates can be judged on the posting already.
		if in && (r.Query.After.IsZero() || !at.Before(r.Query.After)) && (r.Query.Before.IsZero() || at.Before(r.Query.Before)) {
			h.cands = append(h.cands, candidate{room: room, seq: seq, at: at})
		}
	}
	sort.Slice(h.cands, func(i, j int) bool { return h.cands[i].seq > h.cands[j].seq })
	return h, nil
}

func fetch(ctx context.Context, idx Index, cands []candidate) (map[candidate]chat.Message, error) {
	keys := make([]MessageKey, len(cands))
	byKey := make(map[MessageKey]candidate, len(cands))
	for i, cd := range cands {
		keys[i] = MessageKey{RoomID: cd.room, Seq: cd.seq}
		byKey[keys[i]] = cd
	}
	msgs, err := idx.Messages(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make(map[candidate]chat.Message, len(msgs))
	for _, m := range msgs {
		if cd, ok := byKey[MessageKey{RoomID: m.RoomID, Seq: m.Seq}]; ok {
			out[cd] = m
		}
	}
	return out, nil
}

func rankByRelevance(ctx context.Context, idx Index, r Request, all []candidate, offset int) (Page, error) {
	var ranked []Result
	for start := 0; start < len(all) && len(ranked) < RelevanceWindow && start < MaxFetched; start += 50 {
		chunk := all[start:min(start+50, len(all))]
		msgs, err := fetch(ctx, idx, chunk)
		if err != nil {
			return Page{}, err
		}
		for _, cd := range chunk {
			if m, ok := msgs[cd]; ok {
				if mt, ok := MatchMessage(r.Query, r.Filter, m); ok && len(ranked) < RelevanceWindow {
					ranked = append(ranked, Result{Message: m, Match: mt})
				}
			}
		}
	}
	sort.SliceStable(ranked, func(i, j int) bool { return ranked[i].Score > ranked[j].Score })
	p := Page{Results: []Result{}}
	if offset < len(ranked) {
		p.Results = ranked[offset:min(offset+r.Limit, len(ranked))]
	}
	if end := offset + r.Limit; end < len(ranked) {
		p.Next = cursor{Offset: end}.encode()
	}
	return p, nil
}
