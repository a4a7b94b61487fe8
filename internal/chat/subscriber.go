package chat

import "context"

// EventSubscriber receives the domain events a use case publishes,
// in-process and synchronously, before the use case answers. The WebSocket
// push (internal/service.Push) is one; tests record with
// chattest.Events. (Consumers that must not run inside a request are
// EventConsumers of the stream instead.)
type EventSubscriber interface {
	// Notify handles ev and returns how many client connections it
	// delivered it to: the WebSocket push's fan-out count, 0 for
	// subscribers that deliver to no client. The publisher sums the
	// subscribers' counts (sendMessage's ack reports it as Delivered).
	// Notify cannot fail the use case, whose change is stored by then: a
	// subscriber logs its own failures.
	Notify(ctx context.Context, ev Event) int
}
