// Package bindgen writes internal/wsapi/actions.gen.go: for every row of
// protocol.ActionTable, a typed invoker that calls the service.Chat method
// of the same name. It runs in scripts/gen-protocol, never in a function:
// it finds the methods by reflection, which the handlers must not (a
// reflect Method lookup makes the linker keep every exported method of
// every reachable type). The compile of the generated file then checks
// the signatures again.
package bindgen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/format"
	"reflect"
	"slices"
	"strings"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// Path is where the generated file goes, from the module root.
const Path = "internal/wsapi/actions.gen.go"

// Generate returns the source of actions.gen.go for the real service.
func Generate() ([]byte, error) {
	return GenerateFor(reflect.TypeFor[*service.Chat](), protocol.ActionTable)
}

var (
	contextType    = reflect.TypeFor[context.Context]()
	connectionType = reflect.TypeFor[chat.Connection]()
	errorType      = reflect.TypeFor[error]()
)

// binding is one row with the method that runs it.
type binding struct {
	spec           protocol.ActionSpec
	method         string
	request, reply reflect.Type
}

// GenerateFor returns the source of the invokers of table over the methods
// of recv (the receiver type, *service.Chat). The method of a row is the one
// named like the action, ignoring case (sendMessage: SendMessage,
// requestAvatarUrl: RequestAvatarURL), with the signature the row implies:
//
//	func(ctx context.Context[, c chat.Connection][, r Request]) ([Reply, ]error)
//
// The connection is there unless the row needs none, the request when the
// row has one, the reply (the Go type of the row's event) unless success
// sends nothing back. Every row that has no such method is reported, with
// the method it wants.
func GenerateFor(recv reflect.Type, table []protocol.ActionSpec) ([]byte, error) {
	// The receiver's methods by lower-cased name.
	methods := map[string][]reflect.Method{}
	for i := range recv.NumMethod() {
		m := recv.Method(i)
		name := strings.ToLower(m.Name)
		methods[name] = append(methods[name], m)
	}
	var (
		bindings []binding
		errs     []error
		seen     = map[string]bool{}
	)
	for _, spec := range table {
		if seen[spec.Name] {
			errs = append(errs, fmt.Errorf("action %s: listed twice", spec.Name))
			continue
		}
		seen[spec.Name] = true
		b, err := bindOne(methods, spec)
		if err != nil {
			errs = append(errs, fmt.Errorf("action %s: %w", spec.Name, err))
			continue
		}
		bindings = append(bindings, b)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("the action table does not match %v:\n%w", recv, err)
	}
	return source(recv, bindings)
}

func bindOne(methods map[string][]reflect.Method, spec protocol.ActionSpec) (binding, error) {
	if spec.Name == "" {
		return binding{}, errors.New("no name")
	}
	b := binding{spec: spec, request: spec.RequestType(), reply: spec.ReplyType()}
	if spec.Reply != "" && b.reply == nil {
		return binding{}, fmt.Errorf("reply %q is not an event type", spec.Reply)
	}
	if b.request != nil && (b.request.Kind() != reflect.Struct || b.request.Name() == "") {
		return binding{}, fmt.Errorf("request %v is not a named struct", b.request)
	}
	in := []reflect.Type{contextType}
	if !spec.NoConnection {
		in = append(in, connectionType)
	}
	if b.request != nil {
		in = append(in, b.request)
	}
	out := []reflect.Type{errorType}
	if b.reply != nil {
		out = []reflect.Type{b.reply, errorType}
	}
	want := reflect.FuncOf(in, out, false)

	found := methods[strings.ToLower(spec.Name)]
	switch {
	case len(found) == 0:
		return binding{}, fmt.Errorf("no service method %s%s", strings.ToUpper(spec.Name[:1])+spec.Name[1:], strings.TrimPrefix(want.String(), "func"))
	case len(found) > 1:
		return binding{}, fmt.Errorf("several service methods match: %s and %s", found[0].Name, found[1].Name)
	}
	m := found[0]
	b.method = m.Name
	// m.Type has the receiver first; compare the method's own signature.
	mt := m.Type
	mIn := make([]reflect.Type, 0, mt.NumIn()-1)
	for i := 1; i < mt.NumIn(); i++ {
		mIn = append(mIn, mt.In(i))
	}
	mOut := make([]reflect.Type, mt.NumOut())
	for i := range mOut {
		mOut[i] = mt.Out(i)
	}
	if got := reflect.FuncOf(mIn, mOut, mt.IsVariadic()); got != want {
		return binding{}, fmt.Errorf("method %s is %v, want %v", m.Name, got, want)
	}
	return b, nil
}

