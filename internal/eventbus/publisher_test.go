package eventbus_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/eventbus"
	"github.com/backchannel-chat/backchannel/internal/local/localbus"
)

var t0 = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

// samples has one event of every type (the docs' examples are these).
func samples() []chat.Event {
	msg := chat.Message{
		RoomID: "c_8Jx2", Seq: 42, ClientID: "01JDB3K4Z8Q3W5E6R7T8Y9U0I1",
		SenderID: "u-ann", SenderName: "Ann Archer", Text: "ship it @Bob",
		Mentions: []string{"u-bob"}, CreatedAt: t0,
		Attachments: []chat.Attachment{{Key: "rooms/c_8Jx2/u-ann/k1/plan.png", Name: "plan.png", Size: 48213, Type: "image/png", Width: 800, Height: 600}},
	}
	edited := msg
	edited.Text, edited.Mentions, edited.EditedAt = "ship it", nil, t0.Add(time.Minute)
	deleted := msg
	deleted.Text, deleted.Mentions, deleted.Attachments, deleted.Deleted, deleted.EditedAt = "", nil, nil, true, t0.Add(2*time.Minute)
	room := chat.Room{ID: "c_8Jx2", Kind: chat.KindPublic, Name: "launch", Topic: "Friday", CreatedBy: "u-ann", CreatedAt: t0, MemberCount: 3}
	return []chat.Event{
		chat.MessageCreated{Actor: chat.Actor{UserID: "u-ann"}, Message: msg},
		chat.MessageEdited{Actor: chat.Actor{UserID: "u-ann"}, Message: edited},
		chat.MessageDeleted{Actor: chat.Actor{UserID: "u-ann"}, Message: deleted},
		chat.MemberJoined{Actor: chat.Actor{UserID: "u-bob"}, Member: chat.Member{RoomID: "c_8Jx2", UserID: "u-bob", Role: chat.RoleMember, JoinedAt: t0}},
		chat.MemberLeft{Actor: chat.Actor{UserID: "u-bob"}, RoomID: "c_8Jx2", UserID: "u-bob", At: t0.Add(time.Hour)},
		chat.MemberUpdated{Actor: chat.Actor{UserID: "u-ann"}, Member: chat.Member{RoomID: "c_8Jx2", UserID: "u-bob", Role: chat.RoleMember, JoinedAt: t0, MutedUntil: t0.Add(10 * time.Minute)}},
		chat.RoomCreated{Actor: chat.Actor{UserID: "u-ann"}, Room: room},
		chat.RoomUpdated{Room: func() chat.Room { r := room; r.Topic = "Monday"; return r }()},
		chat.RoomDeleted{Actor: chat.Actor{UserID: "u-admin"}, Room: room, At: t0.Add(3 * time.Hour)},
		chat.ProfileUpdated{Actor: chat.Actor{UserID: "u-ann"}, Profile: chat.Profile{UserID: "u-ann", Username: "u-ann", DisplayName: "Ann A.", AvatarColor: "#336699"}},
	}
}

func TestDetailEveryType(t *testing.T) {
	got := map[chat.EventType]bool{}
	for _, ev := range samples() {
		got[ev.Type()] = true
		for _, withText := range []bool{false, true} {
			d, _, err := eventbus.Detail(ev, withText)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(d)
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			if m["schemaVersion"] != float64(eventbus.SchemaVersion) {
				t.Errorf("%s: no schemaVersion: %s", ev.Type(), b)
			}
			_, hasText := m["text"]
			isMessage := strings.HasPrefix(string(ev.Type()), "message.")
			if hasText != (withText && isMessage) {
				t.Errorf("%s includeText=%v: text present %v: %s", ev.Type(), withText, hasText, b)
			}
			if strings.Contains(string(b), "ship it") && !withText {
				t.Errorf("%s: message text leaked: %s", ev.Type(), b)
			}
		}
	}
	for _, typ := range chat.EventTypes {
		if !got[typ] {
			t.Errorf("no sample of %s", typ)
		}
	}
}

