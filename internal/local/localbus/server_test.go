package localbus_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/smithy-go"

	"github.com/backchannel-chat/backchannel/internal/local/localbus"
)

func start(t *testing.T, cfg localbus.Config) (*localbus.Server, *eventbridge.Client) {
	t.Helper()
	s, err := localbus.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	c := eventbridge.New(eventbridge.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(s.URL()),
		Credentials:      credentials.NewStaticCredentialsProvider("local", "local", ""),
		RetryMaxAttempts: 1,
	})
	return s, c
}

func entry(source, detailType, detail, bus string) types.PutEventsRequestEntry {
	e := types.PutEventsRequestEntry{Detail: aws.String(detail), EventBusName: aws.String(bus)}
	if source != "" {
		e.Source = aws.String(source)
	}
	if detailType != "" {
		e.DetailType = aws.String(detailType)
	}
	return e
}

// TestPutEventsValidatesEntries: per-entry errors as EventBridge answers
// them, through the real SDK client; good entries beside bad ones are kept.
func TestPutEventsValidatesEntries(t *testing.T) {
	var logged []string
	s, c := start(t, localbus.Config{Buses: []string{"chat"}, OnEvent: func(e localbus.Event) { logged = append(logged, e.DetailType) }})
	at := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	good := entry("backchannel", "message.created", `{"roomId":"general","seq":1}`, "chat")
	good.Time = aws.Time(at)
	entries := []types.PutEventsRequestEntry{
		good,
		entry("", "message.created", `{}`, "chat"),
		entry("backchannel", "", `{}`, "chat"),
		entry("backchannel", "x", `[1,2]`, "chat"),
		entry("backchannel", "x", `{"a":`, "chat"),
		entry("backchannel", "x", `{}`, "missing"),
		entry("aws.s3", "x", `{}`, "chat"),
		entry("backchannel", "member.joined", `{"roomId":"general"}`, "arn:aws:events:us-east-1:000000000000:event-bus/chat"),
	}
	out, err := c.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: entries})
	if err != nil {
		t.Fatal(err)
	}
	wantCodes := []string{"", "InvalidArgument", "InvalidArgument", "MalformedDetail", "MalformedDetail", "ResourceNotFoundException", "NotAuthorizedForSourceException", ""}
	if out.FailedEntryCount != 6 || len(out.Entries) != len(entries) {
		t.Fatalf("FailedEntryCount %d, %d entries", out.FailedEntryCount, len(out.Entries))
	}
	for i, r := range out.Entries {
		if aws.ToString(r.ErrorCode) != wantCodes[i] || (wantCodes[i] == "") != (r.EventId != nil) {
			t.Errorf("entry %d: %s %s (id %v), want %q", i, aws.ToString(r.ErrorCode), aws.ToString(r.ErrorMessage), aws.ToString(r.EventId), wantCodes[i])
		}
	}
	evs := s.Events()
	if len(evs) != 2 || evs[0].DetailType != "message.created" || !evs[0].Time.Equal(at) || evs[1].Bus != "chat" ||
		evs[0].Source != "backchannel" || string(evs[0].Detail) != `{"roomId":"general","seq":1}` || evs[0].Version != "0" {
		t.Errorf("events %+v", evs)
	}
	if len(logged) != 2 {
		t.Errorf("OnEvent saw %v", logged)
	}

	// The list endpoint, filtered.
	resp, err := http.Get(s.EventsURL() + "?detail-type=member.joined")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Events []map[string]any `json:"events"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	if len(list.Events) != 1 || list.Events[0]["detail-type"] != "member.joined" || list.Events[0]["detail"].(map[string]any)["roomId"] != "general" {
		t.Errorf("GET /events: %+v", list)
	}
}

// TestPutEventsRequestLimits: more than 10 entries, or more than 256 KB,
// is a ValidationException for the whole request.
func TestPutEventsRequestLimits(t *testing.T) {
	s, c := start(t, localbus.Config{Buses: []string{"chat"}})
	var eleven []types.PutEventsRequestEntry
	for range 11 {
		eleven = append(eleven, entry("backchannel", "x", `{}`, "chat"))
	}
	big := `{"x":"` + strings.Repeat("a", 140_000) + `"}`
	for name, entries := range map[string][]types.PutEventsRequestEntry{
		"11 entries":  eleven,
		"over 256 KB": {entry("backchannel", "x", big, "chat"), entry("backchannel", "x", big, "chat")},
	} {
		_, err := c.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: entries})
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ValidationException" {
			t.Errorf("%s: %v, want ValidationException", name, err)
		}
	}
	if n := len(s.Events()); n != 0 {
		t.Errorf("%d events kept from refused requests", n)
	}
}

// TestKeepsRecentEvents: only the last Keep events are listed, and Wait
// wakes on new ones.
func TestKeepsRecentEvents(t *testing.T) {
	s, c := start(t, localbus.Config{Keep: 3})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- s.Wait(ctx, func(evs []localbus.Event) bool { return len(evs) == 3 })
	}()
	for i := range 5 {
		_, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
			entry("backchannel", "n", `{"n":`+string(rune('0'+i))+`}`, ""),
		}})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	evs := s.Events()
	if len(evs) != 3 || string(evs[0].Detail) != `{"n":2}` || evs[2].Bus != "default" {
		t.Errorf("kept %+v", evs)
	}
}

func TestCreateEventBus(t *testing.T) {
	s, c := start(t, localbus.Config{})
	ctx := context.Background()
	out, err := c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("team")})
	if err != nil || !strings.HasSuffix(aws.ToString(out.EventBusArn), ":event-bus/team") {
		t.Fatalf("create: %v, %v", out, err)
	}
	var exists *types.ResourceAlreadyExistsException
	if _, err := c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("team")}); !errors.As(err, &exists) {
		t.Errorf("second create: %v", err)
	}
	if _, err := c.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{entry("backchannel", "x", `{}`, "team")}}); err != nil || len(s.Events()) != 1 {
		t.Errorf("put on the new bus: %v, %d events", err, len(s.Events()))
	}
}
