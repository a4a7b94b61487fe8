package dynamo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/analytics"
)

// Usage analytics (issue 16, internal/analytics). Items:
//
//	ANX#<yyyy-mm>  <day>#R#<roomId>  one room's day: counters and the set of
//	                                 its senders' pseudonyms
//	ANX#<yyyy-mm>  <day>#TOTAL       the day's connections, connection
//	                                 seconds and the pseudonyms of everyone
//	                                 active (senders and connectors)
//	ANXRUN#<seq>   RUN | END         the markers of an applied run of stream
//	                                 records, under its first (RUN) and its
//	                                 last (END) sequence number, kept 3
//	                                 days: a redelivery is refused
//
// A month is one partition, so a 90-day range is 4 Queries. Aggregates
// expire 400 days after their day (analytics.TTL); no item holds text.
const (
	prefixAnalytics    = "ANX#"
	prefixAnalyticsRun = "ANXRUN#"
	skAnalyticsRun     = "RUN"
	skAnalyticsRunEnd  = "END"
	skAnalyticsTotal   = "TOTAL"
	analyticsRunTTL    = 72 * time.Hour
)

// KindConnection is the connection item, which makes no domain event but
// whose INSERT and REMOVE the analytics consumer counts.
const KindConnection = "connection"

// AnalyticsSourceKeys are the items besides EventSourceKeys whose inserts
// and removals the stream's event source mapping passes on for analytics
// (infra/chatstack: one more filter, on eventName INSERT and REMOVE).
var AnalyticsSourceKeys = []StreamKeyRule{{Kind: KindConnection, PKPrefix: prefixConn, SK: skMeta}}

func analyticsPK(day string) string           { return prefixAnalytics + day[:7] }
func analyticsRoomSK(day, room string) string { return day + "#R#" + room }
func analyticsTotalSK(day string) string      { return day + "#" + skAnalyticsTotal }
func analyticsExpiry(day string) int64 {
	t, _ := time.Parse(time.DateOnly, day)
	return t.Add(analytics.TTL).Unix()
}

type analyticsItem struct {
	PK          string   `dynamo:"pk"`
	SK          string   `dynamo:"sk"`
	Day         string   `dynamo:"day"`
	RoomID      string   `dynamo:"roomId,omitempty"`
	Messages    int64    `dynamo:"messages,omitempty"`
	Files       int64    `dynamo:"files,omitempty"`
	FileBytes   int64    `dynamo:"fileBytes,omitempty"`
	Members     int64    `dynamo:"members,omitempty"`
	WriteUnits  int64    `dynamo:"wu,omitempty"`
	ReadUnits2  int64    `dynamo:"ru2,omitempty"`
	APIMessages int64    `dynamo:"apigw,omitempty"`
	Senders     []string `dynamo:"senders,set,omitempty"`
	Connections int64    `dynamo:"connections,omitempty"`
	ConnSeconds int64    `dynamo:"connSeconds,omitempty"`
	People      []string `dynamo:"people,set,omitempty"`
}

type analyticsRunItem struct {
	PK    string `dynamo:"pk"`
	SK    string `dynamo:"sk"`
	First string `dynamo:"first"`
	Last  string `dynamo:"last"`
	TTL   int64  `dynamo:"ttl"`
}

