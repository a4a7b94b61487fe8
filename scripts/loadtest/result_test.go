package main

import (
	"testing"
	"time"

	chatpkg "github.com/backchannel-chat/backchannel/internal/chat"
)

// TestCount: the accounting behind the verdict. Three clients in one room;
// client 0 sends seqs 1-3, client 1 sends seq 4. Client 1 gets 1 and 2
// live (2 twice), 3 by resume; client 2 misses 3. A second seq for one
// clientId is a message stored twice.
func TestCount(t *testing.T) {
	r := newRun(config{seed: 1}, nil)
	for i := range 3 {
		c := newClient(r, i)
		c.room = "room"
		r.clients = append(r.clients, c)
	}
	send := func(c *client, id string, seq int64) {
		r.mu.Lock()
		r.sentAt[id] = time.Now().Add(-10 * time.Millisecond)
		r.senderOf[id] = c
		r.mu.Unlock()
		r.ack(c, id, chatpkg.Message{RoomID: "room", Seq: seq, ClientID: id}, false)
	}
	c0, c1, c2 := r.clients[0], r.clients[1], r.clients[2]
	send(c0, "a", 1)
	send(c0, "b", 2)
	send(c0, "c", 3)
	send(c1, "d", 4)
	now := time.Now()
	msg := func(seq int64, id string) chatpkg.Message {
		return chatpkg.Message{RoomID: "room", Seq: seq, ClientID: id}
	}
	c1.receive(msg(2, "b"), true, now)
	c1.receive(msg(1, "a"), true, now) // out of order
	c1.receive(msg(2, "b"), true, now) // duplicate live delivery
	c1.receive(msg(3, "c"), false, now)
	for _, m := range []chatpkg.Message{msg(1, "a"), msg(2, "b"), msg(4, "d")} {
		c2.receive(m, true, now)
	}
	c2.receive(msg(7, "d"), true, now) // "d" again under another seq
	res := r.count(time.Second, time.Second, 0)
	if res.acked != 4 || res.expected != 1+3+4 {
		t.Errorf("acked %d, expected %d", res.acked, res.expected)
	}
	// Client 0 misses 4 (never received), client 2 misses 3.
	if res.lost != 2 || res.receiversWithLoss != 2 {
		t.Errorf("lost %d by %d receivers, want 2 by 2", res.lost, res.receiversWithLoss)
	}
	if res.liveDup != 1 || res.outOfOrder != 1 || res.storedTwice != 1 {
		t.Errorf("dup %d, out of order %d, stored twice %d; want 1 each", res.liveDup, res.outOfOrder, res.storedTwice)
	}
	if res.resumed != 1 || res.redundant != 1 {
		t.Errorf("resumed %d, redundant %d", res.resumed, res.redundant)
	}
	if c1.last != 4 || c2.last != 2 {
		t.Errorf("contiguous: client 1 at %d (want 4), client 2 at %d (want 2)", c1.last, c2.last)
	}
	if res.ok() {
		t.Error("a run with losses and duplicates passed")
	}
	if len(res.latencies) == 0 || percentile(res.latencies, 0.5) < 10*time.Millisecond {
		t.Errorf("latencies %v", res.latencies)
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	if p := percentile(d, 0.5); p != 50*time.Millisecond {
		t.Errorf("p50 %v", p)
	}
	if p := percentile(d, 0.99); p != 99*time.Millisecond {
		t.Errorf("p99 %v", p)
	}
	if percentile(nil, 0.5) != 0 {
		t.Error("empty")
	}
}
