package protocol

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// Every row names a valid rate budget; a forgotten one is the zero value.
func TestEveryActionHasAValidBudget(t *testing.T) {
	for _, a := range ActionTable {
		if !a.Budget.Valid() {
			t.Errorf("action %s has no valid rate budget (%v)", a.Name, a.Budget)
		}
		if a.NoConnection && a.Budget != BudgetNone {
			t.Errorf("action %s needs no connection but has budget %v: a budget is charged to the caller's user", a.Name, a.Budget)
		}
	}
	if Budget(0).Valid() || Budget(0).String() != "Budget(0)" || BudgetDownload.String() != "download" {
		t.Error("the zero Budget must be invalid, the others named")
	}
}

func TestActionTableRows(t *testing.T) {
	seen := map[string]bool{}
	headType := reflect.TypeFor[Head]()
	for _, a := range ActionTable {
		if a.Name == "" || strings.HasPrefix(a.Name, "$") {
			t.Errorf("action %q: a route key must be a plain name", a.Name)
		}
		if seen[a.Name] {
			t.Errorf("action %s appears twice", a.Name)
		}
		seen[a.Name] = true
		if rt := a.RequestType(); rt != nil {
			if rt.Kind() != reflect.Struct || rt.Name() == "" || rt.NumField() == 0 {
				t.Errorf("action %s: request %v must be a named struct with fields (nil for none)", a.Name, rt)
			} else {
				for _, f := range reflect.VisibleFields(rt) {
					name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
					if strings.EqualFold(name, "action") || strings.EqualFold(name, "requestId") {
						t.Errorf("action %s: request field %s collides with the envelope", a.Name, f.Name)
					}
				}
			}
		}
		if a.Reply != "" {
			rt := a.ReplyType()
			if rt == nil {
				t.Errorf("action %s: reply %q is not an event type", a.Name, a.Reply)
				continue
			}
			if f, ok := rt.FieldByName("Head"); !ok || f.Type != headType || !f.Anonymous {
				t.Errorf("action %s: reply %v does not embed Head", a.Name, rt)
			}
		}
	}
}

func TestListsAreDerivedFromTheTable(t *testing.T) {
	if len(Actions) != len(ActionTable) || len(Requests) != len(ActionTable) {
		t.Fatalf("Actions %d, Requests %d, table %d", len(Actions), len(Requests), len(ActionTable))
	}
	for i, a := range ActionTable {
		if Actions[i] != a.Name {
			t.Errorf("Actions[%d] = %s, want %s", i, Actions[i], a.Name)
		}
		want := a.Request
		if want == nil {
			want = struct{}{}
		}
		if reflect.TypeOf(Requests[a.Name]) != reflect.TypeOf(want) {
			t.Errorf("Requests[%s] = %T, want %T", a.Name, Requests[a.Name], want)
		}
		if got, ok := LookupAction(a.Name); !ok || got.Name != a.Name {
			t.Errorf("LookupAction(%s) = %v, %v", a.Name, got, ok)
		}
	}
	if _, ok := LookupAction("nope"); ok {
		t.Error("LookupAction found an unknown action")
	}
	// The table as the issue names it: ping alone needs no connection,
	// typing, setVisibility (issue #13), callSignal (issue #18, a relayed
	// signal: only a refusal answers) and deviceMessage (issue #19, the
	// same between encryption devices) alone have no reply.
	var anon, silent []string
	for _, a := range ActionTable {
		if a.NoConnection {
			anon = append(anon, a.Name)
		}
		if a.Reply == "" {
			silent = append(silent, a.Name)
		}
	}
	if !slices.Equal(anon, []string{ActionPing}) || !slices.Equal(silent, []string{ActionTyping, ActionSetVisibility, ActionCallSignal, ActionDeviceMessage}) {
		t.Errorf("no connection: %v, no reply: %v", anon, silent)
	}
}
