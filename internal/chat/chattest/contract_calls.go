package chattest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// contractCalls: one call per room, written at a version; an expired call
// is still read (the service ends it) but gives way to a new one.
func contractCalls(t *testing.T, s chat.CallStore) {
	ctx := context.Background()
	room := uniq("c_call")
	now := ms(time.Now())
	call := chat.Call{ID: chat.NewCallID(room, "k1"), RoomID: room, State: chat.CallRinging, Video: true, StartedBy: "ada", StartedAt: now,
		MaxSize: 6, Rung: []string{"bo"}, Joined: []string{}}
	if err := call.Join("ada", "conn-a", chat.CallMedia{Audio: true, Video: true}, now); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateCall(ctx, call); err != nil {
		t.Fatal(err)
	}
	other := call
	other.ID = chat.NewCallID(room, "k2")
	wantCode(t, "a second live call in the room", s.CreateCall(ctx, other), chat.Conflict)
	got, err := s.RoomCall(ctx, room)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != call.ID || got.Version != 1 || got.State != chat.CallRinging || !got.Video || got.StartedBy != "ada" || !got.StartedAt.Equal(now) ||
		len(got.Participants) != 1 || got.Participants[0].ConnectionID != "conn-a" || !got.Participants[0].SeenAt.Equal(now) ||
		!got.Participants[0].Audio || !got.Participants[0].Video || got.Participants[0].Screen ||
		!slices.Equal(got.Rung, []string{"bo"}) || !slices.Equal(got.Joined, []string{"ada"}) || got.MaxSize != 6 || !got.ExpiresAt.Equal(call.ExpiresAt) {
		t.Fatalf("RoomCall = %+v", got)
	}
	_, err = s.RoomCall(ctx, uniq("c_none"))
	wantCode(t, "a room without a call", err, chat.NotFound)

	// Two writers read version 1: the first wins, the second conflicts.
	a, b := got, got
	if err := a.Join("bo", "conn-b", chat.CallMedia{Audio: true}, now.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	stored, err := s.UpdateCall(ctx, a)
	if err != nil || stored.Version != 2 {
		t.Fatalf("UpdateCall = %+v, %v", stored, err)
	}
	b.Decline("bo")
	_, err = s.UpdateCall(ctx, b)
	wantCode(t, "an update at a stale version", err, chat.Conflict)
	wantCode(t, "a delete at a stale version", s.DeleteCall(ctx, b), chat.Conflict)
	got, err = s.RoomCall(ctx, room)
	if err != nil || got.State != chat.CallActive || len(got.Participants) != 2 || !got.AnsweredAt.Equal(now.Add(time.Second)) || got.Version != 2 {
		t.Fatalf("after the join: %+v, %v", got, err)
	}
	if err := s.DeleteCall(ctx, got); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "deleting it again", s.DeleteCall(ctx, got), chat.NotFound)
	_, err = s.RoomCall(ctx, room)
	wantCode(t, "the ended call", err, chat.NotFound)

	// An expired call is read back, and a new call replaces it.
	old := call
	old.ID = chat.NewCallID(room, "k3")
	old.Participants[0].SeenAt = now.Add(-time.Hour)
	old.Refresh()
	if err := s.CreateCall(ctx, old); err != nil {
		t.Fatal(err)
	}
	if got, err := s.RoomCall(ctx, room); err != nil || got.ID != old.ID || got.Live(now) {
		t.Fatalf("an expired call: %+v, %v", got, err)
	}
	if err := s.CreateCall(ctx, other); err != nil {
		t.Fatalf("a new call over an expired one: %v", err)
	}
	if got, err := s.RoomCall(ctx, room); err != nil || got.ID != other.ID {
		t.Fatalf("after the new call: %+v, %v", got, err)
	}

	// The connection remembers the call it joined; a gone one is no error.
	if st, ok := s.(chat.Store); ok {
		conn := uniq("conn-call")
		if err := st.PutConnection(ctx, chat.Connection{ID: conn, Identity: chat.Identity{UserID: "ada"}, ConnectedAt: now}, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.SetConnectionCall(ctx, conn, other.ID); err != nil {
			t.Fatal(err)
		}
		if got, err := st.GetConnection(ctx, conn); err != nil || got.CallID != other.ID {
			t.Fatalf("the connection's call: %+v, %v; want %s", got, err, other.ID)
		}
		gone := uniq("conn-gone")
		if err := s.SetConnectionCall(ctx, gone, other.ID); err != nil {
			t.Errorf("SetConnectionCall on a gone connection: %v", err)
		}
		if _, err := st.GetConnection(ctx, gone); chat.ErrorCode(err) != chat.NotFound {
			t.Errorf("SetConnectionCall created a connection: %v", err)
		}
	}
}
