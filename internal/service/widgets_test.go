package service_test

import (
	"context"
	"encoding/hex"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
	"github.com/backchannel-chat/backchannel/internal/visitor"
)

// The widget actions' rows of the authorization matrix (issue #17):
// managing widgets is for workspace admins only.

const matrixWidget = "wid_matrix"

var widgetTestKeys = func() *visitor.Keys {
	k, err := visitor.NewKeys([]byte("service-widget-test-master-key-0123456789"))
	if err != nil {
		panic(err)
	}
	return k
}()

func withWidget(w *modWorld) {
	w.svc.SetVisitorKeys(visitor.Static{K: widgetTestKeys})
	ws := chat.Store(w.store).(chat.WidgetStore)
	if err := ws.CreateWidget(w.ctx, chat.Widget{ID: matrixWidget, Name: "Matrix", AllowedOrigins: []string{"https://shop.example"},
		Languages: []string{"en"}, PreChat: []string{}, IdentitySecretVersion: 1, CreatedAt: w.clock()}); err != nil {
		w.t.Fatal(err)
	}
}

var widgetCases = []modCase{
	{name: "createWidget", want: adminOnly, setup: withWidget,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.CreateWidget(w.ctx, c, protocol.WidgetRequest{Widget: chat.Widget{Name: "Shop"}})
			return err
		}},
	{name: "updateWidget", want: adminOnly, setup: withWidget,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.UpdateWidget(w.ctx, c, protocol.WidgetRequest{Widget: chat.Widget{ID: matrixWidget, Name: "Shop 2"}})
			return err
		}},
	{name: "deleteWidget", want: adminOnly, setup: withWidget,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.DeleteWidget(w.ctx, c, protocol.WidgetRef{WidgetID: matrixWidget})
			return err
		}},
	{name: "listWidgets", want: adminOnly, setup: withWidget,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.ListWidgets(w.ctx, c)
			return err
		}},
	{name: "rotateWidgetSecret", want: adminOnly, setup: withWidget,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.RotateWidgetSecret(w.ctx, c, protocol.WidgetRef{WidgetID: matrixWidget})
			return err
		}},
}

func init() { workspaceCases = append(workspaceCases, widgetCases...) }

