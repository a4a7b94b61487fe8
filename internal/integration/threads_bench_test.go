package integration

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// BenchmarkThreadCost measures, like BenchmarkConversationCost (same
// room of 10 online members, real actions handler, service and store on
// DynamoDB Local, units at real DynamoDB prices), what a thread reply
// costs beside a plain message:
//
//	go run ./scripts/testenv -- go test -run '^$' -bench ThreadCost -benchtime 40x ./internal/integration/
//
// send: one op is a plain message to the room (the baseline).
// thread-reply: one op is a reply in a thread (not sent to the room) by
// someone who follows it already (the steady state: the follow Query
// finds them, no follow is written). thread-reply-to-room: the same with
// "also send to the room". thread-history: one op reads a page of 50
// replies. list-threads: one op lists conn-0's followed threads (10
// threads, each with unread replies). delete-message: one op deletes a
// plain message (the baseline); delete-reply: one op deletes a reply
// (its parent's count goes down through the change log).
// mark-thread-read: one op moves conn-0's read position in a thread it
// follows (and tells its other connections: none here, so the cost is
// the Query that finds them).
func BenchmarkThreadCost(b *testing.B) {
	b.Run("send", func(b *testing.B) {
		a, meter, roomID := conversationApp(b)
		meter.reset()
		n := 0
		for b.Loop() {
			call(b, a, "send", fmt.Sprintf(`{"action":"sendMessage","roomId":%q,"clientId":"s-%d","text":"benchmark message number %d, a typical short chat line"}`, roomID, n, n), `"ack"`)
			n++
		}
		report(b, meter, n)
	})
	for _, toRoom := range []bool{false, true} {
		name := "thread-reply"
		if toRoom {
			name += "-to-room"
		}
		b.Run(name, func(b *testing.B) {
			a, meter, roomID := conversationApp(b)
			call(b, a, "send", fmt.Sprintf(`{"action":"sendMessage","roomId":%q,"clientId":"p-1","text":"shall we ship it?"}`, roomID), `"ack"`)
			parent := lastSeq(b, a, roomID)
			call(b, a, "send", fmt.Sprintf(`{"action":"sendMessage","roomId":%q,"clientId":"r-first","text":"first","parentSeq":%d}`, roomID, parent), `"parentChg"`)
			meter.reset()
			n := 0
			for b.Loop() {
				call(b, a, "send", fmt.Sprintf(`{"action":"sendMessage","roomId":%q,"clientId":"r-%d","text":"benchmark reply number %d, a typical short chat line","parentSeq":%d,"toRoom":%v}`, roomID, n, n, parent, toRoom), `"parentChg"`)
				n++
			}
			report(b, meter, n)
		})
	}
	for _, reply := range []bool{false, true} {
		name := "delete-message"
		if reply {
			name = "delete-reply"
		}
		b.Run(name, func(b *testing.B) {
			a, meter, roomID := conversationApp(b)
			call(b, a, "send", fmt.Sprintf(`{"action":"sendMessage","roomId":%q,"clientId":"p-1","text":"shall we ship it?"}`, roomID), `"ack"`)
			parent := lastSeq(b, a, roomID)
			const pool = 100
			seqs := make([]int64, pool)
			for i := range pool {
				thread := ""
				if reply {
					thread = fmt.Sprintf(`,"parentSeq":%d`, parent)
				}
				body := call(b, a, "send", fmt.Sprintf(`{"action":"sendMessage","roomId":%q,"clientId":"d-%d","text":"benchmark message number %d, a typical short chat line"%s}`, roomID, i, i, thread), `"ack"`)
				seqs[i] = ackSeq(b, body)
			}
			meter.reset()
			n := 0
			for b.Loop() {
				if n == pool {
					b.Fatalf("more than %d deletions: use -benchtime 40x", pool)
				}
				call(b, a, "deleteMessage", fmt.Sprintf(`{"action":"deleteMessage","roomId":%q,"seq":%d}`, roomID, seqs[n]), `"deleted":true`)
				n++
			}
			report(b, meter, n)
		})
	}
	b.Run("mark-thread-read", func(b *testing.B) {
		a, meter, roomID := conversationApp(b)
		call(b, a, "send", fmt.Sprintf(`{"action":"sendMessage","roomId":%q,"clientId":"p-1","text":"shall we ship it?"}`, roomID), `"ack"`)
		parent := lastSeq(b, a, roomID)
		call(b, a, "send", fmt.Sprintf(`{"action":"sendMessage","roomId":%q,"clientId":"r-first","text":"first","parentSeq":%d}`, roomID, parent), `"parentChg"`)
		meter.reset()
		n := 0
		for b.Loop() {
			n++
			call(b, a, "markThreadRead", fmt.Sprintf(`{"action":"markThreadRead","roomId":%q,"parentSeq":%d,"seq":%d}`, roomID, parent, parent+1+int64(n)), `"following":true`)
		}
		report(b, meter, n)
	})
	b.Run("thread-history", func(b *testing.B) {
		a, meter, roomID := conversationApp(b)
		call(b, a, "send", fmt.Sprintf(`{"action":"sendMessage","roomId":%q,"clientId":"p-1","text":"shall we ship it?"}`, roomID), `"ack"`)
		parent := lastSeq(b, a, roomID)
		for i := range 60 {
			call(b, a, "send", fmt.Sprintf(`{"action":"sendMessage","roomId":%q,"clientId":"r-%d","text":"benchmark reply number %d, a typical short chat line","parentSeq":%d}`, roomID, i, i, parent), `"ack"`)
		}
		meter.reset()
		n := 0
		for b.Loop() {
			body := call(b, a, "threadHistory", fmt.Sprintf(`{"action":"threadHistory","roomId":%q,"parentSeq":%d,"limit":50}`, roomID, parent), `"threadHistory"`)
			if got := strings.Count(body, `"parentSeq":`) - 1; got != 50 { // and the event's own
				b.Fatalf("page of %d replies", got)
			}
			n++
		}
		report(b, meter, n)
	})
}

// ackSeq reads the seq of the message an ack carries.
func ackSeq(b *testing.B, body string) int64 {
	b.Helper()
	var ack struct {
		Message struct {
			Seq int64 `json:"seq"`
		} `json:"message"`
	}
	if err := json.Unmarshal([]byte(body), &ack); err != nil || ack.Message.Seq == 0 {
		b.Fatalf("ack %.300s: %v", body, err)
	}
	return ack.Message.Seq
}
