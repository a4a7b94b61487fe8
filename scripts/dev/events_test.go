package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/coder/websocket"

	"github.com/backchannel-chat/backchannel/internal/local/localbus"
)

// startExternalBus is an EventBridge of someone else's (here another
// stand-in, with no buses yet) for AWS_ENDPOINT_URL_EVENTBRIDGE.
func startExternalBus(t *testing.T) *localbus.Server {
	t.Helper()
	bus, err := localbus.Start(localbus.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bus.Close() })
	return bus
}

// checkEventsGoToExternalBus: with AWS_ENDPOINT_URL_EVENTBRIDGE set, dev
// creates its bus there and publishes there (no stand-in of its own).
func checkEventsGoToExternalBus(t *testing.T, r *devRun, bus *localbus.Server) {
	t.Helper()
	if r.info.EventBridge != bus.URL() {
		t.Errorf("events go to %q, want %q", r.info.EventBridge, bus.URL())
	}
	seq := sendMessage(t, r.info, "dev-external@example.com", "01JDB3K4Z8Q3W5E6R7T8Y9DEV2")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := bus.Wait(ctx, func(evs []localbus.Event) bool {
		for _, e := range evs {
			var d struct {
				RoomID string `json:"roomId"`
				Seq    int64  `json:"seq"`
			}
			_ = json.Unmarshal(e.Detail, &d)
			if e.DetailType == "message.created" && e.Bus == defaultEventBus && d.Seq == seq && d.RoomID == "general" {
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Errorf("message.created for general/%d not on the external bus: %v\n%s", seq, err, readFile(r.log))
	}
}

// checkMessageEventIsPublished sends a message through the running dev
// stack and waits for its message.created on the stand-in's list at
// /events and for the line the runner prints.
func checkMessageEventIsPublished(t *testing.T, r *devRun) {
	t.Helper()
	info := r.info
	if info.EventsURL == "" || info.EventBus != defaultEventBus || !strings.HasPrefix(info.EventBridge, "http://127.0.0.1:") {
		t.Errorf("ready file events: %q, bus %q at %q", info.EventsURL, info.EventBus, info.EventBridge)
	}
	seq := sendMessage(t, info, "dev-events@example.com", "01JDB3K4Z8Q3W5E6R7T8Y9DEV1")
	deadline := time.Now().Add(10 * time.Second)
	for {
		var list struct{ Events []localbus.Event }
		getJSON(t, info.EventsURL+"?detail-type=message.created", &list)
		found := false
		for _, e := range list.Events {
			var d struct {
				RoomID string `json:"roomId"`
				Seq    int64  `json:"seq"`
			}
			_ = json.Unmarshal(e.Detail, &d)
			found = found || (d.RoomID == "general" && d.Seq == seq && e.Source == "backchannel")
		}
		if found && strings.Contains(readFile(r.log), "event message.created") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("message.created for general/%d not at %s or not printed\n%s", seq, info.EventsURL, readFile(r.log))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// sendMessage signs a new user up, connects and sends a message to
// #general, returning its seq.
func sendMessage(t *testing.T, info readyInfo, email, clientID string) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	awsCfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(info.Region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
	if err != nil {
		t.Fatal(err)
	}
	idp := cip.NewFromConfig(awsCfg, func(o *cip.Options) { o.BaseEndpoint = aws.String(info.Cognito) })
	token := signUp(t, ctx, idp, info, email, "a-long-password")
	conn, _, err := websocket.Dial(ctx, info.WSURL+"?token="+token, nil)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.CloseNow()
	send := `{"action":"sendMessage","requestId":"m1","roomId":"general","clientId":"` + clientID + `","text":"hello events"}`
	if err := conn.Write(ctx, websocket.MessageText, []byte(send)); err != nil {
		t.Fatal(err)
	}
	for {
		_, frame, err := conn.Read(ctx)
		if err != nil {
			t.Fatalf("waiting for the ack: %v", err)
		}
		var ack struct {
			Type, RequestID string
			Message         struct{ Seq int64 }
		}
		if json.Unmarshal(frame, &ack) == nil && ack.RequestID == "m1" {
			if ack.Type != "ack" {
				t.Fatalf("send answered %s", frame)
			}
			conn.Close(websocket.StatusNormalClosure, "")
			return ack.Message.Seq
		}
	}
}

func TestEventLine(t *testing.T) {
	got := eventLine(localbus.Event{DetailType: "message.created",
		Detail: json.RawMessage(`{"schemaVersion":1,"actor":{"userId":"u-ann"},"roomId":"general","seq":3,"senderId":"u-ann","textLength":5}`)})
	want := "event message.created  roomId=general seq=3 senderId=u-ann textLength=5 actor=u-ann"
	if got != want {
		t.Errorf("line %q, want %q", got, want)
	}
}
