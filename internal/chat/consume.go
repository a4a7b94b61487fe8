package chat

import "fmt"

// PartialFailure is the error an EventConsumer returns when it handled
// events[:Index] and failed from events[Index] on (ordered consumers stop
// at the first failure). The stream handler uses Index to report the
// record that produced that event, and every record after it, as failed;
// any other error fails every record that produced events.
type PartialFailure struct {
	Index int
	Err   error
}

func (e *PartialFailure) Error() string {
	return fmt.Sprintf("event %d and after failed: %v", e.Index, e.Err)
}

func (e *PartialFailure) Unwrap() error { return e.Err }
