package wsapi

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// TestConnectAVisitor: the authorizer vouched for a visitor of wid_1 from
// https://shop.example; $connect registers the visitor (group visitors)
// while the widget allows that origin, and refuses (403, nothing stored)
// once the origin was removed or the widget deleted.
func TestConnectAVisitor(t *testing.T) {
	c := newTestChat(t)
	seedWidgets(t, c)
	ev := loadEvent(t, "connect.json")
	ev.RequestContext.Authorizer = map[string]any{"principalId": "vis_aaaaaaaaaaaaaaaaaaaaaaaaaa", "userId": "vis_aaaaaaaaaaaaaaaaaaaaaaaaaa",
		"username": "vis_aaaaaaaaaaaaaaaaaaaaaaaaaa", "displayName": "Ann", "groups": "visitors", "widgetId": "wid_1",
		"visitorOrigin": "https://shop.example", "identified": "false", "tokenExpiresAt": "4102444800"}
	resp, err := c.conns.Handle(c.ctx, ev)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("response = %+v, %v; want 200", resp, err)
	}
	conn, err := c.store.GetConnection(c.ctx, testConnID)
	if err != nil {
		t.Fatal(err)
	}
	if conn.UserID != "vis_aaaaaaaaaaaaaaaaaaaaaaaaaa" || conn.DisplayName != "Ann" || len(conn.Groups) != 1 || conn.Groups[0] != "visitors" || conn.WidgetID != "wid_1" {
		t.Errorf("connection = %+v", conn)
	}
	w, _ := c.store.GetWidget(c.ctx, "wid_1")
	w.AllowedOrigins = []string{"https://other.example"}
	if err := c.store.UpdateWidget(c.ctx, w); err != nil {
		t.Fatal(err)
	}
	ev.RequestContext.ConnectionID = "conn-2"
	if resp, _ := c.conns.Handle(c.ctx, ev); resp.StatusCode != 403 {
		t.Fatalf("origin removed: %+v; want 403", resp)
	}
	if _, err := c.store.GetConnection(c.ctx, "conn-2"); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("a refused visitor was stored: %v", err)
	}
	_ = c.store.DeleteWidget(c.ctx, "wid_1")
	ev.RequestContext.ConnectionID = "conn-3"
	if resp, _ := c.conns.Handle(c.ctx, ev); resp.StatusCode != 403 {
		t.Fatalf("widget deleted: %+v; want 403", resp)
	}
}
