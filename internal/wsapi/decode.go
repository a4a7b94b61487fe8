package wsapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// frame is a decoded client frame.
type frame struct {
	action    string
	requestID string
	// request holds the action's request fields (when it has any).
	request reflect.Value
	// requestErr is a request field of the wrong type. It is reported only
	// once the caller's connection is known, as it always was: an
	// unregistered connection hears about that first.
	requestErr error
}

// The fields of a frame type (frameType).
const (
	fieldAction    = 2
	fieldRequestID = 3
	fieldRequest   = 4
)

var rawType = reflect.TypeFor[json.RawMessage]()

// envelopeFrame is the frame type of an action that is not known: only its
// envelope is read.
var envelopeFrame = frameType(nil)

// frameType is the struct one frame of an action decodes into, in one
// json.Unmarshal: the envelope ("action", "requestId") as raw values, so
// that their errors can be worded apart, and the request's fields embedded
// (by pointer). encoding/json matches object keys to fields ignoring case,
// which the envelope must not (API Gateway's route selection does not: a
// frame with "Action" has no action). The first two fields catch every
// key that only folds to "action" or "requestId" (encoding/json gives a
// key without an exact match to the first field it folds to), so that only
// the exact keys reach the envelope.
func frameType(request reflect.Type) reflect.Type {
	fields := []reflect.StructField{
		{Name: "FoldedAction", Type: rawType, Tag: `json:"ACTION"`},
		{Name: "FoldedRequestID", Type: rawType, Tag: `json:"REQUESTID"`},
		{Name: "Action", Type: rawType, Tag: `json:"action"`},
		{Name: "RequestID", Type: rawType, Tag: `json:"requestId"`},
	}
	if request != nil {
		// Embedded by pointer: reflect.StructOf cannot embed every struct
		// (one whose only field is a map, say) by value.
		fields = append(fields, reflect.StructField{Name: request.Name(), Type: reflect.PointerTo(request), Anonymous: true})
	}
	return reflect.StructOf(fields)
}

// readBody returns the frame's bytes. API Gateway base64-encodes binary
// frames; they get the same checks as text frames.
func readBody(req events.APIGatewayWebsocketProxyRequest) ([]byte, error) {
	if !req.IsBase64Encoded {
		return []byte(req.Body), nil
	}
	b, err := base64.StdEncoding.DecodeString(req.Body)
	if err != nil {
		return nil, chat.Errorf(chat.Invalid, "binary frame is not valid base64")
	}
	return b, nil
}

