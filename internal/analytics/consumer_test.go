package analytics_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/analytics"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/emf"
)

// memStore is the table's semantics in memory: ADD on counters, set
// union on the pseudonym sets, and the run marker's condition.
type memStore struct {
	rooms   map[[2]string]*analytics.RoomDay
	days    map[string]*analytics.DayTotal
	runs    map[string]string // first -> last
	ends    map[string]string // last -> first
	applies int
	fail    int // fail the n-th apply (1-based), once
}

func newMemStore() *memStore {
	return &memStore{rooms: map[[2]string]*analytics.RoomDay{}, days: map[string]*analytics.DayTotal{}, runs: map[string]string{}, ends: map[string]string{}}
}

func union(a, b []string) []string {
	for _, v := range b {
		if !slices.Contains(a, v) {
			a = append(a, v)
		}
	}
	return a
}

func (m *memStore) ApplyAnalytics(_ context.Context, first, last string, d analytics.Delta) error {
	if l, ok := m.runs[first]; ok {
		return &analytics.AppliedError{First: first, Last: l}
	}
	if f, ok := m.ends[last]; ok {
		return &analytics.AppliedError{First: f, Last: last}
	}
	m.applies++
	if m.applies == m.fail {
		return errors.New("throttled")
	}
	m.runs[first], m.ends[last] = last, first
	for _, r := range d.Rooms {
		k := [2]string{r.Day, r.RoomID}
		have := m.rooms[k]
		if have == nil {
			have = &analytics.RoomDay{Day: r.Day, RoomID: r.RoomID}
			m.rooms[k] = have
		}
		have.Messages += r.Messages
		have.Files += r.Files
		have.FileBytes += r.FileBytes
		have.Members += r.Members
		have.WriteUnits += r.WriteUnits
		have.ReadUnits2 += r.ReadUnits2
		have.APIMessages += r.APIMessages
		have.Senders = union(have.Senders, r.Senders)
	}
	for _, t := range d.Days {
		have := m.days[t.Day]
		if have == nil {
			have = &analytics.DayTotal{Day: t.Day}
			m.days[t.Day] = have
		}
		have.Connections += t.Connections
		have.ConnSeconds += t.ConnSeconds
		have.People = union(have.People, t.People)
	}
	return nil
}

func (m *memStore) RoomMemberCounts(_ context.Context, ids []string) (map[string]int64, error) {
	out := map[string]int64{}
	for _, id := range ids {
		out[id] = 2
	}
	return out, nil
}

func (m *memStore) stored() analytics.Stored {
	var st analytics.Stored
	for _, r := range m.rooms {
		st.Rooms = append(st.Rooms, *r)
	}
	for _, t := range m.days {
		st.Days = append(st.Days, *t)
	}
	return st
}

func dayRecords(t *testing.T) []events.DynamoDBEventRecord {
	t.Helper()
	b, err := os.ReadFile("testdata/day.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatal(err)
	}
	return ev.Records
}

const (
	ann    = "49310f49-792e-4823-b66d-b92f51f0925b"
	bob    = "fcdf5b78-89a2-474f-b45e-847792a2d2bd"
	dm     = "c_imQ4_N4GGsSHfPYd_DsQzQ"
	theDay = "2026-11-29"
)

func TestDecodeAnalyticsRecord(t *testing.T) {
	want := []struct {
		kind analytics.Kind
		room string
		user string
	}{
		{analytics.Joined, "general", ann},
		{analytics.Joined, "general", bob},
		{analytics.Joined, dm, ann},
		{analytics.Joined, dm, bob},
		{analytics.Connected, "", ann},
		{analytics.Connected, "", bob},
		{0, "", ""}, // the room's message counter
		{analytics.Message, dm, ann},
		{analytics.Message, dm, bob},
		{0, "", ""}, // a room rename
		{0, "", ""}, // a client-id claim
		{analytics.Disconnected, "", bob},
		{analytics.Disconnected, "", bob}, // by TTL
		{0, "", ""},                       // a membership removed by TTL
	}
	recs := dayRecords(t)
	if len(recs) != len(want) {
		t.Fatalf("%d records, want %d", len(recs), len(want))
	}
	for i, rec := range recs {
		f, ok, err := dynamo.DecodeAnalyticsRecord(rec)
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		w := want[i]
		if ok != (w.kind != 0) || f.Kind != w.kind || f.RoomID != w.room || f.UserID != w.user {
			t.Errorf("record %d (%s %s): got ok=%v %+v, want %+v", i, rec.EventName, rec.Change.Keys["pk"].String(), ok, f, w)
		}
	}
}

func consume(t *testing.T, st *memStore, recs []events.DynamoDBEventRecord) (int, error) {
	t.Helper()
	c := &analytics.Consumer{Store: st, Decode: dynamo.DecodeAnalyticsRecord}
	return c.ConsumeRecords(context.Background(), recs)
}

