package wsapi

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// Every row of the action table binds to the generated invoker of its
// service method. (That every row has a method of the right signature is
// checked where the invokers are generated: internal/wsapi/bindgen.)
func TestEveryActionHasAServiceMethod(t *testing.T) {
	actions, err := bind(protocol.ActionTable, invokers())
	if err != nil {
		t.Fatal(err)
	}
	if len(actions) != len(protocol.ActionTable) {
		t.Fatalf("bound %d actions, the table has %d", len(actions), len(protocol.ActionTable))
	}
	if a := actions[protocol.ActionRequestAvatarURL]; a == nil || a.name != "RequestAvatarURL" {
		t.Errorf("requestAvatarUrl bound to %+v, want RequestAvatarURL (names match ignoring case)", a)
	}
	// A row added without running the generator fails the handler's
	// construction.
	extra := append(slices.Clone(protocol.ActionTable), protocol.ActionSpec{
		Name: "frobMessage", Request: protocol.MessageRef{}, Reply: protocol.EventMessageUpdated, Budget: protocol.BudgetWrite,
	})
	_, err = bind(extra, invokers())
	if err == nil || !strings.Contains(err.Error(), "action frobMessage: no invoker: actions.gen.go is stale: run go run ./scripts/gen-protocol") {
		t.Fatalf("bind with a row lacking its invoker: %v", err)
	}
}

func TestBindChecksTheRow(t *testing.T) {
	room := reflect.TypeFor[protocol.RoomRequest]()
	nop := func(*service.Chat, context.Context, chat.Connection, reflect.Value) (any, error) { return nil, nil }
	invs := map[string]invoker{
		"knock": {method: "Knock", reply: reflect.TypeFor[protocol.PongEvent](), noConnection: true, call: nop},
		"frob":  {method: "Frob", request: room, reply: reflect.TypeFor[protocol.RoomEvent](), call: nop},
		"hush":  {method: "Hush", request: room, call: nop},
		"look":  {method: "Look", reply: reflect.TypeFor[protocol.StateEvent](), call: nop},
	}
	good := []protocol.ActionSpec{
		{Name: "knock", Reply: protocol.EventPong, Budget: protocol.BudgetNone, NoConnection: true},
		{Name: "frob", Request: protocol.RoomRequest{}, Reply: protocol.EventRoom, Budget: protocol.BudgetWrite},
		{Name: "hush", Request: protocol.RoomRequest{}, Budget: protocol.BudgetNone},
		{Name: "look", Reply: protocol.EventState, Budget: protocol.BudgetRead},
	}
	actions, err := bind(good, invs)
	if err != nil || len(actions) != len(good) {
		t.Fatalf("bind = %v, %v", actions, err)
	}
	if a := actions["frob"]; a.name != "Frob" || a.invoke == nil || a.request != room || a.frame.NumField() != fieldRequest+1 {
		t.Errorf("frob bound to %+v", a)
	}
	stale := "actions.gen.go is stale: run go run ./scripts/gen-protocol"
	cases := []struct {
		row  protocol.ActionSpec
		want string
	}{
		{protocol.ActionSpec{Name: "vanish", Request: protocol.RoomRequest{}, Reply: protocol.EventRoom, Budget: protocol.BudgetWrite},
			"no invoker: " + stale},
		{protocol.ActionSpec{Name: "frob", Request: protocol.MessageRef{}, Reply: protocol.EventRoom, Budget: protocol.BudgetWrite},
			"the invoker of Frob takes request protocol.RoomRequest, the row protocol.MessageRef: " + stale},
		{protocol.ActionSpec{Name: "frob", Request: protocol.RoomRequest{}, Reply: protocol.EventAck, Budget: protocol.BudgetWrite},
			"the invoker of Frob returns protocol.RoomEvent, the row replies protocol.AckEvent: " + stale},
		{protocol.ActionSpec{Name: "frob", Request: protocol.RoomRequest{}, Budget: protocol.BudgetWrite}, "the invoker of Frob returns"}, // the row has no reply
		{protocol.ActionSpec{Name: "hush", Request: protocol.RoomRequest{}, Reply: protocol.EventRoom, Budget: protocol.BudgetNone}, "the invoker of Hush returns"},
		{protocol.ActionSpec{Name: "look", Request: protocol.RoomRequest{}, Reply: protocol.EventState, Budget: protocol.BudgetRead}, "the invoker of Look takes request"},
		{protocol.ActionSpec{Name: "look", Reply: protocol.EventState, Budget: protocol.BudgetRead, NoConnection: true}, "budget read needs the caller's connection"},
		{protocol.ActionSpec{Name: "knock", Reply: protocol.EventPong, Budget: protocol.BudgetNone}, // the row needs a connection
			"the invoker of Knock has noConnection true, the row false: " + stale},
		{protocol.ActionSpec{Name: "frob", Request: protocol.RoomRequest{}, Reply: protocol.EventRoom}, "no valid rate budget (Budget(0))"},
		{protocol.ActionSpec{Name: "frob", Request: protocol.RoomRequest{}, Reply: "nope", Budget: protocol.BudgetWrite}, `reply "nope" is not an event type`},
		{protocol.ActionSpec{Name: "", Budget: protocol.BudgetNone}, "no name"},
	}
	for _, tc := range cases {
		_, err := bind([]protocol.ActionSpec{tc.row}, invs)
		if err == nil || !strings.Contains(err.Error(), "action "+tc.row.Name+": "+tc.want) {
			t.Errorf("%+v: bind error %v, want %q", tc.row, err, tc.want)
		}
	}
	if _, err := bind([]protocol.ActionSpec{good[0], good[0]}, invs); err == nil || !strings.Contains(err.Error(), "action knock: listed twice") {
		t.Errorf("a row listed twice: %v", err)
	}
}
