package outhook_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/outhook"
)

// An end-to-end encrypted message is never sent to an outgoing webhook
// (issue #19), not even to one that takes every message.
func TestDeliverSkipsEncryptedMessages(t *testing.T) {
	var posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { posts.Add(1) }))
	defer srv.Close()
	store := fakeStore{
		hooks: []chat.Integration{{ID: "b", Kind: chat.KindOutgoing, URL: srv.URL + "/b", Secret: "sec/b", AllMessages: true}},
		msgs:  map[int64]chat.Message{1: {RoomID: "c_ops", Seq: 1, SenderID: "ann", Encrypted: &chat.EncryptedContent{V: 1, Epoch: 1, CT: "x"}}},
	}
	d := &outhook.Deliverer{Store: store, Client: &outhook.Client{AllowPrivate: true}, Backoff: []time.Duration{time.Millisecond}}
	if err := d.Deliver(context.Background(), created(1, "ann")); err != nil {
		t.Fatal(err)
	}
	if n := posts.Load(); n != 0 {
		t.Fatalf("%d posts for an encrypted message", n)
	}
}