func TestBatchesRespectLimits(t *testing.T) {
	entry := func(detailBytes int) types.PutEventsRequestEntry {
		return types.PutEventsRequestEntry{
			Source: aws.String("backchannel"), DetailType: aws.String("message.created"),
			Detail: aws.String(`{"x":"` + strings.Repeat("a", detailBytes) + `"}`), Time: aws.Time(t0),
		}
	}
	var small []types.PutEventsRequestEntry
	for range 25 {
		small = append(small, entry(10))
	}
	if b := eventbus.Batches(small); len(b) != 3 || len(b[0]) != 10 || len(b[1]) != 10 || len(b[2]) != 5 {
		t.Errorf("25 small entries: batches of %v", lens(b))
	}
	big := []types.PutEventsRequestEntry{entry(100_000), entry(100_000), entry(100_000), entry(10)}
	b := eventbus.Batches(big)
	if len(b) != 2 || len(b[0]) != 2 || len(b[1]) != 2 {
		t.Errorf("100 KB entries: batches of %v, want [2 2]", lens(b))
	}
	for _, batch := range b {
		n := 0
		for _, e := range batch {
			n += eventbus.EntrySize(e)
		}
		if n > eventbus.MaxRequestBytes {
			t.Errorf("batch of %d bytes", n)
		}
	}
}

func lens(b [][]types.PutEventsRequestEntry) []int {
	var out []int
	for _, x := range b {
		out = append(out, len(x))
	}
	return out
}

