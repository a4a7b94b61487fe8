package service_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// noErasure accepts every erasure job (the matrix's world).
type noErasure struct{}

func (noErasure) EnqueueErasure(context.Context, chat.ErasureJob) error { return nil }

// jobQueue records the jobs.
type jobQueue struct {
	mu   sync.Mutex
	jobs []chat.ErasureJob
}

func (q *jobQueue) EnqueueErasure(_ context.Context, j chat.ErasureJob) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.jobs = append(q.jobs, j)
	return nil
}

// TestDeleteAccountNeedsTheTypedConfirmation: without "DELETE" nothing is
// queued and the person stays; with it the profile is refused at once
// ($connect answers forbidden) and one job carrying only the id is queued.
func TestDeleteAccountNeedsTheTypedConfirmation(t *testing.T) {
	q := &jobQueue{}
	h := newHarness(t, func(c *service.Config) { c.Erasure = q })
	c := h.connect("u1", "c1")
	for _, confirm := range []string{"", "delete", "DELETE "} {
		if _, err := h.svc.DeleteAccount(h.ctx, c, protocol.DeleteAccountRequest{Confirm: confirm}); chat.ErrorCode(err) != chat.Invalid {
			t.Errorf("confirm %q: %v, want invalid", confirm, err)
		}
	}
	if len(q.jobs) != 0 {
		t.Fatalf("jobs queued without confirmation: %+v", q.jobs)
	}
	ev, err := h.svc.DeleteAccount(h.ctx, c, protocol.DeleteAccountRequest{Confirm: "DELETE"})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Type != protocol.EventAccountDeletion || ev.UserID != "u1" || ev.Policy != "erase" {
		t.Errorf("answer = %+v", ev)
	}
	if len(q.jobs) != 1 || q.jobs[0] != (chat.ErasureJob{UserID: "u1"}) {
		t.Errorf("jobs = %+v", q.jobs)
	}
	err = h.svc.Connect(h.ctx, chat.Connection{ID: "c2", Identity: chat.Identity{UserID: "u1", Username: "u1"}})
	if chat.ErrorCode(err) != chat.Forbidden {
		t.Errorf("$connect after deletion: %v, want forbidden", err)
	}
}

// TestDeleteAccountOffWithoutQueue: no queue, no deletion (internal), and
// nothing is marked.
func TestDeleteAccountOffWithoutQueue(t *testing.T) {
	h := newHarness(t)
	c := h.connect("u1", "c1")
	if _, err := h.svc.DeleteAccount(h.ctx, c, protocol.DeleteAccountRequest{Confirm: "DELETE"}); chat.ErrorCode(err) != chat.Internal {
		t.Errorf("without a queue: %v, want internal", err)
	}
	if err := h.svc.Connect(h.ctx, chat.Connection{ID: "c2", Identity: chat.Identity{UserID: "u1", Username: "u1"}}); err != nil {
		t.Errorf("$connect: %v", err)
	}
}

