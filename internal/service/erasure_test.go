package service_test

import (
	"context"
	"sync"
	"testing"

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