// ApplyAnalytics implements analytics.Store: one transaction of the run's
// two markers (refused if either is there) and one ADD update per
// aggregate item.
func (s *Store) ApplyAnalytics(ctx context.Context, first, last string, d analytics.Delta) error {
	ctx = withOp(ctx, "ApplyAnalytics")
	if d.Items() > analytics.MaxItems {
		return fmt.Errorf("dynamo: analytics run of %d items (at most %d)", d.Items(), analytics.MaxItems)
	}
	tx := s.db.WriteTx()
	ttl := s.now().Add(analyticsRunTTL).Unix()
	tx.Put(s.table.Put(analyticsRunItem{PK: prefixAnalyticsRun + first, SK: skAnalyticsRun, First: first, Last: last, TTL: ttl}).
		If("attribute_not_exists($)", AttrPK))
	tx.Put(s.table.Put(analyticsRunItem{PK: prefixAnalyticsRun + last, SK: skAnalyticsRunEnd, First: first, Last: last, TTL: ttl}).
		If("attribute_not_exists($)", AttrPK))
	add := func(u *gdynamo.Update, name string, n int64) {
		if n != 0 {
			u.Add(name, n)
		}
	}
	for _, r := range d.Rooms {
		u := s.table.Update(AttrPK, analyticsPK(r.Day)).Range(AttrSK, analyticsRoomSK(r.Day, r.RoomID)).
			Set("day", r.Day).Set("roomId", r.RoomID).Set(AttrTTL, analyticsExpiry(r.Day))
		add(u, "messages", r.Messages)
		add(u, "files", r.Files)
		add(u, "fileBytes", r.FileBytes)
		add(u, "members", r.Members)
		add(u, "wu", r.WriteUnits)
		add(u, "ru2", r.ReadUnits2)
		add(u, "apigw", r.APIMessages)
		if len(r.Senders) > 0 {
			u.AddStringsToSet("senders", r.Senders...)
		}
		tx.Update(u)
	}
	for _, t := range d.Days {
		u := s.table.Update(AttrPK, analyticsPK(t.Day)).Range(AttrSK, analyticsTotalSK(t.Day)).
			Set("day", t.Day).Set(AttrTTL, analyticsExpiry(t.Day))
		add(u, "connections", t.Connections)
		add(u, "connSeconds", t.ConnSeconds)
		if len(t.People) > 0 {
			u.AddStringsToSet("people", t.People...)
		}
		tx.Update(u)
	}
	err := tx.Run(ctx)
	if err == nil {
		return nil
	}
	// Refused: was it a marker (a redelivery)?
	var runs []analyticsRunItem
	if gerr := s.table.Batch(AttrPK, AttrSK).Get(
		gdynamo.Keys{prefixAnalyticsRun + first, skAnalyticsRun}, gdynamo.Keys{prefixAnalyticsRun + last, skAnalyticsRunEnd},
	).Consistent(true).All(ctx, &runs); gerr == nil && len(runs) > 0 {
		return &analytics.AppliedError{First: runs[0].First, Last: runs[0].Last}
	}
	return fmt.Errorf("dynamo: apply analytics: %w", err)
}

// RoomMemberCounts implements analytics.Store (eventually consistent: an
// estimate's input).
func (s *Store) RoomMemberCounts(ctx context.Context, roomIDs []string) (map[string]int64, error) {
	ctx = withOp(ctx, "RoomMemberCounts")
	counts := map[string]int64{}
	for start := 0; start < len(roomIDs); start += 100 {
		var keys []gdynamo.Keyed
		for _, id := range roomIDs[start:min(start+100, len(roomIDs))] {
			keys = append(keys, gdynamo.Keys{roomPK(id), skMeta})
		}
		var rows []roomItem
		if err := s.table.Batch(AttrPK, AttrSK).Get(keys...).Project("roomId", "memberCount").All(ctx, &rows); err != nil && !isNotFound(err) {
			return nil, fmt.Errorf("dynamo: room member counts: %w", err)
		}
		for _, r := range rows {
			counts[r.RoomID] = int64(r.MemberCount)
		}
	}
	return counts, nil
}

