package integration

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/coder/websocket"

	"github.com/backchannel-chat/backchannel/internal/analytics"
	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/streamapp"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/local/streampoll"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/stream"
)

// TestAnalyticsCountsADay seeds a day of activity through the real
// pipeline (gateway, actions, DynamoDB Local's stream, the stream function
// as streamapp builds it) and checks every aggregate getAnalytics shows;
// then redelivers every stream record the function saw and checks that
// nothing counts twice.
func TestAnalyticsCountsADay(t *testing.T) {
	// The facts are stamped by the stack's clocks (the service's for
	// messages and joins, the gateway's for connections), both the wall
	// clock: a seeding that crossed midnight UTC would split the day. It
	// is seeded again on a fresh stack then (seconds after midnight, so
	// within one day), and the expected day is the one every stamp fell on.
	d := seedAnalyticsDay(t)
	if d.today == "" {
		t.Logf("the seeding crossed midnight UTC: seeding again")
		if d = seedAnalyticsDay(t); d.today == "" {
			t.Fatal("the seeding crossed midnight UTC twice")
		}
	}
	s, h, admC, cyd, today := d.s, d.h, d.admC, d.cyd, d.today
	design, dm, img1, img2 := d.design, d.dm, d.img1, d.img2
	mu, seen := &d.mu, &d.seen
	want := map[string]protocol.AnalyticsRoom{
		chat.GeneralRoomID: {Messages: 4, ActivePeople: 3, NewMembers: 4}, // ann, bob, cyd and adm joined #general
		design:             {Messages: 3, ActivePeople: 2, NewMembers: 2, Files: 2, FileBytes: int64(len(img1) + len(img2))},
		dm:                 {Messages: 1, ActivePeople: 1, NewMembers: 2},
	}
	check := func() (protocol.AnalyticsEvent, string) {
		ev := decode[protocol.AnalyticsEvent](t, admC.call(protocol.ActionGetAnalytics, map[string]any{"from": today, "to": today}, protocol.EventAnalytics))
		d := ev.Days[0]
		if d.Messages != 8 || d.NewMembers != 8 || d.Files != 2 || d.Connections != 4 || d.ActivePeople != 4 {
			return ev, "day"
		}
		if len(ev.Rooms) != 3 {
			return ev, "rooms"
		}
		for _, r := range ev.Rooms {
			w := want[r.RoomID]
			if r.Messages != w.Messages || r.ActivePeople != w.ActivePeople || r.NewMembers != w.NewMembers || r.Files != w.Files || r.FileBytes != w.FileBytes || r.CostUSD <= 0 {
				return ev, "room " + r.RoomID
			}
		}
		if ev.Totals.Messages != 8 || ev.Totals.ActivePeople != 4 || ev.Weeks[0].ActivePeople != 4 || ev.Months[0].ActivePeople != 4 {
			return ev, "totals"
		}
		return ev, ""
	}
	deadline := time.Now().Add(20 * time.Second)
	ev, bad := check()
	for bad != "" && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond) // the stream is asynchronous: poll the state
		ev, bad = check()
	}
	if bad != "" {
		t.Fatalf("%s differs: %+v", bad, ev)
	}
	if ev.Rooms[0].RoomID != chat.GeneralRoomID || ev.Rooms[0].Name != "general" {
		t.Errorf("rooms by messages: %+v", ev.Rooms)
	}
	// Cost of #general: 4 sends × (3 + 1 WCU), × 7.5 RCU, each send plus
	// its fan-out to the room's members at the time it was counted.
	if g := ev.Rooms[0]; g.CostUSD < 4*(4*analytics.USDPerWriteUnit+7.5*analytics.USDPerReadUnit+analytics.USDPerAPIMessage) {
		t.Errorf("#general cost %g is below its sends' units", g.CostUSD)
	}

	// Redeliver every batch the function was given, as Lambda does after a
	// timeout, then as BisectBatchOnFunctionError does (two halves):
	// nothing changes.
	mu.Lock()
	batches := append([][]events.DynamoDBEventRecord(nil), *seen...)
	mu.Unlock()
	for _, recs := range batches {
		for _, part := range [][]events.DynamoDBEventRecord{recs, recs[:len(recs)/2], recs[len(recs)/2:]} {
			if len(part) == 0 {
				continue
			}
			resp, err := h.Handle(context.Background(), events.DynamoDBEvent{Records: part})
			if err != nil || len(resp.BatchItemFailures) != 0 {
				t.Fatalf("redelivery: %v %+v", err, resp)
			}
		}
	}
	if after, bad := check(); bad != "" {
		t.Errorf("after redelivery of %d batches %s differs: %+v", len(batches), bad, after)
	}

	// Export and erasure: what the aggregates hold of cyd is the day she
	// was active and the room she sent in; erasure takes her pseudonym
	// out of every set (the day then counts three active people).
	store, err := dynamo.New(dynamodb.NewFromConfig(s.awsCfg), s.table)
	if err != nil {
		t.Fatal(err)
	}
	days, err := store.AnalyticsDaysOf(context.Background(), cyd.id)
	if err != nil || len(days) != 1 || len(days[today]) != 1 || days[today][0] != chat.GeneralRoomID {
		t.Fatalf("cyd's analytics days %v, %v", days, err)
	}
	if n, err := store.EraseAnalyticsPerson(context.Background(), cyd.id); err != nil || n != 2 {
		t.Fatalf("erased from %d items, %v; want 2 (#general's day and the day's connectors)", n, err)
	}
	if days, err := store.AnalyticsDaysOf(context.Background(), cyd.id); err != nil || len(days) != 0 {
		t.Errorf("after erasure: %v, %v", days, err)
	}
	after := decode[protocol.AnalyticsEvent](t, admC.call(protocol.ActionGetAnalytics, map[string]any{"from": today, "to": today}, protocol.EventAnalytics))
	if after.Days[0].ActivePeople != 3 || after.Days[0].Messages != 8 {
		t.Errorf("after erasure: %+v", after.Days[0])
	}
}

