package wsapi

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Call runs one action of protocol.ActionTable for a caller whose
// identity another transport verified (the HTTP API's bot token): the
// same decoding of the request, the same terms gate, the same rate budget
// and the same service method as a WebSocket frame, so the access policy
// applies identically. request is the action's request object (its
// fields, as in a frame, without "action"); nil or empty means no fields.
// It returns the reply event (with Head.Type set), or nil for actions that
// answer nothing.
func (h *ActionHandler) Call(ctx context.Context, conn chat.Connection, name string, request []byte) (any, error) {
	a := h.actions[name]
	if a == nil {
		return nil, chat.Errorf(chat.NotFound, "unknown action %q", name)
	}
	frameBody, err := asFrame(name, request)
	if err != nil {
		return nil, err
	}
	f, err := decodeFrame(frameBody, a)
	if err != nil {
		return nil, err
	}
	if f.action != name {
		return nil, chat.Errorf(chat.Invalid, `field "action" must be left out (or be %q)`, name)
	}
	if f.requestErr != nil {
		return nil, f.requestErr
	}
	if !a.spec.NoConnection && !a.spec.BeforeTerms {
		if err := h.service.RequireTerms(ctx, conn); err != nil {
			return nil, err
		}
	}
	if a.spec.Name == protocol.ActionPing {
		if err := h.pings.allow(nil, "user:"+conn.UserID); err != nil {
			return nil, err
		}
	}
	return h.chargeAndInvoke(ctx, conn, a, f)
}

// asFrame makes a frame of an action's request object: the object with
// "action" first.
func asFrame(name string, request []byte) ([]byte, error) {
	request = bytes.TrimSpace(request)
	head, _ := json.Marshal(map[string]string{"action": name})
	if len(request) == 0 || bytes.Equal(request, []byte("{}")) {
		return head, nil
	}
	if request[0] != '{' {
		return nil, chat.Errorf(chat.Invalid, "the request must be a JSON object")
	}
	out := make([]byte, 0, len(head)+len(request))
	out = append(out, head[:len(head)-1]...)
	out = append(out, ',')
	return append(out, request[1:]...), nil
}
