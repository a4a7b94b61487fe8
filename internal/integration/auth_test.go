package integration

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/coder/websocket"

	"github.com/backchannel-chat/backchannel/internal/local/testenv"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// refused dials with token and returns the handshake's HTTP status.
func refused(t *testing.T, s *stack, token string, subprotocols ...string) int {
	t.Helper()
	conn, resp, err := dial(t, s.gw.URL(), token, subprotocols...)
	if err == nil {
		conn.Close(websocket.StatusNormalClosure, "")
		t.Fatalf("token %.20q… was accepted", token)
	}
	if resp == nil {
		t.Fatalf("no HTTP response: %v", err)
	}
	return resp.StatusCode
}

// isAuthRefusal: the authorizer may refuse a bad token with 401
// ("Unauthorized") or 403 (an explicit Deny); both mean "sign in again".
func isAuthRefusal(status int) bool { return status == 401 || status == 403 }

// TestAuth: only a valid ID token of the configured pool and client opens
// a connection; the identity then comes from the token alone.
func TestAuth(t *testing.T) {
	s := newStack(t, generousLimits)
	ann := s.newUser("ann", "Ann Archer")

	if got := refused(t, s, ""); got != 401 {
		t.Errorf("no token: status %d, want 401", got)
	}
	if got := refused(t, s, "not-a-jwt"); !isAuthRefusal(got) {
		t.Errorf("garbage token: status %d, want 401 or 403", got)
	}

	// Same header and signature, another user's sub in the payload.
	parts := strings.Split(ann.token, ".")
	claims, _ := base64.RawURLEncoding.DecodeString(parts[1])
	forgedClaims := strings.Replace(string(claims), ann.id, "00000000-0000-0000-0000-000000000000", 1)
	forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(forgedClaims)) + "." + parts[2]
	if got := refused(t, s, forged); !isAuthRefusal(got) {
		t.Errorf("forged token: status %d, want 401 or 403", got)
	}
	// A signature cut off.
	if got := refused(t, s, parts[0]+"."+parts[1]+"."); !isAuthRefusal(got) {
		t.Errorf("unsigned token: status %d, want 401 or 403", got)
	}
	// A genuine token of another user pool is someone else's user.
	other := testenv.NewUserPool(t, s.awsCfg)
	stranger := testenv.SignUp(t, s.awsCfg, other, "eve@example.com", testPassword, "Eve")
	if got := refused(t, s, stranger); !isAuthRefusal(got) {
		t.Errorf("token of another pool: status %d, want 401 or 403", got)
	}

	// The token in the query string.
	a, st := s.online(ann)
	if st.Me.UserID != ann.id || st.Me.DisplayName != ann.display {
		t.Errorf("me = %+v, want user %s named %s", st.Me, ann.id, ann.display)
	}
	a.call(protocol.ActionPing, nil, protocol.EventPong)

	// The token as a subprotocol, as a browser may send it: the server
	// selects the protocol name, never the token.
	conn, _, err := dial(t, s.gw.URL(), "", "backchannel", ann.token)
	if err != nil {
		t.Fatalf("subprotocol token refused: %v", err)
	}
	if got := conn.Subprotocol(); got != "backchannel" {
		t.Errorf("selected subprotocol %q, want backchannel", got)
	}
	viaProtocol := newClient(t, "ann-2", conn)
	st2 := decode[protocol.StateEvent](t, viaProtocol.call(protocol.ActionGetState, nil, protocol.EventState))
	if st2.Me.UserID != ann.id || st2.ConnectionID == st.ConnectionID {
		t.Errorf("second connection: me %s, connection %s (first %s)", st2.Me.UserID, st2.ConnectionID, st.ConnectionID)
	}
}
