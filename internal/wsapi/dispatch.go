package wsapi

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// action is one row of the action table bound to the generated invoker
// that runs its service method. Binding happens once, when the handler is
// built; a frame then costs one decode and one call.
type action struct {
	spec   protocol.ActionSpec
	name   string       // the method's name
	invoke invokeFunc   // calls the method (actions.gen.go)
	frame  reflect.Type // what one frame of this action decodes into (frameType)
	// request and reply are the row's types; nil when it has none.
	request, reply reflect.Type
}

// invokeFunc calls one service method: with the caller's connection unless
// the action needs none, with the request (a value of the row's request
// type) when it has one. It returns a pointer to the reply event, or nil
// when there is none.
type invokeFunc func(s *service.Chat, ctx context.Context, c chat.Connection, req reflect.Value) (any, error)

// invoker is what scripts/gen-protocol wrote for one row (actions.gen.go):
// the service method it calls, the row it was written for, and the call.
// Writing it, the generator found the method by name and checked its
// signature; the compile checks the call.
type invoker struct {
	method         string
	request, reply reflect.Type // nil when the row had none
	noConnection   bool
	call           invokeFunc
}

var headType = reflect.TypeFor[protocol.Head]()

// regenerate is the fix for a table and actions.gen.go that disagree.
const regenerate = "actions.gen.go is stale: run go run ./scripts/gen-protocol"

// bind pairs every row of table with its generated invoker and checks the
// row. An invoker written for another version of the row (a changed
// request, reply or connection need), or a row with no invoker, means the
// generated file is stale. Every row that does not bind is reported.
func bind(table []protocol.ActionSpec, invokers map[string]invoker) (map[string]*action, error) {
	actions := make(map[string]*action, len(table))
	var errs []error
	for _, spec := range table {
		if _, dup := actions[spec.Name]; dup {
			errs = append(errs, fmt.Errorf("action %s: listed twice", spec.Name))
			continue
		}
		a, err := bindOne(spec, invokers)
		if err != nil {
			errs = append(errs, fmt.Errorf("action %s: %w", spec.Name, err))
			continue
		}
		actions[spec.Name] = a
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("wsapi: the action table does not match the service:\n%w", err)
	}
	return actions, nil
}

func bindOne(spec protocol.ActionSpec, invokers map[string]invoker) (*action, error) {
	if spec.Name == "" {
		return nil, errors.New("no name")
	}
	if !spec.Budget.Valid() {
		return nil, fmt.Errorf("no valid rate budget (%v)", spec.Budget)
	}
	if spec.Weight < 0 || (spec.Weight > 1 && spec.Budget != protocol.BudgetRead) {
		return nil, fmt.Errorf("weight %d: only read-budget actions are weighted", spec.Weight)
	}
	if spec.NoConnection && spec.Budget != protocol.BudgetNone {
		return nil, fmt.Errorf("budget %v needs the caller's connection", spec.Budget)
	}
	a := &action{spec: spec, request: spec.RequestType(), reply: spec.ReplyType()}
	if spec.Reply != "" && a.reply == nil {
		return nil, fmt.Errorf("reply %q is not an event type", spec.Reply)
	}
	if a.reply != nil {
		if f, ok := a.reply.FieldByName("Head"); !ok || f.Type != headType || !f.Anonymous {
			return nil, fmt.Errorf("reply %v does not embed protocol.Head", a.reply)
		}
	}
	if a.request != nil && (a.request.Kind() != reflect.Struct || a.request.Name() == "") {
		return nil, fmt.Errorf("request %v is not a named struct", a.request)
	}
	inv, ok := invokers[spec.Name]
	switch {
	case !ok || inv.call == nil:
		return nil, fmt.Errorf("no invoker: %s", regenerate)
	case inv.request != a.request:
		return nil, fmt.Errorf("the invoker of %s takes request %v, the row %v: %s", inv.method, inv.request, a.request, regenerate)
	case inv.reply != a.reply:
		return nil, fmt.Errorf("the invoker of %s returns %v, the row replies %v: %s", inv.method, inv.reply, a.reply, regenerate)
	case inv.noConnection != spec.NoConnection:
		return nil, fmt.Errorf("the invoker of %s has noConnection %t, the row %t: %s", inv.method, inv.noConnection, spec.NoConnection, regenerate)
	}
	a.name, a.invoke = inv.method, inv.call
	a.frame = frameType(a.request)
	return a, nil
}

// setRequestID stamps the client's request id on a reply event. Every event
// type embeds protocol.Head (checked by bind), which has no methods, hence
// reflection.
func setRequestID(ev any, requestID string) {
	v := reflect.ValueOf(ev)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return
	}
	head := v.Elem().FieldByName("Head")
	if head.IsValid() && head.Type() == headType {
		head.Addr().Interface().(*protocol.Head).RequestID = requestID
	}
}
