package service

import (
	"context"
	"slices"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/search"
)

// SearchIndex is the read side of message search: the postings and
// messages (search.Index), and the lookups of from:@handle and
// in:#channel. internal/dynamo.Store implements it; the stream consumer
// search.Indexer writes the postings.
type SearchIndex interface {
	search.Index
	// UserIDByHandle is the holder of a normalised handle, "" if none.
	UserIDByHandle(ctx context.Context, handle string) (string, error)
	// RoomIDByName is the channel of a name, "" if none.
	RoomIDByName(ctx context.Context, name string) (string, error)
}

// Search bounds.
const (
	maxSearchRooms  = 100 // rooms named in one request
	maxSearchLimit  = 50
	searchPageLimit = 20
)

// Search finds messages in the caller's rooms. The rooms searched are
// those the caller is a member of now (the policy's ActSearch, asked per
// membership), narrowed by Rooms and in:; rooms it is not in are left out,
// exactly as rooms that do not exist, so nothing is learnt about them.
func (s *Chat) Search(ctx context.Context, c chat.Connection, r protocol.SearchRequest) (protocol.SearchResultsEvent, error) {
	q, err := search.Parse(r.Query)
	if err != nil {
		return protocol.SearchResultsEvent{}, err
	}
	switch r.Order {
	case "", search.OrderNewest, search.OrderRelevance:
	default:
		return protocol.SearchResultsEvent{}, chat.Errorf(chat.Invalid, "order must be newest or relevance, not %q", r.Order)
	}
	if len(r.Rooms) > maxSearchRooms {
		return protocol.SearchResultsEvent{}, chat.Errorf(chat.Invalid, "too many rooms: search at most %d at a time", maxSearchRooms)
	}
	for _, id := range r.Rooms {
		if err := checkRoomID(id); err != nil {
			return protocol.SearchResultsEvent{}, err
		}
	}
	limit := r.Limit
	switch {
	case limit <= 0:
		limit = searchPageLimit
	case limit > maxSearchLimit:
		limit = maxSearchLimit
	}
	if s.search == nil {
		return protocol.SearchResultsEvent{}, chat.Errorf(chat.Internal, "search is not configured")
	}
	f := search.Filter{Me: c.UserID}
	for _, h := range q.From {
		id, err := s.search.UserIDByHandle(ctx, chat.NormalizeHandle(h))
		if err != nil {
			return protocol.SearchResultsEvent{}, storeErr(err, "look up a handle")
		}
		if id == "" {
			return protocol.SearchResultsEvent{}, chat.Errorf(chat.Invalid, "from:@%s: nobody has that handle", h)
		}
		f.From = append(f.From, id)
	}
	rooms, err := s.searchRooms(ctx, c, r.Rooms, q.In)
	if err != nil {
		return protocol.SearchResultsEvent{}, err
	}
	ev := protocol.SearchResultsEvent{Head: protocol.Head{Type: protocol.EventSearchResults}, Results: []protocol.SearchResult{}}
	if len(rooms) == 0 {
		// Still check the query can be answered, so that an invalid one
		// is refused the same whatever the caller's rooms.
		_, err := search.Run(ctx, s.search, search.Request{Query: q, Filter: f, Cursor: r.Before, Order: r.Order})
		return ev, err
	}
	page, err := search.Run(ctx, s.search, search.Request{Query: q, Filter: f, Rooms: rooms, Cursor: r.Before, Limit: limit, Order: r.Order})
	if err != nil {
		if chat.ErrorCode(err) == chat.Invalid {
			return protocol.SearchResultsEvent{}, err
		}
		return protocol.SearchResultsEvent{}, storeErr(err, "search")
	}
	for _, res := range page.Results {
		m := res.Message
		hl := res.Highlights
		if hl == nil {
			hl = [][2]int{}
		}
		ev.Results = append(ev.Results, protocol.SearchResult{
			RoomID: m.RoomID, Seq: m.Seq, SenderID: m.SenderID, SenderName: m.SenderName,
			CreatedAt: m.CreatedAt, EditedAt: m.EditedAt, Text: res.Snippet, Highlights: hl,
			ParentSeq: m.ParentSeq, ToRoom: m.ToRoom,
		})
	}
	ev.Next = page.Next
	return ev, nil
}

// searchRooms are the rooms a search reads: the caller's memberships the
// policy allows, narrowed to asked (when given) and to in: (#channel by
// name, @handle as the direct room with that person).
func (s *Chat) searchRooms(ctx context.Context, c chat.Connection, asked, in []string) ([]string, error) {
	mine, err := s.store.UserRooms(ctx, c.UserID)
	if err != nil {
		return nil, storeErr(err, "list rooms")
	}
	var rooms []string
	for _, m := range mine {
		if chat.IsSupportRoomID(m.RoomID) {
			continue // support rooms stay out of the team chat's search (issue 17)
		}
		if chat.Authorize(chat.ActSearch, chat.Access{Groups: c.Groups, Role: m.Role, Room: chat.Room{ID: m.RoomID}}) == nil {
			rooms = append(rooms, m.RoomID)
		}
	}
	if len(asked) > 0 {
		rooms = slices.DeleteFunc(rooms, func(id string) bool { return !slices.Contains(asked, id) })
	}
	if len(in) > 0 {
		var named []string
		for _, x := range in {
			var id string
			switch x[0] {
			case '#':
				id, err = s.search.RoomIDByName(ctx, x[1:])
			case '@':
				var uid string
				uid, err = s.search.UserIDByHandle(ctx, chat.NormalizeHandle(x[1:]))
				if uid != "" {
					id = directRoomID(uniqueIDs(c.UserID, uid))
				}
			}
			if err != nil {
				return nil, storeErr(err, "look up "+x)
			}
			if id != "" {
				named = append(named, id)
			}
		}
		rooms = slices.DeleteFunc(rooms, func(id string) bool { return !slices.Contains(named, id) })
	}
	slices.Sort(rooms)
	return slices.Compact(rooms), nil
}

func uniqueIDs(ids ...string) []string {
	slices.Sort(ids)
	return slices.Compact(ids)
}
