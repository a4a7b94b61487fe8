package service

import (
	"context"
	"sync"

	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Admission: the dispatcher (wsapi) charges every action's rate budget
// (Charge) before running it, which costs a round trip to the store. For
// the actions in overlapsCharge the service's method overlaps its own
// reads with that charge instead: the dispatcher starts the charge, puts
// its result in the context (WithAdmission) and calls the method at once;
// the method waits for the admission (admitted) before its first write
// and, like every method, refuses when it is refused. The dispatcher waits
// for the charge afterwards too, so a refused charge always answers
// rate_limited, whatever the method did with its reads.

// overlapsCharge lists the actions whose method waits for its admission
// itself, before its first write.
var overlapsCharge = map[string]bool{protocol.ActionSendMessage: true}

// OverlapsCharge reports whether action's method may run concurrently with
// its rate-budget charge (it calls admitted before writing).
func (s *Chat) OverlapsCharge(action string) bool { return overlapsCharge[action] }

type admissionKey struct{}

// Admission is a rate-budget charge in flight.
type Admission struct {
	once sync.Once
	done chan error
	err  error
}

// StartCharge begins charging budget b to the user in the background.
func (s *Chat) StartCharge(ctx context.Context, userID string, b protocol.Budget) *Admission {
	a := &Admission{done: make(chan error, 1)}
	go func() { a.done <- s.Charge(ctx, userID, b) }()
	return a
}

// Wait returns the charge's result (nil: admitted); it may be called many
// times.
func (a *Admission) Wait() error {
	a.once.Do(func() { a.err = <-a.done })
	return a.err
}

// WithAdmission returns ctx carrying a charge in flight for the action the
// method called with it runs.
func WithAdmission(ctx context.Context, a *Admission) context.Context {
	return context.WithValue(ctx, admissionKey{}, a)
}

// admitted waits for the charge in ctx, if any: a method in overlapsCharge
// calls it before its first write. Without one (the dispatcher charged
// before calling, or a direct call) it admits at once.
func admitted(ctx context.Context) error {
	if a, ok := ctx.Value(admissionKey{}).(*Admission); ok {
		if err := a.Wait(); err != nil {
			return err
		}
	}
	return nil
}

// firstErr returns the first non-nil error, in the order of precedence the
// caller lists them.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
