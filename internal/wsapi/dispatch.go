package wsapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// action is one row of the action table bound to the service method that
// runs it. Binding happens once, when the handler is built; a frame then
// costs one decode and one call.
type action struct {
	spec   protocol.ActionSpec
	name   string        // the method's name
	method reflect.Value // the method, bound to the service
	frame  reflect.Type  // what one frame of this action decodes into (frameType)
	// request and reply are the row's types; nil when it has none.
	request, reply reflect.Type
}

var (
	contextType    = reflect.TypeFor[context.Context]()
	connectionType = reflect.TypeFor[chat.Connection]()
	errorType      = reflect.TypeFor[error]()
	rawType        = reflect.TypeFor[json.RawMessage]()
	headType       = reflect.TypeFor[protocol.Head]()
)

// bind finds, for every row of table, the method of svc that runs it: the
// method named like the action, ignoring case (sendMessage: SendMessage,
// requestAvatarUrl: RequestAvatarURL), with the signature the row implies:
//
//	func(ctx context.Context[, c chat.Connection][, r Request]) ([Reply, ]error)
//
// The connection is there unless the row needs none, the request when the
// row has one, the reply (the Go type of the row's event) unless success
// sends nothing back. Every row that does not bind is reported.
func bind(svc any, table []protocol.ActionSpec) (map[string]*action, error) {
	recv := reflect.ValueOf(svc)
	// The receiver's methods by lower-cased name, looked through once.
	methods := map[string][]int{}
	for i := range recv.NumMethod() {
		name := strings.ToLower(recv.Type().Method(i).Name)
		methods[name] = append(methods[name], i)
	}
	actions := make(map[string]*action, len(table))
	var errs []error
	for _, spec := range table {
		if _, dup := actions[spec.Name]; dup {
			errs = append(errs, fmt.Errorf("action %s: listed twice", spec.Name))
			continue
		}
		a, err := bindOne(recv, methods, spec)
		if err != nil {
			errs = append(errs, fmt.Errorf("action %s: %w", spec.Name, err))
			continue
		}
		actions[spec.Name] = a
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("wsapi: the action table does not match %T:\n%w", svc, err)
	}
	return actions, nil
}

func bindOne(recv reflect.Value, methods map[string][]int, spec protocol.ActionSpec) (*action, error) {
	if spec.Name == "" {
		return nil, errors.New("no name")
	}
	if !spec.Budget.Valid() {
		return nil, fmt.Errorf("no valid rate budget (%v)", spec.Budget)
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

	in := []reflect.Type{contextType}
	if !spec.NoConnection {
		in = append(in, connectionType)
	}
	if a.request != nil {
		in = append(in, a.request)
	}
	out := []reflect.Type{errorType}
	if a.reply != nil {
		out = []reflect.Type{a.reply, errorType}
	}
	want := reflect.FuncOf(in, out, false)

	found := methods[strings.ToLower(spec.Name)]
	switch {
	case len(found) == 0:
		return nil, fmt.Errorf("no service method %s%s", strings.ToUpper(spec.Name[:1])+spec.Name[1:], strings.TrimPrefix(want.String(), "func"))
	case len(found) > 1:
		return nil, fmt.Errorf("several service methods match: %s and %s", recv.Type().Method(found[0]).Name, recv.Type().Method(found[1]).Name)
	}
	a.name = recv.Type().Method(found[0]).Name
	a.method = recv.Method(found[0])
	if got := a.method.Type(); got != want {
		return nil, fmt.Errorf("method %s is %v, want %v", a.name, got, want)
	}
	a.frame = frameType(a.request)
	return a, nil
}

// call runs the action's method with the frame's request and returns a
// pointer to the reply event, or nil when there is none.
func (a *action) call(ctx context.Context, c chat.Connection, f frame) (any, error) {
	args := make([]reflect.Value, 0, 3)
	args = append(args, reflect.ValueOf(&ctx).Elem())
	if !a.spec.NoConnection {
		args = append(args, reflect.ValueOf(c))
	}
	if a.request != nil {
		args = append(args, f.request)
	}
	out := a.method.Call(args)
	if err, _ := out[len(out)-1].Interface().(error); err != nil {
		return nil, err
	}
	if a.reply == nil {
		return nil, nil
	}
	ev := reflect.New(a.reply)
	ev.Elem().Set(out[0])
	return ev.Interface(), nil
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