// checkDay checks every aggregate of the seeded day.
func checkDay(t *testing.T, st *memStore) {
	t.Helper()
	rep := analytics.Build(theDay, theDay, "", st.stored())
	d := rep.Days[0]
	want := analytics.DayRow{Day: theDay, Messages: 2, ActivePeople: 2, NewMembers: 4, Files: 2, FileBytes: 102048,
		Connections: 2, ConnectionMinutes: 10, CostUSD: d.CostUSD}
	if d != want {
		t.Errorf("day = %+v\nwant  %+v", d, want)
	}
	// 23:25:08.733 to 23:35:00 (591 s) and, expired by TTL, to its ttl
	// 1796005508 (10,799 s), the next day at 02:25:08.
	if got := st.days[theDay].ConnSeconds; got != 591 {
		t.Errorf("connection seconds %d", got)
	}
	if got := st.days["2026-11-30"]; got == nil || got.ConnSeconds != 10799 || got.Connections != 0 {
		t.Errorf("next day %+v", got)
	}
	r := st.rooms[[2]string{theDay, dm}]
	// 2 sends × (3 writes + a message item under 1 KB); 2 × 7.5 RCU; 2 sends + 2 × 2 members.
	if r.WriteUnits != 8 || r.ReadUnits2 != 30 || r.APIMessages != 6 {
		t.Errorf("cost drivers %+v", r)
	}
	wantCost := 8*analytics.USDPerWriteUnit + 15*analytics.USDPerReadUnit + 6*analytics.USDPerAPIMessage + 2*analytics.USDPerS3Put
	if diff := r.Cost() - wantCost; diff > 1e-12 || diff < -1e-12 {
		t.Errorf("cost %g, want %g", r.Cost(), wantCost)
	}
	rooms := rep.Rooms
	if len(rooms) != 2 || rooms[0].RoomID != dm || rooms[0].Messages != 2 || rooms[0].ActivePeople != 2 || rooms[0].NewMembers != 2 ||
		rooms[1].RoomID != "general" || rooms[1].Messages != 0 || rooms[1].NewMembers != 2 {
		t.Errorf("rooms %+v", rooms)
	}
	if rep.Totals.ActivePeople != 2 || len(rep.Weeks) != 1 || rep.Weeks[0] != (analytics.PeriodRow{Period: "2026-W48", ActivePeople: 2}) ||
		rep.Months[0] != (analytics.PeriodRow{Period: "2026-11", ActivePeople: 2}) {
		t.Errorf("periods %+v %+v %+v", rep.Totals, rep.Weeks, rep.Months)
	}
	for _, p := range append(slices.Clone(r.Senders), st.days[theDay].People...) {
		if p == ann || p == bob || len(p) != 12 {
			t.Errorf("a set holds %q, not a pseudonym", p)
		}
	}
}

func TestConsumerCountsADay(t *testing.T) {
	st := newMemStore()
	recs := dayRecords(t)
	if n, err := consume(t, st, recs); n != len(recs) || err != nil {
		t.Fatalf("consumed %d, %v", n, err)
	}
	checkDay(t, st)
	if st.applies != 1 {
		t.Errorf("%d transactions for one batch, want 1", st.applies)
	}
}

// TestRedelivery: however the stream redelivers, each record counts once.
func TestRedelivery(t *testing.T) {
	recs := dayRecords(t)
	for _, tc := range []struct {
		name     string
		maxItems int
		batches  [][2]int // [from, to) of recs, delivered in this order
	}{
		{"the same batch twice", 99, [][2]int{{0, 14}, {0, 14}}},
		{"bisected after the batch was applied", 99, [][2]int{{0, 14}, {0, 7}, {7, 14}}},
		{"bisected in runs of 2 items", 2, [][2]int{{0, 14}, {0, 7}, {7, 14}}},
		{"a longer batch after a shorter one", 99, [][2]int{{0, 7}, {0, 14}}},
		{"runs of 1 item, whole batch again", 1, [][2]int{{0, 14}, {0, 14}}},
		{"runs of 2 items, a timeout then a longer batch", 2, [][2]int{{0, 9}, {0, 14}, {0, 14}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer analytics.SetMaxItems(tc.maxItems)()
			st := newMemStore()
			for _, b := range tc.batches {
				if n, err := consume(t, st, recs[b[0]:b[1]]); err != nil || n != b[1]-b[0] {
					t.Fatalf("batch %v: %d, %v", b, n, err)
				}
			}
			checkDay(t, st)
		})
	}
}

// TestFailedRunIsRetriedFromItsStart: a failed transaction reports the
// run's first record; the retry from there counts the rest once.
func TestFailedRunIsRetriedFromItsStart(t *testing.T) {
	defer analytics.SetMaxItems(2)()
	recs := dayRecords(t)
	st := newMemStore()
	st.fail = 3
	n, err := consume(t, st, recs)
	if err == nil || n == 0 || n >= len(recs) {
		t.Fatalf("consumed %d, %v: want a failure part way", n, err)
	}
	if m, err := consume(t, st, recs[n:]); err != nil || m != len(recs)-n {
		t.Fatalf("retry: %d, %v", m, err)
	}
	checkDay(t, st)
}

// TestEMF: a run prints one EMF document with the headline figures.
func TestEMF(t *testing.T) {
	var buf bytes.Buffer
	w, err := emf.New(&buf, analytics.MetricsNamespace)
	if err != nil {
		t.Fatal(err)
	}
	c := &analytics.Consumer{Store: newMemStore(), Decode: dynamo.DecodeAnalyticsRecord, Metrics: w}
	recs := dayRecords(t)
	if _, err := c.ConsumeRecords(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(buf.Bytes()), &doc); err != nil {
		t.Fatalf("%v: %s", err, buf.String())
	}
	for name, want := range map[string]float64{"AnalyticsMessages": 2, "AnalyticsFiles": 2, "AnalyticsFileBytes": 102048, "AnalyticsConnections": 2, "AnalyticsActivePeople": 2} {
		if got, _ := doc[name].(float64); got != want {
			t.Errorf("%s = %v, want %v", name, doc[name], want)
		}
	}
	if cost, _ := doc["AnalyticsEstimatedCostMicroUSD"].(float64); cost <= 0 {
		t.Errorf("cost %v", doc["AnalyticsEstimatedCostMicroUSD"])
	}
}