// client is the real SDK client of the local stand-in.
func client(url string) *eventbridge.Client {
	return eventbridge.New(eventbridge.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
}

// TestPublishToStandIn: the real SDK client puts every event, in 10-entry
// requests, with source, detail-type and detail as documented.
func TestPublishToStandIn(t *testing.T) {
	bus, err := localbus.Start(localbus.Config{Buses: []string{"chat"}})
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	p, err := eventbus.New(client(bus.URL()), eventbus.Config{BusName: "chat"})
	if err != nil {
		t.Fatal(err)
	}
	var evs []chat.Event
	for range 3 {
		evs = append(evs, samples()...)
	}
	if err := p.Consume(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	got := bus.Events()
	if len(got) != len(evs) {
		t.Fatalf("bus has %d events, want %d", len(got), len(evs))
	}
	for i, e := range got {
		if e.Source != "backchannel" || e.DetailType != string(evs[i].Type()) || e.Bus != "chat" {
			t.Errorf("event %d: %+v", i, e)
		}
	}
	if !got[0].Time.Equal(t0) {
		t.Errorf("message.created time %v, want the message's %v", got[0].Time, t0)
	}
}

// TestPublishMissingBusFails: entries refused by EventBridge (here: no such
// bus) are an error naming the first event not put.
func TestPublishMissingBusFails(t *testing.T) {
	bus, err := localbus.Start(localbus.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	p, _ := eventbus.New(client(bus.URL()), eventbus.Config{BusName: "nope"})
	err = p.Consume(context.Background(), samples())
	var pf *chat.PartialFailure
	var ee *eventbus.EntryError
	if !errors.As(err, &pf) || pf.Index != 0 || !errors.As(err, &ee) || ee.Code != "ResourceNotFoundException" {
		t.Errorf("err %v, want a partial failure at 0 with ResourceNotFoundException", err)
	}
}

// fakeAPI fails chosen entries (by detail "n") a number of times.
type fakeAPI struct {
	failures map[int]int // event n -> times left to fail
	calls    [][]int
	callErr  error
}

func (f *fakeAPI) PutEvents(_ context.Context, in *eventbridge.PutEventsInput, _ ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error) {
	if len(in.Entries) > eventbus.MaxEntries {
		return nil, fmt.Errorf("%d entries", len(in.Entries))
	}
	if f.callErr != nil {
		return nil, f.callErr
	}
	out := &eventbridge.PutEventsOutput{}
	var ns []int
	for _, e := range in.Entries {
		var d struct {
			Seq int `json:"seq"`
		}
		_ = json.Unmarshal([]byte(*e.Detail), &d)
		ns = append(ns, d.Seq)
		if f.failures[d.Seq] > 0 {
			f.failures[d.Seq]--
			out.FailedEntryCount++
			out.Entries = append(out.Entries, types.PutEventsResultEntry{ErrorCode: aws.String("ThrottlingException"), ErrorMessage: aws.String("slow down")})
			continue
		}
		out.Entries = append(out.Entries, types.PutEventsResultEntry{EventId: aws.String(fmt.Sprint(d.Seq))})
	}
	f.calls = append(f.calls, ns)
	return out, nil
}

func messages(n int) []chat.Event {
	var evs []chat.Event
	for i := range n {
		evs = append(evs, chat.MessageCreated{Message: chat.Message{RoomID: "r", Seq: int64(i), CreatedAt: t0}})
	}
	return evs
}

func TestPublishRetriesFailedEntries(t *testing.T) {
	api := &fakeAPI{failures: map[int]int{3: 1, 14: 2}}
	p, _ := eventbus.New(api, eventbus.Config{BusName: "chat"})
	if err := p.Consume(context.Background(), messages(20)); err != nil {
		t.Fatalf("transient entry failures: %v", err)
	}
	// 10, then event 3 again; 10, then 14 twice more.
	if len(api.calls) != 5 || fmt.Sprint(api.calls[1]) != "[3]" || fmt.Sprint(api.calls[3]) != "[14]" {
		t.Errorf("calls %v", api.calls)
	}
}

// The purger's cue (RoomPurgeContinued) is not a domain event: never put;
// a failure after it still names the right event.
func TestPublishSkipsPurgeContinuations(t *testing.T) {
	api := &fakeAPI{failures: map[int]int{2: 99}}
	p, _ := eventbus.New(api, eventbus.Config{BusName: "chat"})
	evs := append([]chat.Event{chat.RoomPurgeContinued{RoomID: "r", Pass: 1}}, messages(3)...)
	err := p.Consume(context.Background(), evs)
	var pf *chat.PartialFailure
	if !errors.As(err, &pf) || pf.Index != 3 {
		t.Fatalf("err = %v, want the failure at event 3 (seq 2)", err)
	}
	if fmt.Sprint(api.calls[0]) != "[0 1 2]" {
		t.Errorf("calls %v", api.calls)
	}
}

func TestPublishReportsFirstFailedEvent(t *testing.T) {
	api := &fakeAPI{failures: map[int]int{12: 99, 15: 99}}
	p, _ := eventbus.New(api, eventbus.Config{BusName: "chat"})
	err := p.Consume(context.Background(), messages(30))
	var pf *chat.PartialFailure
	if !errors.As(err, &pf) || pf.Index != 12 {
		t.Fatalf("err %v, want a partial failure at event 12", err)
	}
	for _, c := range api.calls {
		for _, n := range c {
			if n >= 20 {
				t.Errorf("the batch after the failing one was sent: %v", api.calls)
			}
		}
	}
	// A whole request failing (after the SDK's own retries) fails from its
	// first event.
	api = &fakeAPI{callErr: errors.New("503")}
	p, _ = eventbus.New(api, eventbus.Config{BusName: "chat"})
	if err := p.Consume(context.Background(), messages(5)); !errors.As(err, &pf) || pf.Index != 0 {
		t.Errorf("err %v, want a partial failure at 0", err)
	}
}

// TestOversizeTextIsDropped: with text opted in, an entry over 256 KB
// loses the text instead of failing forever.
func TestOversizeTextIsDropped(t *testing.T) {
	ev := chat.MessageCreated{Message: chat.Message{RoomID: "r", Seq: 1, Text: strings.Repeat("x", 300_000), CreatedAt: t0}}
	e, err := eventbus.Entry("chat", ev, true)
	if err != nil {
		t.Fatal(err)
	}
	if eventbus.EntrySize(e) > eventbus.MaxRequestBytes || !strings.Contains(*e.Detail, `"textOmitted":"tooLarge"`) {
		t.Errorf("entry of %d bytes: %.200s", eventbus.EntrySize(e), *e.Detail)
	}
}