// analyticsMonths are the month partitions of days from..to.
func analyticsMonths(from, to string) ([]string, error) {
	a, err := time.Parse(time.DateOnly, from)
	if err != nil {
		return nil, fmt.Errorf("dynamo: analytics from: %w", err)
	}
	b, err := time.Parse(time.DateOnly, to)
	if err != nil {
		return nil, fmt.Errorf("dynamo: analytics to: %w", err)
	}
	var months []string
	for m := time.Date(a.Year(), a.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(b); m = m.AddDate(0, 1, 0) {
		months = append(months, m.Format("2006-01"))
	}
	return months, nil
}

// AnalyticsRange reads the aggregates of days from..to (YYYY-MM-DD).
func (s *Store) AnalyticsRange(ctx context.Context, from, to string) (analytics.Stored, error) {
	ctx = withOp(ctx, "AnalyticsRange")
	months, err := analyticsMonths(from, to)
	if err != nil {
		return analytics.Stored{}, err
	}
	var st analytics.Stored
	for _, m := range months {
		var rows []analyticsItem
		err := s.table.Get(AttrPK, prefixAnalytics+m).Range(AttrSK, gdynamo.Between, from, to+"~").All(ctx, &rows)
		if err != nil && !isNotFound(err) {
			return analytics.Stored{}, fmt.Errorf("dynamo: analytics %s: %w", m, err)
		}
		for _, it := range rows {
			if strings.HasSuffix(it.SK, "#"+skAnalyticsTotal) {
				st.Days = append(st.Days, analytics.DayTotal{Day: it.Day, Connections: it.Connections, ConnSeconds: it.ConnSeconds, People: it.People})
				continue
			}
			st.Rooms = append(st.Rooms, analytics.RoomDay{
				Day: it.Day, RoomID: it.RoomID, Messages: it.Messages, Files: it.Files, FileBytes: it.FileBytes,
				Members: it.Members, WriteUnits: it.WriteUnits, ReadUnits2: it.ReadUnits2, APIMessages: it.APIMessages,
				Senders: it.Senders,
			})
		}
	}
	return st, nil
}

// analyticsHits are the aggregate items of the last 400 days holding
// userID's pseudonym.
func (s *Store) analyticsHits(ctx context.Context, userID string) ([]analyticsItem, error) {
	now := s.now().UTC()
	months, err := analyticsMonths(analytics.Day(now.Add(-analytics.TTL)), analytics.Day(now))
	if err != nil {
		return nil, err
	}
	p := analytics.Pseudonym(userID)
	var hits []analyticsItem
	for _, m := range months {
		var rows []analyticsItem
		err := s.table.Get(AttrPK, prefixAnalytics+m).Filter("contains($, ?) OR contains($, ?)", "senders", p, "people", p).
			Project(AttrPK, AttrSK, "day", "roomId").Consistent(true).All(ctx, &rows)
		if err != nil && !isNotFound(err) {
			return nil, fmt.Errorf("dynamo: analytics of a person: %w", err)
		}
		hits = append(hits, rows...)
	}
	return hits, nil
}

// AnalyticsDaysOf is what the aggregates hold of userID (for export): the
// days they were counted active, and the rooms they sent in on each.
func (s *Store) AnalyticsDaysOf(ctx context.Context, userID string) (map[string][]string, error) {
	hits, err := s.analyticsHits(withOp(ctx, "AnalyticsDaysOf"), userID)
	if err != nil {
		return nil, err
	}
	days := map[string][]string{}
	for _, h := range hits {
		if h.RoomID == "" {
			if days[h.Day] == nil {
				days[h.Day] = []string{}
			}
			continue
		}
		days[h.Day] = append(days[h.Day], h.RoomID)
	}
	return days, nil
}

// EraseAnalyticsPerson removes userID's pseudonym from every aggregate
// (erasure): the counts of past days keep the person as "someone", no
// longer as them. It returns how many items it changed.
func (s *Store) EraseAnalyticsPerson(ctx context.Context, userID string) (int, error) {
	ctx = withOp(ctx, "EraseAnalyticsPerson")
	hits, err := s.analyticsHits(ctx, userID)
	if err != nil {
		return 0, err
	}
	p := analytics.Pseudonym(userID)
	for _, h := range hits {
		err := s.table.Update(AttrPK, h.PK).Range(AttrSK, h.SK).
			DeleteStringsFromSet("senders", p).DeleteStringsFromSet("people", p).Run(ctx)
		if err != nil {
			return 0, fmt.Errorf("dynamo: erase analytics: %w", err)
		}
	}
	return len(hits), nil
}

// DecodeAnalyticsRecord is the activity a stream record shows (the
// analytics.Decoder): a stored message (not a system line), a new member,
// a connection opened or removed. A connection that expired by TTL (its
// $disconnect never ran) ended at its expiry at the latest.
func DecodeAnalyticsRecord(rec events.DynamoDBEventRecord) (analytics.Fact, bool, error) {
	pk, sk, err := streamKeys(rec)
	if err != nil {
		return analytics.Fact{}, false, err
	}
	kind := EventSourceKind(pk, sk)
	if kind == "" && AnalyticsSourceKeys[0].Match(pk, sk) {
		kind = KindConnection
	}
	switch {
	case kind == KindMessage && rec.EventName == streamInsert && !isTTLExpiry(rec):
		var n messageItem
		if err := unmarshalImage(rec, "NewImage", rec.Change.NewImage, &n); err != nil {
			return analytics.Fact{}, false, err
		}
		if n.System != nil {
			return analytics.Fact{}, false, nil
		}
		f := analytics.Fact{Kind: analytics.Message, At: n.CreatedAt.UTC(), RoomID: n.RoomID, UserID: n.SenderID,
			Files: len(n.Attachments), ItemBytes: imageSize(rec.Change.NewImage)}
		for _, a := range n.Attachments {
			f.FileBytes += a.Size
		}
		return f, true, nil
	case kind == KindMember && rec.EventName == streamInsert:
		var n memberItem
		if err := unmarshalImage(rec, "NewImage", rec.Change.NewImage, &n); err != nil {
			return analytics.Fact{}, false, err
		}
		return analytics.Fact{Kind: analytics.Joined, At: n.JoinedAt.UTC(), RoomID: n.RoomID, UserID: n.UserID}, true, nil
	case kind == KindConnection && rec.EventName == streamInsert:
		var n connItem
		if err := unmarshalImage(rec, "NewImage", rec.Change.NewImage, &n); err != nil {
			return analytics.Fact{}, false, err
		}
		return analytics.Fact{Kind: analytics.Connected, At: n.ConnectedAt.UTC(), UserID: n.UserID}, true, nil
	case kind == KindConnection && rec.EventName == streamRemove:
		var o connItem
		if err := unmarshalImage(rec, "OldImage", rec.Change.OldImage, &o); err != nil {
			return analytics.Fact{}, false, err
		}
		end := rec.Change.ApproximateCreationDateTime.UTC()
		if isTTLExpiry(rec) && o.TTL > 0 && time.Unix(o.TTL, 0).Before(end) {
			end = time.Unix(o.TTL, 0).UTC()
		}
		d := max(end.Sub(o.ConnectedAt), 0)
		return analytics.Fact{Kind: analytics.Disconnected, At: end, UserID: o.UserID, Duration: d}, true, nil
	}
	return analytics.Fact{}, false, nil
}

// imageSize is DynamoDB's size of an item image: attribute names plus
// values (numbers counted as their digits, close enough for units).
func imageSize(m map[string]events.DynamoDBAttributeValue) int {
	n := 0
	for k, v := range m {
		n += len(k) + avSize(v)
	}
	return n
}

func avSize(v events.DynamoDBAttributeValue) int {
	switch v.DataType() {
	case events.DataTypeString:
		return len(v.String())
	case events.DataTypeNumber:
		return len(v.Number())/2 + 1
	case events.DataTypeBinary:
		return len(v.Binary())
	case events.DataTypeBoolean, events.DataTypeNull:
		return 1
	case events.DataTypeStringSet:
		n := 0
		for _, s := range v.StringSet() {
			n += len(s)
		}
		return n
	case events.DataTypeNumberSet:
		return 8 * len(v.NumberSet())
	case events.DataTypeList:
		n := 3
		for _, e := range v.List() {
			n += 1 + avSize(e)
		}
		return n
	case events.DataTypeMap:
		return 3 + imageSize(v.Map())
	}
	return 0
}
