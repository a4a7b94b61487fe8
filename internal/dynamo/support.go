package dynamo

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Customer support (issue 17; chat/support.go). Items:
//   - a team: pk SUPTEAM#<teamId>, sk META, in gsi1 partition SUPTEAMS
//     (ListSupportTeams, by name); the team as JSON in data.
//   - an agent's status: pk USER#<userId>, sk AGENT: availability,
//     capacity, open (the conversations assigned and not closed, counted
//     with a conditional ADD: AssignAgent) and lastAssignedAt (the
//     round-robin's order).
//   - a conversation: pk ROOM#<roomId>, sk META#SUPPORT, so GetRoom's one
//     Query (sk begins with META) reads it with the room; in gsi1
//     partition SUPQ#<teamId>#<state>, sorted by when it entered the state
//     (ListSupportQueue); the visitor in visitorId; the conversation as
//     JSON in data, under the optimistic lock ver.
//   - a canned answer: pk CANNED#<id>, sk META, in gsi1 partition CANNED
//     (by shortcut); its shortcut's claim pk CANNEDKEY#<teamId>#<shortcut>
//     (one answer per shortcut and team).
//
// The room of a conversation is an ordinary room (kind support: no name
// claim, not in the public rooms' index) with its counter and the
// visitor's membership, written with the conversation in one transaction.

const (
	prefixSupTeam   = "SUPTEAM#"
	prefixSupQueue  = "SUPQ#"
	prefixCanned    = "CANNED#"
	prefixCannedKey = "CANNEDKEY#"
	gsiSupTeams     = "SUPTEAMS"
	gsiCanned       = "CANNED"
	skAgent         = "AGENT"
	// skSupportConv begins with META: GetRoom reads it with the room.
	skSupportConv = skMeta + "#SUPPORT"
)

var _ chat.SupportStore = (*Store)(nil)

type supTeamItem struct {
	PK     string `dynamo:"pk"`
	SK     string `dynamo:"sk"`
	GSI1PK string `dynamo:"gsi1pk"`
	GSI1SK string `dynamo:"gsi1sk"`
	Data   string `dynamo:"data"`
}

type agentItem struct {
	PK             string    `dynamo:"pk"`
	SK             string    `dynamo:"sk"`
	Availability   string    `dynamo:"availability"`
	Capacity       int       `dynamo:"capacity"`
	Open           int       `dynamo:"open"`
	LastAssignedAt time.Time `dynamo:"lastAssignedAt,omitempty"`
	UpdatedAt      time.Time `dynamo:"updatedAt,omitempty"`
}

type supConvItem struct {
	PK        string `dynamo:"pk"`
	SK        string `dynamo:"sk"`
	GSI1PK    string `dynamo:"gsi1pk"`
	GSI1SK    string `dynamo:"gsi1sk"`
	VisitorID string `dynamo:"visitorId"`
	Data      string `dynamo:"data"`
	Ver       int64  `dynamo:"ver"`
	TTL       int64  `dynamo:"ttl,omitempty"`
	// LMA is lastMessageAt (Unix ms), kept outside data and the lock
	// (TouchSupportConversation).
	LMA int64 `dynamo:"lma,omitempty"`
}

type cannedItem struct {
	PK     string `dynamo:"pk"`
	SK     string `dynamo:"sk"`
	GSI1PK string `dynamo:"gsi1pk"`
	GSI1SK string `dynamo:"gsi1sk"`
	Data   string `dynamo:"data"`
}

type cannedKeyItem struct {
	PK string `dynamo:"pk"`
	SK string `dynamo:"sk"`
	ID string `dynamo:"id"`
}

func supQueuePK(teamID, state string) string { return prefixSupQueue + teamID + "#" + state }

// stateAt is when the conversation entered its state: the queue's order.
func stateAt(c chat.SupportConversation) time.Time {
	switch {
	case c.State == chat.SupportClosed && !c.ClosedAt.IsZero():
		return c.ClosedAt
	case c.State == chat.SupportOpen && !c.AssignedAt.IsZero():
		return c.AssignedAt
	case c.State == chat.SupportQueued && !c.QueuedAt.IsZero():
		return c.QueuedAt
	}
	return c.CreatedAt
}

