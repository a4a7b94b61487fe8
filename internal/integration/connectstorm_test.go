package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// TestConnectionsOpenedDuringAFanoutStormAreKept: API Gateway (and the
// local gateway, like it) answers 410 to a post to a connection whose
// $connect has not returned yet, while that $connect has already stored
// the connection in its rooms' fan-out index. Connections opened 8 at a
// time while the room is being fanned out to (a sender's stream of
// messages, and every first connection's presence) meet such 410s; the
// gone-cleanup must not delete them. Afterwards every one answers getState
// (it is registered) and receives the next message (it is indexed).
func TestConnectionsOpenedDuringAFanoutStormAreKept(t *testing.T) {
	s := newStack(t, generousLimits)
	const users, perUser, parallel = 16, 2, 8
	sender := s.newUser("storm", "Storm")
	people := make([]user, users)
	for i := range people {
		people[i] = s.newUser(fmt.Sprintf("p%02d", i), fmt.Sprintf("P %d", i))
	}
	a, _ := s.online(sender)

	// The storm: a second connection of the sender sends messages as fast
	// as they are acknowledged, reading and dropping every frame.
	stormConn, _, err := dial(t, s.gw.URL(), sender.token)
	if err != nil {
		t.Fatal(err)
	}
	defer stormConn.CloseNow()
	ctx, stop := context.WithCancel(context.Background())
	var sent atomic.Int64
	acks := make(chan struct{}, 1)
	go func() {
		for {
			_, data, err := stormConn.Read(context.Background())
			if err != nil {
				return
			}
			var head struct{ Type string }
			if json.Unmarshal(data, &head) == nil && head.Type != protocol.EventMessage {
				select {
				case acks <- struct{}{}:
				default:
				}
			}
		}
	}()
	stormDone := make(chan struct{})
	go func() {
		defer close(stormDone)
		for i := 0; ctx.Err() == nil; i++ {
			b, _ := json.Marshal(map[string]any{"action": protocol.ActionSendMessage, "requestId": fmt.Sprintf("st-%d", i),
				"roomId": chat.GeneralRoomID, "clientId": fmt.Sprintf("storm-%d", i), "text": fmt.Sprintf("storm %d", i)})
			if stormConn.Write(context.Background(), websocket.MessageText, b) != nil {
				return
			}
			sent.Add(1)
			select {
			case <-acks:
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}()

	// Open every connection, parallel at a time, during the storm.
	type opened struct {
		name string
		conn *websocket.Conn
		err  error
	}
	results := make([]opened, users*perUser)
	var wg sync.WaitGroup
	sem := make(chan struct{}, parallel)
	for i := range results {
		u := people[i%users]
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			conn, _, err := dial(t, s.gw.URL(), u.token)
			results[i] = opened{name: fmt.Sprintf("%s#%d", u.name, i/users), conn: conn, err: err}
		}()
	}
	wg.Wait()
	stop()
	<-stormDone
	t.Logf("%d storm messages sent while %d connections opened", sent.Load(), len(results))

	clients := make([]*client, 0, len(results))
	for _, r := range results {
		if r.err != nil {
			t.Fatalf("connect %s: %v", r.name, r.err)
		}
		clients = append(clients, newClient(t, r.name, r.conn))
	}
	// Let every fan-out of the storm (and its 410 cleanup) finish: the
	// sender's ping answers after its connection's earlier frames.
	a.drain()
	time.Sleep(200 * time.Millisecond)

	lost := 0
	for _, c := range clients {
		f := c.send(protocol.ActionGetState, nil)
		if f.typ != protocol.EventState {
			lost++
			t.Errorf("%s: getState after the storm answered %s: the connection was forgotten", c.name, f.raw)
		}
	}
	if lost > 0 {
		t.Fatalf("%d of %d connections opened during the storm were forgotten", lost, len(clients))
	}
	ack := decode[protocol.AckEvent](t, a.call(protocol.ActionSendMessage, message(chat.GeneralRoomID, "after-storm", "everyone still here?"), protocol.EventAck))
	for _, c := range clients {
		c.expectEvent(protocol.EventMessage, isMessage(t, chat.GeneralRoomID, ack.Message.Seq))
	}
	if want := len(clients); ack.Delivered < want {
		t.Errorf("final message delivered to %d connections, want at least %d", ack.Delivered, want)
	}
}