// TestWidgetAdminLifecycle: an admin creates a widget (normalised, the
// identity secret shown once and equal to the derived one), updates it
// (id, secret version and creation kept), rotates the secret (a new
// one, the old signature refused by the session), lists and deletes it;
// bad configurations are refused with the field named.
func TestWidgetAdminLifecycle(t *testing.T) {
	w := newModWorld(t)
	ctx := context.Background()
	admin := w.p["admin"]
	if _, err := w.svc.CreateWidget(ctx, admin, protocol.WidgetRequest{Widget: chat.Widget{Name: "Shop"}}); chat.ErrorCode(err) != chat.Internal {
		t.Errorf("createWidget without keys: %v, want internal (not configured)", err)
	}
	w.svc.SetVisitorKeys(visitor.Static{K: widgetTestKeys})
	ev, err := w.svc.CreateWidget(ctx, admin, protocol.WidgetRequest{Widget: chat.Widget{Name: " Shop ", AllowedOrigins: []string{"HTTPS://Shop.Example:443/", "http://localhost:8081"},
		Appearance: chat.WidgetAppearance{PrimaryColor: "#AABBCC"}, Languages: []string{"de", "en", "de"}, Greeting: map[string]string{"de": "Hallo!"},
		PreChat: []string{"name", "email", "topic"}, Required: []string{"email"}, Topics: []chat.WidgetTopic{{ID: "billing", Label: "Billing", TeamID: "team_b"}},
		Bot: chat.WidgetBot{Kind: "faq", FAQ: []chat.WidgetFAQ{{Questions: []string{"When are you open?"}, Answer: "9 to 5"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	wd := ev.Widget
	if wd.Name != "Shop" || wd.AllowedOrigins[0] != "https://shop.example" || wd.AllowedOrigins[1] != "http://localhost:8081" || wd.Appearance.PrimaryColor != "#aabbcc" ||
		wd.Appearance.Position != "right" || len(wd.Languages) != 2 || wd.Bot.Name != chat.DefaultWidgetBotName || wd.Bot.FAQ[0].ID != "faq1" || wd.IdentitySecretVersion != 1 {
		t.Errorf("created %+v", wd)
	}
	if ev.IdentitySecret != hex.EncodeToString(widgetTestKeys.IdentitySecret(wd.ID, 1)) {
		t.Errorf("the shown secret is not the derived one")
	}
	list, err := w.svc.ListWidgets(ctx, admin)
	if err != nil || len(list.Widgets) != 1 {
		t.Fatalf("list %+v %v", list, err)
	}
	upd := wd
	upd.Name, upd.IdentitySecretVersion, upd.CreatedAt = "Shop EU", 99, time.Time{}
	got, err := w.svc.UpdateWidget(ctx, admin, protocol.WidgetRequest{Widget: upd})
	if err != nil || got.Widget.Name != "Shop EU" || got.Widget.IdentitySecretVersion != 1 || !got.Widget.CreatedAt.Equal(wd.CreatedAt) || got.IdentitySecret != "" {
		t.Errorf("update: %+v %v", got, err)
	}
	rot, err := w.svc.RotateWidgetSecret(ctx, admin, protocol.WidgetRef{WidgetID: wd.ID})
	if err != nil || rot.Widget.IdentitySecretVersion != 2 || rot.IdentitySecret == ev.IdentitySecret || rot.IdentitySecret == "" {
		t.Errorf("rotate: %+v %v", rot, err)
	}
	for name, bad := range map[string]chat.Widget{
		"no name":            {},
		"wildcard origin":    {Name: "x", AllowedOrigins: []string{"https://*.example.com"}},
		"origin with path":   {Name: "x", AllowedOrigins: []string{"https://shop.example/path"}},
		"plain http":         {Name: "x", AllowedOrigins: []string{"http://shop.example"}},
		"colour":             {Name: "x", Appearance: chat.WidgetAppearance{PrimaryColor: "red"}},
		"position":           {Name: "x", Appearance: chat.WidgetAppearance{Position: "top"}},
		"language":           {Name: "x", Languages: []string{"fr"}},
		"greeting language":  {Name: "x", Languages: []string{"en"}, Greeting: map[string]string{"de": "Hallo"}},
		"pre-chat field":     {Name: "x", PreChat: []string{"phone"}},
		"required not asked": {Name: "x", PreChat: []string{"name"}, Required: []string{"email"}},
		"topic without list": {Name: "x", PreChat: []string{"topic"}},
		"topic team":         {Name: "x", Topics: []chat.WidgetTopic{{ID: "a", Label: "A", TeamID: "sales"}}},
		"duplicate topic":    {Name: "x", Topics: []chat.WidgetTopic{{ID: "a", Label: "A"}, {ID: "a", Label: "B"}}},
		"bot kind":           {Name: "x", Bot: chat.WidgetBot{Kind: "gpt"}},
		"bot account":        {Name: "x", Bot: chat.WidgetBot{Kind: "bot", BotID: "alice"}},
		"faq without entry":  {Name: "x", Bot: chat.WidgetBot{Kind: "faq"}},
		"faq without answer": {Name: "x", Bot: chat.WidgetBot{Kind: "faq", FAQ: []chat.WidgetFAQ{{Questions: []string{"q"}}}}},
		"threshold":          {Name: "x", Bot: chat.WidgetBot{Kind: "faq", Threshold: 2, FAQ: []chat.WidgetFAQ{{Questions: []string{"q"}, Answer: "a"}}}},
	} {
		if _, err := w.svc.CreateWidget(ctx, admin, protocol.WidgetRequest{Widget: bad}); chat.ErrorCode(err) != chat.Invalid {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	if _, err := w.svc.DeleteWidget(ctx, admin, protocol.WidgetRef{WidgetID: wd.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.DeleteWidget(ctx, admin, protocol.WidgetRef{WidgetID: wd.ID}); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("delete twice: %v", err)
	}
	if err := w.svc.CheckVisitorConnect(ctx, wd.ID, "https://shop.example"); chat.ErrorCode(err) != chat.Forbidden {
		t.Errorf("a deleted widget's visitor connects: %v", err)
	}
}

// TestWidgetRoutesSupport: startSupport of a visitor of a widget goes to
// the team of the topic the widget names, else its default team, and the
// widget's bot answers first when it has one.
func TestWidgetRoutesSupport(t *testing.T) {
	w := newModWorld(t)
	var _ service.SupportRouter = w.store
	ws := chat.Store(w.store).(chat.WidgetStore)
	if err := ws.CreateWidget(w.ctx, chat.Widget{ID: "wid_r", Name: "R", DefaultTeamID: "team_a",
		Topics: []chat.WidgetTopic{{ID: "billing", Label: "Billing", TeamID: "team_b"}}, Bot: chat.WidgetBot{Kind: "faq"}}); err != nil {
		t.Fatal(err)
	}
	for topic, want := range map[string]string{"billing": "team_b", "other": "team_a", "": "team_a"} {
		team, bot, err := w.store.SupportRoute(w.ctx, "wid_r", topic)
		if err != nil || team != want || !bot {
			t.Errorf("topic %q: %s %v %v, want %s with the bot", topic, team, bot, err, want)
		}
	}
	if team, bot, err := w.store.SupportRoute(w.ctx, "wid_gone", "billing"); err != nil || team != "" || bot {
		t.Errorf("unknown widget: %s %v %v", team, bot, err)
	}
}