func newSupConvItem(c chat.SupportConversation) (supConvItem, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return supConvItem{}, internal(err, "encode conversation")
	}
	it := supConvItem{
		PK: roomPK(c.RoomID), SK: skSupportConv,
		GSI1PK: supQueuePK(c.TeamID, c.State), GSI1SK: utc(stateAt(c)).Format(time.RFC3339Nano) + "#" + c.RoomID,
		VisitorID: c.Visitor.ID, Data: string(b), Ver: c.Version,
	}
	if !c.LastMessageAt.IsZero() {
		it.LMA = c.LastMessageAt.UnixMilli()
	}
	if !c.ExpiresAt.IsZero() {
		it.TTL = c.ExpiresAt.Unix()
	}
	return it, nil
}

func (it supConvItem) conversation() (chat.SupportConversation, error) {
	var c chat.SupportConversation
	if err := json.Unmarshal([]byte(it.Data), &c); err != nil {
		return chat.SupportConversation{}, internal(err, "decode conversation")
	}
	c.Version = it.Ver
	if lma := time.UnixMilli(it.LMA).UTC(); it.LMA > 0 && lma.After(c.LastMessageAt) {
		c.LastMessageAt = lma
	}
	if it.TTL > 0 {
		c.ExpiresAt = time.Unix(it.TTL, 0).UTC()
	}
	return c, nil
}

func (s *Store) PutSupportTeam(ctx context.Context, t chat.SupportTeam) error {
	ctx = withOp(ctx, "PutSupportTeam")
	if t.ID == "" {
		return chat.Errorf(chat.Invalid, "team needs an id")
	}
	b, err := json.Marshal(t)
	if err != nil {
		return internal(err, "encode team")
	}
	it := supTeamItem{PK: prefixSupTeam + t.ID, SK: skMeta, GSI1PK: gsiSupTeams, GSI1SK: strings.ToLower(t.Name) + "#" + t.ID, Data: string(b)}
	if err := s.table.Put(it).Run(ctx); err != nil {
		return internal(err, "put team")
	}
	return nil
}

func decodeTeam(it supTeamItem) (chat.SupportTeam, error) {
	var t chat.SupportTeam
	if err := json.Unmarshal([]byte(it.Data), &t); err != nil {
		return chat.SupportTeam{}, internal(err, "decode team")
	}
	return t, nil
}

func (s *Store) GetSupportTeam(ctx context.Context, id string) (chat.SupportTeam, error) {
	ctx = withOp(ctx, "GetSupportTeam")
	if id == "" {
		return chat.SupportTeam{}, chat.Errorf(chat.NotFound, "team not found")
	}
	var it supTeamItem
	err := s.table.Get(AttrPK, prefixSupTeam+id).Range(AttrSK, gdynamo.Equal, skMeta).One(ctx, &it)
	if isNotFound(err) {
		return chat.SupportTeam{}, chat.Errorf(chat.NotFound, "team not found")
	}
	if err != nil {
		return chat.SupportTeam{}, internal(err, "get team")
	}
	return decodeTeam(it)
}

