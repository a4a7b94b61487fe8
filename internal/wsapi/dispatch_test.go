package wsapi

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Every row of the action table binds to a method of the real service.
func TestEveryActionHasAServiceMethod(t *testing.T) {
	c := newTestChat(t)
	actions, err := bind(c.svc, protocol.ActionTable)
	if err != nil {
		t.Fatal(err)
	}
	if len(actions) != len(protocol.ActionTable) {
		t.Fatalf("bound %d actions, the table has %d", len(actions), len(protocol.ActionTable))
	}
	if a := actions[protocol.ActionRequestAvatarURL]; a == nil || a.name != "RequestAvatarURL" {
		t.Errorf("requestAvatarUrl bound to %+v, want RequestAvatarURL (names match ignoring case)", a)
	}
	// A row added without its method fails the handler's construction.
	extra := append(slices.Clone(protocol.ActionTable), protocol.ActionSpec{
		Name: "pinMessage", Request: protocol.MessageRef{}, Reply: protocol.EventMessageUpdated, Budget: protocol.BudgetWrite,
	})
	_, err = bind(c.svc, extra)
	if err == nil || !strings.Contains(err.Error(), "action pinMessage: no service method PinMessage(context.Context, chat.Connection, protocol.MessageRef) (protocol.MessageEvent, error)") {
		t.Fatalf("bind with a row lacking its method: %v", err)
	}
}

// stubService has methods that match, and do not match, the rows of
// TestBindChecksTheSignature.
type stubService struct{}

func (stubService) Knock(context.Context) (protocol.PongEvent, error) {
	return protocol.PongEvent{}, nil
}
func (stubService) Frob(context.Context, chat.Connection, protocol.RoomRequest) (protocol.RoomEvent, error) {
	return protocol.RoomEvent{}, nil
}
func (stubService) Hush(context.Context, chat.Connection, protocol.RoomRequest) error { return nil }
func (stubService) Look(context.Context, chat.Connection) (protocol.StateEvent, error) {
	return protocol.StateEvent{}, nil
}
func (stubService) Twin(context.Context) error { return nil }
func (stubService) TWIN(context.Context) error { return nil }

func TestBindChecksTheSignature(t *testing.T) {
	room := protocol.RoomRequest{}
	good := []protocol.ActionSpec{
		{Name: "knock", Reply: protocol.EventPong, Budget: protocol.BudgetNone, NoConnection: true},
		{Name: "frob", Request: room, Reply: protocol.EventRoom, Budget: protocol.BudgetWrite},
		{Name: "hush", Request: room, Budget: protocol.BudgetNone},
		{Name: "look", Reply: protocol.EventState, Budget: protocol.BudgetRead},
	}
	if actions, err := bind(stubService{}, good); err != nil || len(actions) != len(good) {
		t.Fatalf("bind = %v, %v", actions, err)
	}
	cases := []struct {
		row  protocol.ActionSpec
		want string
	}{
		{protocol.ActionSpec{Name: "vanish", Request: room, Reply: protocol.EventRoom, Budget: protocol.BudgetWrite},
			"no service method Vanish(context.Context, chat.Connection, protocol.RoomRequest) (protocol.RoomEvent, error)"},
		{protocol.ActionSpec{Name: "frob", Request: protocol.MessageRef{}, Reply: protocol.EventRoom, Budget: protocol.BudgetWrite},
			"method Frob is func(context.Context, chat.Connection, protocol.RoomRequest) (protocol.RoomEvent, error), want func(context.Context, chat.Connection, protocol.MessageRef) (protocol.RoomEvent, error)"},
		{protocol.ActionSpec{Name: "frob", Request: room, Reply: protocol.EventAck, Budget: protocol.BudgetWrite}, "method Frob is"},
		{protocol.ActionSpec{Name: "frob", Request: room, Budget: protocol.BudgetWrite}, "method Frob is"}, // the row has no reply
		{protocol.ActionSpec{Name: "hush", Request: room, Reply: protocol.EventRoom, Budget: protocol.BudgetNone}, "method Hush is"},
		{protocol.ActionSpec{Name: "look", Request: room, Reply: protocol.EventState, Budget: protocol.BudgetRead}, "method Look is"},
		{protocol.ActionSpec{Name: "look", Reply: protocol.EventState, Budget: protocol.BudgetRead, NoConnection: true}, "budget read needs the caller's connection"},
		{protocol.ActionSpec{Name: "knock", Reply: protocol.EventPong, Budget: protocol.BudgetNone}, "method Knock is"}, // the row needs a connection
		{protocol.ActionSpec{Name: "frob", Request: room, Reply: protocol.EventRoom}, "no valid rate budget (Budget(0))"},
		{protocol.ActionSpec{Name: "frob", Request: room, Reply: "nope", Budget: protocol.BudgetWrite}, `reply "nope" is not an event type`},
		{protocol.ActionSpec{Name: "twin", Budget: protocol.BudgetNone, NoConnection: true}, "several service methods match"},
	}
	for _, tc := range cases {
		_, err := bind(stubService{}, []protocol.ActionSpec{tc.row})
		if err == nil || !strings.Contains(err.Error(), "action "+tc.row.Name+": "+tc.want) {
			t.Errorf("%+v: bind error %v, want %q", tc.row, err, tc.want)
		}
	}
	if _, err := bind(stubService{}, []protocol.ActionSpec{good[0], good[0]}); err == nil || !strings.Contains(err.Error(), "action knock: listed twice") {
		t.Errorf("a row listed twice: %v", err)
	}
}
