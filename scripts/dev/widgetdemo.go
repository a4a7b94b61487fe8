package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/local/devstack"
)

// The support widget in make dev: the web server serves the built widget
// at /widget/v1/widget.js (beside the visitor session routes under
// /widget/), and a demo third-party site on another port (--demo-port,
// http://127.0.0.1:8081/) embeds it from the app's origin spelled
// "localhost", so the page and the script have different origins, as on a
// customer's site. The dev seed's default widget "Demo" allows the demo
// page's origin (http://127.0.0.1:<demo port>); the same page opened as
// http://localhost:<demo port>/ is an origin it does not allow (refused).

// registerWidgetScript serves web/dist/widget/v1/widget.js, more specific
// than the session routes' /widget/ prefix.
func registerWidgetScript(web *webServer) {
	file := filepath.Join(web.dir, "widget", "v1", "widget.js")
	web.mux.HandleFunc("GET /widget/v1/widget.js", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		http.ServeFile(w, r, file)
	})
}

// appOrigin is the web server's URL with the host spelled "localhost".
func appOrigin(webURL string) string {
	u, err := url.Parse(webURL)
	if err != nil {
		return webURL
	}
	u.Host = net.JoinHostPort("localhost", u.Port())
	return u.String()
}

type demoSite struct {
	url    string // http://127.0.0.1:<port>/
	origin string // http://127.0.0.1:<port>
	srv    *http.Server
	mu     sync.Mutex
	widget string
}

func (d *demoSite) setWidget(id string) {
	d.mu.Lock()
	d.widget = id
	d.mu.Unlock()
}

func (d *demoSite) widgetID() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.widget
}

var widgetIDPattern = regexp.MustCompile(`^wid_[A-Za-z0-9_-]{1,64}$`)

// startDemo listens on 127.0.0.1:port (0: any free port) and serves the
// demo site; the script comes from scriptBase (the app's origin).
func startDemo(port int, scriptBase string) (*demoSite, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return nil, fmt.Errorf("demo site: %w (choose another with --demo-port, or --demo-port 0 for any free one)", err)
	}
	d := &demoSite{url: "http://" + ln.Addr().String() + "/", origin: "http://" + ln.Addr().String()}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		id := d.widgetID()
		if q := r.URL.Query().Get("widget"); widgetIDPattern.MatchString(q) {
			id = q
		}
		lang := r.URL.Query().Get("lang")
		if lang != "de" && lang != "en" {
			lang = ""
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := demoPage.Execute(w, demoData{Script: scriptBase + "widget/v1/widget.js", Widget: id, Lang: lang}); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	d.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := d.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Println("demo site:", err)
		}
	}()
	return d, nil
}

func (d *demoSite) Close() error { return d.srv.Close() }

func describeDemo(out io.Writer, d *demoSite, webURL string) {
	fmt.Fprintf(out, "Support widget: %swidget/v1/widget.js, on a demo site at %s (widget %s; as http://localhost:%s/ it is an origin the widget refuses)\n",
		appOrigin(webURL), d.url, d.widgetID(), portOf(d.url))
}

func portOf(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return p.Port()
}

type demoData struct {
	Script, Widget, Lang string
}