func TestParseErasurePolicy(t *testing.T) {
	for in, want := range map[string]chat.ErasurePolicy{"": chat.ErasureErase, "erase": chat.ErasureErase, "Anonymise": chat.ErasureAnonymise, "anonymize": chat.ErasureAnonymise} {
		if got, err := chat.ParseErasurePolicy(in); err != nil || got != want {
			t.Errorf("ParseErasurePolicy(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := chat.ParseErasurePolicy("keep"); err == nil {
		t.Error("keep: no error")
	}
}

// TestDirectWithDeletedPartnerIsReadOnly: once the only other person of a
// direct conversation deleted their account, every write there answers
// read_only ("… deleted their account: this conversation is read-only"):
// sendMessage, a thread reply, createPoll, vote, closePoll,
// scheduleMessage, editMessage, react, pinMessage (requestUpload: the
// policy test); nothing
// is stored. Reading, marking read, saving and deleting one's own message
// stay; a group DM with someone left keeps working.
func TestDirectWithDeletedPartnerIsReadOnly(t *testing.T) {
	timer := newFakeTimer()
	h := newHarness(t, func(c *service.Config) { c.Timer = timer })
	ann, cy := h.connect("ann", "c-ann"), h.connect("cy", "c-cy")
	h.connect("bob", "c-bob")
	dm, err := h.svc.OpenDirect(h.ctx, ann, protocol.OpenDirectRequest{UserIDs: []string{"bob"}})
	if err != nil {
		t.Fatal(err)
	}
	group, err := h.svc.OpenDirect(h.ctx, ann, protocol.OpenDirectRequest{UserIDs: []string{"bob", "cy"}})
	if err != nil {
		t.Fatal(err)
	}
	gone := h.send(ann, dm.Room.ID, "to be deleted")
	poll, err := h.svc.CreatePoll(h.ctx, ann, protocol.CreatePollRequest{RoomID: dm.Room.ID, ClientID: "poll-1", Question: "tea?", Options: []string{"yes", "no"}})
	if err != nil {
		t.Fatal(err)
	}
	before := h.send(ann, dm.Room.ID, "see you")
	h.store.Tombstone("bob")

	readOnly := func(what string, err error) {
		t.Helper()
		wantCode(t, err, chat.ReadOnly)
		if err == nil || !strings.Contains(err.Error(), "the other person deleted their account: this conversation is read-only") {
			t.Errorf("%s: %v", what, err)
		}
	}
	_, err = h.svc.SendMessage(h.ctx, ann, protocol.SendMessageRequest{RoomID: dm.Room.ID, ClientID: "late-1", Text: "still there?"})
	readOnly("sendMessage", err)
	_, err = h.svc.SendMessage(h.ctx, ann, protocol.SendMessageRequest{RoomID: dm.Room.ID, ClientID: "late-4", Text: "in a thread", ParentSeq: before.Seq})
	readOnly("thread reply", err)
	_, err = h.svc.CreatePoll(h.ctx, ann, protocol.CreatePollRequest{RoomID: dm.Room.ID, ClientID: "late-2", Question: "lunch?", Options: []string{"yes", "no"}})
	readOnly("createPoll", err)
	_, err = h.svc.Vote(h.ctx, ann, protocol.VoteRequest{RoomID: dm.Room.ID, Seq: poll.Message.Seq, Options: []int{0}})
	readOnly("vote", err)
	_, err = h.svc.ClosePoll(h.ctx, ann, protocol.MessageRef{RoomID: dm.Room.ID, Seq: poll.Message.Seq})
	readOnly("closePoll", err)
	_, err = h.svc.ScheduleMessage(h.ctx, ann, protocol.ScheduleMessageRequest{RoomID: dm.Room.ID, ClientID: "late-3", Text: "later", At: h.now.Add(time.Hour)})
	readOnly("scheduleMessage", err)
	_, err = h.svc.EditMessage(h.ctx, ann, protocol.EditMessageRequest{RoomID: dm.Room.ID, Seq: before.Seq, Text: "edited"})
	readOnly("editMessage", err)
	_, err = h.svc.React(h.ctx, ann, protocol.ReactRequest{RoomID: dm.Room.ID, Seq: before.Seq, Emoji: "👍", On: true})
	readOnly("react", err)
	_, err = h.svc.PinMessage(h.ctx, ann, protocol.PinMessageRequest{RoomID: dm.Room.ID, Seq: before.Seq, Pinned: true})
	readOnly("pinMessage", err)
	if n := len(timer.fires()); n != 0 {
		t.Errorf("%d schedules created", n)
	}
	hist, err := h.svc.History(h.ctx, ann, protocol.HistoryRequest{RoomID: dm.Room.ID})
	if err != nil {
		t.Fatal(err)
	}
	var last chat.Message
	for _, m := range hist.Messages {
		if m.Seq > last.Seq {
			last = m
		}
	}
	if last.Seq != before.Seq || last.Text != "see you" || !last.EditedAt.IsZero() || len(last.Reactions) != 0 || last.PinnedBy != "" {
		t.Errorf("last message %+v, want the one sent before (seq %d), unchanged", last, before.Seq)
	}
	// What only reads or takes one's own words back still works.
	if _, err := h.svc.MarkRead(h.ctx, ann, protocol.MarkReadRequest{RoomID: dm.Room.ID, Seq: before.Seq}); err != nil {
		t.Errorf("markRead: %v", err)
	}
	if _, err := h.svc.SaveMessage(h.ctx, ann, protocol.SaveMessageRequest{RoomID: dm.Room.ID, Seq: before.Seq, Saved: true}); err != nil {
		t.Errorf("saveMessage: %v", err)
	}
	if _, err := h.svc.DeleteMessage(h.ctx, ann, protocol.MessageRef{RoomID: dm.Room.ID, Seq: gone.Seq}); err != nil {
		t.Errorf("deleteMessage of her own: %v", err)
	}
	// The group DM still has cy.
	h.send(ann, group.Room.ID, "hi both")
	h.send(cy, group.Room.ID, "hi")
}
