package wsapi

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/visitor"
)

// seedWidgets gives the routing test's service visitor keys and a widget
// wid_1 (issue #17).
func seedWidgets(t *testing.T, c *testChat) {
	t.Helper()
	k, err := visitor.NewKeys([]byte("wsapi-routing-test-master-key-0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	c.svc.SetVisitorKeys(visitor.Static{K: k})
	if err := c.store.CreateWidget(c.ctx, chat.Widget{ID: "wid_1", Name: "Shop", AllowedOrigins: []string{"https://shop.example"},
		Languages: []string{"en"}, PreChat: []string{}, IdentitySecretVersion: 1, CreatedAt: c.clock()}); err != nil {
		t.Fatal(err)
	}
}

// widgetRoutingCases are the widget actions' rows of the routing test.
var widgetRoutingCases = []routingCase{
	{`{"action":"createWidget","requestId":"q","widget":{"name":"Shop"}}`, "CreateWidget",
		protocol.WidgetRequest{Widget: chat.Widget{Name: "Shop"}}, protocol.EventWidget},
	{`{"action":"updateWidget","requestId":"q","widget":{"id":"wid_1","name":"Shop 2"}}`, "UpdateWidget",
		protocol.WidgetRequest{Widget: chat.Widget{ID: "wid_1", Name: "Shop 2"}}, protocol.EventWidget},
	{`{"action":"listWidgets","requestId":"q"}`, "ListWidgets", nil, protocol.EventWidgets},
	{`{"action":"rotateWidgetSecret","requestId":"q","widgetId":"wid_1"}`, "RotateWidgetSecret", protocol.WidgetRef{WidgetID: "wid_1"}, protocol.EventWidget},
	{`{"action":"deleteWidget","requestId":"q","widgetId":"wid_1"}`, "DeleteWidget", protocol.WidgetRef{WidgetID: "wid_1"}, protocol.EventWidget},
}

// routingCase is one row of TestActionRouting's table.
type routingCase struct {
	body     string
	method   string
	req      any
	wantType string // "" means no reply
}