// analyticsDay is a seeded day of activity (seedAnalyticsDay).
type analyticsDay struct {
	s          *stack
	h          *stream.Handler
	admC       *client
	cyd        user
	design, dm string
	img1, img2 []byte
	today      string // the UTC day of every fact; "" if the seeding crossed midnight

	mu   sync.Mutex
	seen [][]events.DynamoDBEventRecord // the batches the stream function was given
}

// seedAnalyticsDay builds a stack with the stream function and seeds it:
// ann, bob and cyd connect; 4 messages in #general, 3 with 2 files in a
// new channel, 1 in a direct conversation; cyd disconnects; an admin
// connects.
func seedAnalyticsDay(t *testing.T) *analyticsDay {
	t.Helper()
	start := time.Now()
	d := &analyticsDay{}
	bucket := newFilesBucket(t)
	s := newStackWithFiles(t, generousLimits, bucket)
	bus := testenv.NewEventBus(t, testBus)
	awsCfg := s.awsCfg.Copy()
	awsCfg.BaseEndpoint = aws.String(bus.Endpoint())
	h, err := streamapp.Build(context.Background(), app.StreamConfig{
		EventBusName: bus.Name(), TableName: s.table, LogLevel: slog.LevelWarn,
	}, streamapp.WithAWSConfig(awsCfg), streamapp.WithLogger(slog.New(slog.NewJSONHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))))
	if err != nil {
		t.Fatal(err)
	}
	testenv.StartStreamPoller(t, s.awsCfg, s.table, h.Handle, streampoll.Config{
		PollInterval: 100 * time.Millisecond,
		Tap: func(b []byte) {
			var ev events.DynamoDBEvent
			if json.Unmarshal(b, &ev) == nil {
				d.mu.Lock()
				d.seen = append(d.seen, ev.Records)
				d.mu.Unlock()
			}
		},
	})

	ann, bob, cyd := s.newUser("ann", "Ann Archer"), s.newUser("bob", "Bob Baker"), s.newUser("cyd", "Cyd Cole")
	a, _ := s.online(ann)
	b, _ := s.online(bob)
	c, _ := s.online(cyd)
	design := decode[protocol.RoomEvent](t, a.call(protocol.ActionCreateChannel, map[string]any{"name": "design"}, protocol.EventRoom)).Room.ID
	b.call(protocol.ActionJoinChannel, room(design), protocol.EventRoom)
	dm := decode[protocol.RoomEvent](t, a.call(protocol.ActionOpenDirect, map[string]any{"userIds": []string{bob.id}}, protocol.EventRoom)).Room.ID

	send := func(cl *client, roomID, clientID string, atts ...map[string]any) {
		p := message(roomID, clientID, "hello "+clientID)
		if len(atts) > 0 {
			p["attachments"] = atts
		}
		cl.call(protocol.ActionSendMessage, p, protocol.EventAck)
	}
	upload := func(cl *client, roomID, name string, body []byte) map[string]any {
		ticket := decode[protocol.UploadTicketEvent](t, cl.call(protocol.ActionRequestUpload,
			map[string]any{"roomId": roomID, "name": name, "size": len(body), "type": "image/png", "sha256": chat.SHA256Base64(body)}, protocol.EventUploadTicket))
		uploadByTicket(t, ticket, body)
		return map[string]any{"key": ticket.Key, "name": name, "size": len(body), "type": "image/png"}
	}
	img1, img2 := pngBytes(t, 40, 30), pngBytes(t, 64, 64)
	send(a, chat.GeneralRoomID, "g1")
	send(b, chat.GeneralRoomID, "g2")
	send(c, chat.GeneralRoomID, "g3")
	send(a, chat.GeneralRoomID, "g4")
	send(a, design, "d1", upload(a, design, "a.png", img1))
	send(b, design, "d2", upload(b, design, "b.png", img2))
	send(b, design, "d3")
	send(b, dm, "m1")
	_ = c.conn.Close(websocket.StatusNormalClosure, "bye") // a disconnect: connection minutes

	adm := s.staff(s.newUser("adm", "Ad Min"), chat.GroupAdmins)
	admC, _ := s.online(adm)
	// Every counted fact was stamped between start and now (the
	// disconnect's end, stamped by the stream, only adds connection
	// seconds, which are not checked).
	if day := analytics.Day(start); day == analytics.Day(time.Now()) {
		d.today = day
	}
	d.s, d.h, d.admC, d.cyd = s, h, admC, cyd
	d.design, d.dm, d.img1, d.img2 = design, dm, img1, img2
	return d
}