// decodeFrame decodes a frame, once, as a frame of action a (nil: an
// unknown action, of which only the envelope is read). On error the
// returned frame still carries whatever of the envelope could be read, so
// the error event can echo it.
//
// Unknown fields are ignored on purpose (a client may send extras such as a
// forged senderId; they have no effect), but a known field of the wrong
// type is an error naming the field (frame.requestErr).
func decodeFrame(body []byte, a *action) (frame, error) {
	var f frame
	// Checked on the raw bytes: encoding/json would silently replace
	// invalid sequences with U+FFFD.
	if !utf8.Valid(body) {
		// The gateway closes such text frames (and every binary one)
		// before they get here; should one arrive anyway, its envelope is
		// still echoed where it can be read.
		if env, err := decodeFrame([]byte(strings.ToValidUTF8(string(body), "\uFFFD")), nil); err == nil || env.action != "" || env.requestID != "" {
			f.action, f.requestID = env.action, env.requestID
		}
		return f, chat.Errorf(chat.Invalid, "frame is not valid UTF-8")
	}
	typ := envelopeFrame
	if a != nil {
		typ = a.frame
	}
	v := reflect.New(typ).Elem()
	err := json.Unmarshal(body, v.Addr().Interface())
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case err == nil:
	case errors.As(err, &syntaxErr):
		return f, chat.Errorf(chat.Invalid, "malformed JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	case errors.As(err, &typeErr) && typeErr.Field == "":
		return f, chat.Errorf(chat.Invalid, "frame must be a JSON object, got %s", jsonKind(typeErr.Value))
	case errors.As(err, &typeErr) && a != nil && a.request != nil:
		// A request field; the rest of the frame was decoded.
		typeErr.Field = strings.TrimPrefix(typeErr.Field, typ.Field(fieldRequest).Name+".")
		f.requestErr = chat.Errorf(chat.Invalid, "%s", typeMismatch(a.request, typeErr))
	default:
		f.requestErr = chat.Errorf(chat.Invalid, "malformed request: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if isNull(body) { // the frame was the literal null
		return f, chat.Errorf(chat.Invalid, "frame must be a JSON object, got null")
	}
	// Both halves of the envelope are read before either is refused, so
	// an error echoes whatever of it could be read.
	var requestIDErr error
	if raw := v.Field(fieldRequestID).Bytes(); len(raw) > 0 && !isNull(raw) {
		if err := json.Unmarshal(raw, &f.requestID); err != nil {
			requestIDErr = chat.Errorf(chat.Invalid, `field "requestId" must be a string`)
		}
	}
	raw := v.Field(fieldAction).Bytes()
	if len(raw) == 0 || isNull(raw) {
		return f, chat.Errorf(chat.Invalid, `missing field "action"`)
	}
	if err := json.Unmarshal(raw, &f.action); err != nil {
		f.action = ""
		return f, chat.Errorf(chat.Invalid, `field "action" must be a string`)
	}
	if requestIDErr != nil {
		return f, requestIDErr
	}
	if a != nil && a.request != nil {
		if p := v.Field(fieldRequest); p.IsNil() { // no request field was sent
			f.request = reflect.Zero(a.request)
		} else {
			f.request = p.Elem()
		}
	}
	return f, nil
}

// typeMismatch words a type error for the client: `field "roomId" must be
// a string`, or `field "rooms" must contain only integers` when an element
// of an array or object is wrong.
func typeMismatch(root reflect.Type, e *json.UnmarshalTypeError) string {
	declared := fieldType(root, e.Field)
	if declared != nil && declared != e.Type && (declared.Kind() == reflect.Slice || declared.Kind() == reflect.Map) {
		return fmt.Sprintf("field %q must contain only %s", e.Field, plural(jsonTypeName(e.Type)))
	}
	return fmt.Sprintf("field %q must be %s", e.Field, jsonTypeName(e.Type))
}

// fieldType follows a dotted JSON path ("attachments.size") through struct
// fields, slices and maps and returns the declared Go type, or nil.
func fieldType(t reflect.Type, path string) reflect.Type {
	for i, name := range strings.Split(path, ".") {
		for t.Kind() == reflect.Pointer || (i > 0 && (t.Kind() == reflect.Slice || t.Kind() == reflect.Map)) {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return nil
		}
		f, ok := jsonField(t, name)
		if !ok {
			return nil
		}
		t = f.Type
	}
	return t
}

// jsonField finds the struct field (embedded ones included) whose JSON name
// is name.
func jsonField(t reflect.Type, name string) (reflect.StructField, bool) {
	for _, f := range reflect.VisibleFields(t) {
		if f.Anonymous || !f.IsExported() {
			continue
		}
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == name || (tag == "" && strings.EqualFold(f.Name, name)) {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// jsonTypeName names the JSON value a Go type expects, with an article.
func jsonTypeName(t reflect.Type) string {
	if t == nil {
		return "a value"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Pointer:
		return jsonTypeName(t.Elem())
	}
	return "a value"
}

func plural(withArticle string) string {
	_, noun, _ := strings.Cut(withArticle, " ")
	return noun + "s"
}

// jsonKind turns encoding/json's description of a value ("array",
// "number 1.5") into the JSON type's name.
func jsonKind(value string) string {
	kind, _, _ := strings.Cut(value, " ")
	switch kind {
	case "array":
		return "an array"
	case "bool":
		return "a boolean"
	case "string", "number":
		return "a " + kind
	}
	return kind
}

func isNull(raw json.RawMessage) bool {
	return bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}