// imports collects the packages the generated code names.
type imports map[string]string // path: name

// name is t as Go source names it, its package imported.
func (im imports) name(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return "*" + im.name(t.Elem())
	}
	if t.PkgPath() != "" {
		pkg, _, _ := strings.Cut(t.String(), ".")
		im[t.PkgPath()] = strings.TrimPrefix(pkg, "*")
	}
	return t.String()
}

func source(recv reflect.Type, bindings []binding) ([]byte, error) {
	im := imports{}
	ctx, conn, rt := im.name(contextType), im.name(connectionType), im.name(reflect.TypeFor[reflect.Value]())
	recvName := im.name(recv)

	var body bytes.Buffer
	fmt.Fprintf(&body, "// invokers returns the invokers of the rows of protocol.ActionTable, by\n")
	fmt.Fprintf(&body, "// action: each calls the %s method of the same name with the\n", strings.TrimPrefix(recvName, "*"))
	fmt.Fprintf(&body, "// frame's request. A function, not a variable, so that only a binary that\n")
	fmt.Fprintf(&body, "// builds an ActionHandler links the service methods.\n")
	fmt.Fprintf(&body, "func invokers() map[string]invoker {\nreturn map[string]invoker{\n")
	for _, b := range bindings {
		fmt.Fprintf(&body, "%q: {\n", b.spec.Name)
		fmt.Fprintf(&body, "method: %q,\n", b.method)
		if b.request != nil {
			fmt.Fprintf(&body, "request: reflect.TypeFor[%s](),\n", im.name(b.request))
		}
		if b.reply != nil {
			fmt.Fprintf(&body, "reply: reflect.TypeFor[%s](),\n", im.name(b.reply))
		}
		if b.spec.NoConnection {
			fmt.Fprintf(&body, "noConnection: true,\n")
		}
		cParam, reqParam := "c", "req"
		args := []string{"ctx"}
		if b.spec.NoConnection {
			cParam = "_"
		} else {
			args = append(args, "c")
		}
		if b.request == nil {
			reqParam = "_"
		} else {
			args = append(args, fmt.Sprintf("req.Interface().(%s)", im.name(b.request)))
		}
		fmt.Fprintf(&body, "call: func(s %s, ctx %s, %s %s, %s %s) (any, error) {\n", recvName, ctx, cParam, conn, reqParam, rt)
		call := fmt.Sprintf("s.%s(%s)", b.method, strings.Join(args, ", "))
		if b.reply == nil {
			fmt.Fprintf(&body, "return nil, %s\n", call)
		} else {
			fmt.Fprintf(&body, "ev, err := %s\nif err != nil {\nreturn nil, err\n}\nreturn &ev, nil\n", call)
		}
		fmt.Fprintf(&body, "},\n},\n")
	}
	fmt.Fprintf(&body, "}\n}\n")

	var out bytes.Buffer
	out.WriteString("// Code generated by scripts/gen-protocol; DO NOT EDIT.\n\n")
	out.WriteString("package wsapi\n\nimport (\n")
	paths := make([]string, 0, len(im))
	for p := range im {
		paths = append(paths, p)
	}
	// The standard library first, then the rest, as goimports groups them.
	std := func(p string) bool { first, _, _ := strings.Cut(p, "/"); return !strings.Contains(first, ".") }
	slices.SortFunc(paths, func(a, b string) int {
		if std(a) != std(b) {
			if std(a) {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	for i, p := range paths {
		if i > 0 && std(paths[i-1]) && !std(p) {
			out.WriteString("\n")
		}
		if p[strings.LastIndex(p, "/")+1:] == im[p] {
			fmt.Fprintf(&out, "%q\n", p)
		} else {
			fmt.Fprintf(&out, "%s %q\n", im[p], p)
		}
	}
	out.WriteString(")\n\n")
	out.Write(body.Bytes())
	src, err := format.Source(out.Bytes())
	if err != nil {
		return nil, fmt.Errorf("format the generated code: %w\n%s", err, out.Bytes())
	}
	return src, nil
}