// The demo site: a made-up shop, with page styles as unkind to embedded
// widgets as many real ones (global button and font rules): the widget's
// shadow root keeps them out.
var demoPage = template.Must(template.New("demo").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Alpenglow Outfitters (demo site)</title>
<style>
  * { font-family: Georgia, serif; }
  body { margin: 0; color: #222; background: #f6f3ee; }
  button { background: #8b1a1a !important; color: #fff !important; font-size: 20px !important; border-radius: 0 !important; padding: 6px 14px; }
  header { background: #253b2f; color: #fff; padding: 18px 32px; display: flex; justify-content: space-between; align-items: center; }
  header a { color: #fff; margin-left: 18px; }
  main { max-width: 880px; margin: 0 auto; padding: 24px 32px 120px; }
  .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 18px; }
  .card { background: #fff; padding: 16px; border-radius: 6px; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
  .note { background: #fff8d6; border: 1px solid #e3d48a; padding: 12px 16px; border-radius: 6px; }
</style>
</head>
<body>
<header><strong>Alpenglow Outfitters</strong><nav><a href="#tents">Tents</a><a href="#packs">Packs</a><a href="#help">Help</a></nav></header>
<main>
  <h1>Gear for long days outside</h1>
  <p class="note">A demo third-party site on its own origin. The chat button in the corner is the Backchannel support widget, loaded from another origin with one script tag. Agents answer in the app's support inbox.</p>
  <div class="grid">
    <section class="card" id="tents"><h2>Ridge 2 tent</h2><p>1.6 kg, two doors, pitches in three minutes.</p><button type="button">Add to cart</button></section>
    <section class="card" id="packs"><h2>Col 38 pack</h2><p>A roll-top pack for hut-to-hut tours.</p><button type="button">Add to cart</button></section>
    <section class="card" id="help"><h2>Need help?</h2><p>Ask about sizes, orders and returns in the chat.</p></section>
  </div>
</main>
<script src="{{.Script}}" data-widget="{{.Widget}}"{{if .Lang}} data-lang="{{.Lang}}"{{end}} async></script>
</body>
</html>
`))

// seedDemoWidget makes sure the dev workspace has a support team and the
// default widget "Demo" that allows the demo site's origin (an existing
// "Demo", kept in --data, gets the origin added: the port may differ), and
// tells the demo site its id. It writes the table directly, as a fixture:
// through the admin actions it would leave audit entries no admin made.
func seedDemoWidget(ctx context.Context, stack *devstack.Stack, d *demoSite) error {
	st, err := dynamo.New(stack.DynamoDBClient(), stack.Resources.TableName)
	if err != nil {
		return fmt.Errorf("demo widget: %w", err)
	}
	teams, err := st.ListSupportTeams(ctx)
	if err != nil {
		return fmt.Errorf("demo widget: teams: %w", err)
	}
	teamID := ""
	if len(teams) > 0 {
		teamID = teams[0].ID
	} else {
		team := chat.SupportTeam{ID: chat.TeamIDPrefix + seedID(), Name: "Support", Topics: []string{"orders", "returns"}}
		if err := st.PutSupportTeam(ctx, team); err != nil {
			return fmt.Errorf("demo widget: team: %w", err)
		}
		teamID = team.ID
	}
	widgets, err := st.ListWidgets(ctx)
	if err != nil {
		return fmt.Errorf("demo widget: %w", err)
	}
	now := time.Now().UTC()
	for _, w := range widgets {
		if w.Name != demoWidgetName {
			continue
		}
		if !slices.Contains(w.AllowedOrigins, d.origin) {
			w.AllowedOrigins = append(w.AllowedOrigins, d.origin)
			w.UpdatedAt = now
			if err := st.UpdateWidget(ctx, w); err != nil {
				return fmt.Errorf("demo widget: allow %s: %w", d.origin, err)
			}
		}
		d.setWidget(w.ID)
		return nil
	}
	w, err := chat.NormalizeWidget(demoWidget(d.origin, teamID))
	if err != nil {
		return fmt.Errorf("demo widget: %w", err)
	}
	w.ID, w.IdentitySecretVersion = chat.WidgetIDPrefix+seedID(), 1
	w.CreatedBy, w.CreatedAt, w.UpdatedAt = "make-dev", now, now
	if err := st.CreateWidget(ctx, w); err != nil {
		return fmt.Errorf("demo widget: %w", err)
	}
	d.setWidget(w.ID)
	return nil
}

// seedID is a random id body, as the service makes them (22 base64url).
func seedID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

const demoWidgetName = "Demo"

func demoWidget(origin, teamID string) chat.Widget {
	return chat.Widget{
		Name:           demoWidgetName,
		AllowedOrigins: []string{origin},
		Appearance:     chat.WidgetAppearance{PrimaryColor: "#2f5d46", Position: "right", Title: "Alpenglow support"},
		Greeting: map[string]string{
			"en": "Hi! Questions about an order, sizes or returns? We're here.",
			"de": "Hallo! Fragen zu Bestellung, Größen oder Rücksendung? Wir helfen gern.",
		},
		Languages: []string{"en", "de"},
		PreChat:   []string{"name", "email", "topic"},
		Topics: []chat.WidgetTopic{
			{ID: "orders", Label: "Orders and delivery", TeamID: teamID},
			{ID: "returns", Label: "Returns", TeamID: teamID},
		},
		DefaultTeamID: teamID,
		Bot: chat.WidgetBot{Kind: "faq", Name: "Alpenglow assistant", FAQ: []chat.WidgetFAQ{
			{ID: "shipping", Questions: []string{"How long does shipping take?", "When will my order arrive?"}, Answer: "Orders leave our warehouse within 2 working days; delivery takes 2 to 4 days."},
			{ID: "returns", Questions: []string{"How do I return an item?", "Can I send it back?"}, Answer: "You can return unused items within 30 days: start at alpenglow.example/returns."},
		}},
	}
}
