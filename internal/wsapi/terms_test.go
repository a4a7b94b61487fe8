package wsapi

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// TestTermsGateRefusesEveryOtherAction: with versioned terms not accepted,
// every row of the action table without BeforeTerms answers
// terms_required before its method runs (and before its budget is
// charged); getState, acceptTerms and ping are answered; after acceptTerms
// the same frames get through.
func TestTermsGateRefusesEveryOtherAction(t *testing.T) {
	c := newTestChat(t, func(cfg *service.Config) { cfg.TermsVersion = "3" })
	c.register(testConn)
	gated := 0
	for _, spec := range protocol.ActionTable {
		if spec.NoConnection || spec.BeforeTerms {
			continue
		}
		gated++
		wantCode(t, spec.Name, c.do(`{"action":"`+spec.Name+`","requestId":"g"}`), chat.TermsRequired)
	}
	if gated < 50 {
		t.Fatalf("only %d actions gated", gated)
	}
	if calls := c.recorded(); len(calls) != 0 {
		t.Fatalf("gated actions reached the service: %+v", calls)
	}
	wantCode(t, "getState", c.do(`{"action":"getState","requestId":"s"}`), "")
	wantCode(t, "ping", c.do(`{"action":"ping","requestId":"p"}`), "")
	wantCode(t, "acceptTerms of another version", c.do(`{"action":"acceptTerms","requestId":"a","version":"2"}`), chat.Invalid)
	wantCode(t, "acceptTerms", c.do(`{"action":"acceptTerms","requestId":"a","version":"3"}`), "")
	wantCode(t, "listChannels after accepting", c.do(`{"action":"listChannels","requestId":"l"}`), "")
}