// ListSupportTeams: one Query of gsi1 partition SUPTEAMS, by name.
func (s *Store) ListSupportTeams(ctx context.Context) ([]chat.SupportTeam, error) {
	ctx = withOp(ctx, "ListSupportTeams")
	var items []supTeamItem
	err := s.table.Get(AttrGSI1PK, gsiSupTeams).Index(IndexGSI1).All(ctx, &items)
	if err != nil && !isNotFound(err) {
		return nil, internal(err, "list teams")
	}
	out := make([]chat.SupportTeam, 0, len(items))
	for _, it := range items {
		t, err := decodeTeam(it)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func (s *Store) DeleteSupportTeam(ctx context.Context, id string) error {
	ctx = withOp(ctx, "DeleteSupportTeam")
	err := s.table.Delete(AttrPK, prefixSupTeam+id).Range(AttrSK, skMeta).If("attribute_exists($)", AttrPK).Run(ctx)
	if isCondFailed(err) {
		return chat.Errorf(chat.NotFound, "team not found")
	}
	if err != nil {
		return internal(err, "delete team")
	}
	return nil
}

func (it agentItem) status(userID string) chat.AgentStatus {
	if it.Availability == "" {
		it.Availability = chat.AgentAway
	}
	return chat.AgentStatus{UserID: userID, Availability: it.Availability, Capacity: it.Capacity, Open: it.Open,
		LastAssignedAt: it.LastAssignedAt, UpdatedAt: it.UpdatedAt}
}

func (s *Store) GetAgentStatus(ctx context.Context, userID string) (chat.AgentStatus, error) {
	ctx = withOp(ctx, "GetAgentStatus")
	var it agentItem
	err := s.table.Get(AttrPK, userPK(userID)).Range(AttrSK, gdynamo.Equal, skAgent).Consistent(true).One(ctx, &it)
	if isNotFound(err) {
		return chat.AgentStatus{UserID: userID, Availability: chat.AgentAway}, nil
	}
	if err != nil {
		return chat.AgentStatus{}, internal(err, "get agent status")
	}
	return it.status(userID), nil
}

// SetAgentAvailability: one UpdateItem (the open count untouched).
func (s *Store) SetAgentAvailability(ctx context.Context, userID, availability string, capacity int, at time.Time) (chat.AgentStatus, error) {
	ctx = withOp(ctx, "SetAgentAvailability")
	u := s.table.Update(AttrPK, userPK(userID)).Range(AttrSK, skAgent).
		Set("availability", availability).Set("updatedAt", utc(at))
	if capacity >= 0 {
		u = u.Set("capacity", capacity)
	}
	var it agentItem
	if err := u.Value(ctx, &it); err != nil {
		return chat.AgentStatus{}, internal(err, "set agent status")
	}
	return it.status(userID), nil
}

// AssignAgent: one conditional UpdateItem (ADD open 1 while online and
// under the limit).
func (s *Store) AssignAgent(ctx context.Context, userID string, limit int, at time.Time) (chat.AgentStatus, error) {
	ctx = withOp(ctx, "AssignAgent")
	u := s.table.Update(AttrPK, userPK(userID)).Range(AttrSK, skAgent).Add("open", 1).Set("lastAssignedAt", utc(at))
	if limit >= 0 {
		u = u.If("$ = ? AND (attribute_not_exists($) OR $ < ?)", "availability", chat.AgentOnline, "open", "open", limit)
	}
	var it agentItem
	err := u.Value(ctx, &it)
	if isCondFailed(err) {
		return chat.AgentStatus{}, chat.Errorf(chat.Conflict, "the agent is not available")
	}
	if err != nil {
		return chat.AgentStatus{}, internal(err, "assign agent")
	}
	return it.status(userID), nil
}

// ReleaseAgent: ADD open -1 while above 0.
func (s *Store) ReleaseAgent(ctx context.Context, userID string) error {
	ctx = withOp(ctx, "ReleaseAgent")
	err := s.table.Update(AttrPK, userPK(userID)).Range(AttrSK, skAgent).Add("open", -1).If("$ > ?", "open", 0).Run(ctx)
	if err != nil && !isCondFailed(err) {
		return internal(err, "release agent")
	}
	return nil
}

// CreateSupportConversation: the room, its counter, the visitor's
// membership and the conversation in one transaction.
func (s *Store) CreateSupportConversation(ctx context.Context, room chat.Room, conv chat.SupportConversation, visitor chat.Member) error {
	ctx = withOp(ctx, "CreateSupportConversation")
	if room.ID == "" || room.Kind != chat.KindSupport || conv.RoomID != room.ID || visitor.RoomID != room.ID {
		return chat.Errorf(chat.Invalid, "a support conversation needs its support room and visitor")
	}
	room.MemberCount = 1
	conv.Version = 1
	ci, err := newSupConvItem(conv)
	if err != nil {
		return err
	}
	tx := s.db.WriteTx().
		Put(s.table.Put(newRoomItem(room)).If("attribute_not_exists($)", AttrPK)).
		Put(s.table.Put(roomSeqItem{PK: roomPK(room.ID), SK: skRoomSeq}).If("attribute_not_exists($)", AttrPK)).
		Put(s.table.Put(newMemberItem(visitor)).If("attribute_not_exists($)", AttrPK)).
		Put(s.table.Put(ci).If("attribute_not_exists($)", AttrPK))
	err = retryConflicts(ctx, func() error { return tx.Run(ctx) })
	if isCondFailed(err) {
		return chat.Errorf(chat.Conflict, "room %s exists", room.ID)
	}
	if err != nil {
		return internal(err, "create support conversation")
	}
	return nil
}

func (s *Store) GetSupportConversation(ctx context.Context, roomID string) (chat.SupportConversation, error) {
	ctx = withOp(ctx, "GetSupportConversation")
	var it supConvItem
	err := s.table.Get(AttrPK, roomPK(roomID)).Range(AttrSK, gdynamo.Equal, skSupportConv).Consistent(true).One(ctx, &it)
	if isNotFound(err) {
		return chat.SupportConversation{}, chat.Errorf(chat.NotFound, "room not found")
	}
	if err != nil {
		return chat.SupportConversation{}, internal(err, "get conversation")
	}
	return it.conversation()
}

// UpdateSupportConversation: one conditional PutItem on the version.
func (s *Store) UpdateSupportConversation(ctx context.Context, conv chat.SupportConversation) (chat.SupportConversation, error) {
	ctx = withOp(ctx, "UpdateSupportConversation")
	old := conv.Version
	conv.Version++
	it, err := newSupConvItem(conv)
	if err != nil {
		return chat.SupportConversation{}, err
	}
	err = s.table.Put(it).If("ver = ?", old).Run(ctx)
	if isCondFailed(err) {
		if _, gerr := s.GetSupportConversation(ctx, conv.RoomID); chat.ErrorCode(gerr) == chat.NotFound {
			return chat.SupportConversation{}, gerr
		}
		return chat.SupportConversation{}, chat.Errorf(chat.Conflict, "the conversation changed meanwhile: try again")
	}
	if err != nil {
		return chat.SupportConversation{}, internal(err, "update conversation")
	}
	return conv, nil
}

// TouchSupportConversation: one UpdateItem of lma (only forwards), the
// lock untouched.
func (s *Store) TouchSupportConversation(ctx context.Context, roomID string, at time.Time) (chat.SupportConversation, error) {
	ctx = withOp(ctx, "TouchSupportConversation")
	ms := at.UnixMilli()
	var it supConvItem
	err := s.table.Update(AttrPK, roomPK(roomID)).Range(AttrSK, skSupportConv).Set("lma", ms).
		If("attribute_exists($) AND (attribute_not_exists(lma) OR lma < ?)", AttrPK, ms).Value(ctx, &it)
	if isCondFailed(err) {
		return s.GetSupportConversation(ctx, roomID) // gone (NotFound) or newer already
	}
	if err != nil {
		return chat.SupportConversation{}, internal(err, "touch conversation")
	}
	return it.conversation()
}

// ListSupportQueue: one Query of gsi1 partition SUPQ#<teamId>#<state>,
// newest first (limit 0: all).
func (s *Store) ListSupportQueue(ctx context.Context, teamID, state string, limit int) ([]chat.SupportConversation, error) {
	ctx = withOp(ctx, "ListSupportQueue")
	q := s.table.Get(AttrGSI1PK, supQueuePK(teamID, state)).Index(IndexGSI1).Order(gdynamo.Descending)
	if limit > 0 {
		q = q.Limit(limit)
	}
	var items []supConvItem
	if err := q.All(ctx, &items); err != nil && !isNotFound(err) {
		return nil, internal(err, "list queue")
	}
	out := make([]chat.SupportConversation, 0, len(items))
	for _, it := range items {
		c, err := it.conversation()
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// ListVisitorConversations: the visitor's memberships (one gsi1 Query),
// then each room's conversation (one GetItem each), newest first.
func (s *Store) ListVisitorConversations(ctx context.Context, visitorID string, limit int) ([]chat.SupportConversation, error) {
	ctx = withOp(ctx, "ListVisitorConversations")
	ms, err := s.UserRooms(ctx, visitorID)
	if err != nil {
		return nil, err
	}
	out := []chat.SupportConversation{}
	for _, m := range ms {
		c, err := s.GetSupportConversation(ctx, m.RoomID)
		if chat.ErrorCode(err) == chat.NotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		if c.Visitor.ID == visitorID {
			out = append(out, c)
		}
	}
	sortNewest(out)
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func sortNewest(cs []chat.SupportConversation) {
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && cs[j].CreatedAt.After(cs[j-1].CreatedAt); j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
}

func cannedKeyPK(teamID, shortcut string) string { return prefixCannedKey + teamID + "#" + shortcut }

// PutCannedAnswer: the answer and its shortcut's claim (and the release
// of its old one) in one transaction; Conflict when the shortcut is
// another answer's.
func (s *Store) PutCannedAnswer(ctx context.Context, a chat.CannedAnswer) error {
	ctx = withOp(ctx, "PutCannedAnswer")
	b, err := json.Marshal(a)
	if err != nil {
		return internal(err, "encode canned answer")
	}
	old, oerr := s.GetCannedAnswer(ctx, a.ID)
	if oerr != nil && chat.ErrorCode(oerr) != chat.NotFound {
		return oerr
	}
	tx := s.db.WriteTx().
		Put(s.table.Put(cannedItem{PK: prefixCanned + a.ID, SK: skMeta, GSI1PK: gsiCanned, GSI1SK: a.Shortcut + "#" + a.ID, Data: string(b)})).
		Put(s.table.Put(cannedKeyItem{PK: cannedKeyPK(a.TeamID, a.Shortcut), SK: skMeta, ID: a.ID}).If("attribute_not_exists($) OR id = ?", AttrPK, a.ID))
	if oerr == nil && (old.TeamID != a.TeamID || old.Shortcut != a.Shortcut) {
		tx.Delete(s.table.Delete(AttrPK, cannedKeyPK(old.TeamID, old.Shortcut)).Range(AttrSK, skMeta).If("id = ?", a.ID))
	}
	err = retryConflicts(ctx, func() error { return tx.Run(ctx) })
	if isCondFailed(err) {
		return chat.Errorf(chat.Conflict, "the shortcut #%s is taken", a.Shortcut)
	}
	if err != nil {
		return internal(err, "put canned answer")
	}
	return nil
}

func decodeCanned(it cannedItem) (chat.CannedAnswer, error) {
	var a chat.CannedAnswer
	if err := json.Unmarshal([]byte(it.Data), &a); err != nil {
		return chat.CannedAnswer{}, internal(err, "decode canned answer")
	}
	return a, nil
}

func (s *Store) GetCannedAnswer(ctx context.Context, id string) (chat.CannedAnswer, error) {
	ctx = withOp(ctx, "GetCannedAnswer")
	if id == "" {
		return chat.CannedAnswer{}, chat.Errorf(chat.NotFound, "canned answer not found")
	}
	var it cannedItem
	err := s.table.Get(AttrPK, prefixCanned+id).Range(AttrSK, gdynamo.Equal, skMeta).Consistent(true).One(ctx, &it)
	if isNotFound(err) {
		return chat.CannedAnswer{}, chat.Errorf(chat.NotFound, "canned answer not found")
	}
	if err != nil {
		return chat.CannedAnswer{}, internal(err, "get canned answer")
	}
	return decodeCanned(it)
}

func (s *Store) DeleteCannedAnswer(ctx context.Context, id string) error {
	ctx = withOp(ctx, "DeleteCannedAnswer")
	a, err := s.GetCannedAnswer(ctx, id)
	if err != nil {
		return err
	}
	tx := s.db.WriteTx().
		Delete(s.table.Delete(AttrPK, prefixCanned+id).Range(AttrSK, skMeta)).
		Delete(s.table.Delete(AttrPK, cannedKeyPK(a.TeamID, a.Shortcut)).Range(AttrSK, skMeta).If("attribute_not_exists($) OR id = ?", AttrPK, id))
	if err := retryConflicts(ctx, func() error { return tx.Run(ctx) }); err != nil && !isCondFailed(err) {
		return internal(err, "delete canned answer")
	}
	return nil
}

// ListCannedAnswers: one Query of gsi1 partition CANNED, by shortcut.
func (s *Store) ListCannedAnswers(ctx context.Context) ([]chat.CannedAnswer, error) {
	ctx = withOp(ctx, "ListCannedAnswers")
	var items []cannedItem
	if err := s.table.Get(AttrGSI1PK, gsiCanned).Index(IndexGSI1).All(ctx, &items); err != nil && !isNotFound(err) {
		return nil, internal(err, "list canned answers")
	}
	out := make([]chat.CannedAnswer, 0, len(items))
	for _, it := range items {
		a, err := decodeCanned(it)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}
