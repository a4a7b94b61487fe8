package protocol

import "testing"

func TestEveryActionHasARequestType(t *testing.T) {
	if len(Requests) != len(Actions) {
		t.Fatalf("Requests has %d entries, Actions %d", len(Requests), len(Actions))
	}
	for _, a := range Actions {
		if _, ok := Requests[a]; !ok {
			t.Errorf("action %q has no request type", a)
		}
	}
}
