package main

import (
	"context"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

// lineHandler prints one short, readable line per log record for a person
// watching `make dev` (`--log json` keeps the JSON the Lambdas write in
// AWS). A handled request reads
//
//	14:03:07  sendMessage      200    12ms  conn 8ZrtG4
//
// anything else is the time, the level when not INFO, the message and its
// attributes, without the gateway's ids nobody reads.
type lineHandler struct {
	w     io.Writer
	mu    *sync.Mutex
	level slog.Leveler
	attrs []slog.Attr
}

func newLineHandler(w io.Writer, level slog.Leveler) *lineHandler {
	return &lineHandler{w: w, mu: &sync.Mutex{}, level: level}
}

func (h *lineHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level.Level() }

func (h *lineHandler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(append([]slog.Attr(nil), h.attrs...), as...)
	return &c
}

// WithGroup flattens groups: a line has no room for them.
func (h *lineHandler) WithGroup(string) slog.Handler { return h }

// quiet: attributes left out of the line.
var quiet = map[string]bool{"component": true, "apiId": true, "stage": true, "requestId": true, "messageId": true}

func (h *lineHandler) Handle(_ context.Context, r slog.Record) error {
	attrs := map[string]slog.Value{}
	var order []string
	add := func(a slog.Attr) bool {
		if _, seen := attrs[a.Key]; !seen {
			order = append(order, a.Key)
		}
		attrs[a.Key] = a.Value.Resolve()
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)

	var b strings.Builder
	b.WriteString(r.Time.Format("15:04:05"))
	b.WriteString("  ")
	if r.Level != slog.LevelInfo {
		b.WriteString(r.Level.String())
		b.WriteString(" ")
	}
	if route, ok := attrs["routeKey"]; ok && r.Level == slog.LevelInfo {
		fmt.Fprintf(&b, "%-16s %4s %6sms", route.String(), attrs["status"].String(), attrs["durationMs"].String())
		if c, ok := attrs["connectionId"]; ok {
			fmt.Fprintf(&b, "  conn %s", short(c.String()))
		}
		for _, k := range []string{"routeKey", "status", "durationMs", "connectionId"} {
			delete(attrs, k)
		}
	} else {
		b.WriteString(r.Message)
	}
	for _, k := range order {
		v, ok := attrs[k]
		if !ok || quiet[k] {
			continue
		}
		s := v.String()
		if strings.ContainsAny(s, " \t\"") {
			s = fmt.Sprintf("%q", s)
		}
		fmt.Fprintf(&b, "  %s=%s", k, s)
	}
	b.WriteByte('\n')
	h.mu.Lock()
	defer h.mu.Unlock()
	_, err := io.WriteString(h.w, b.String())
	return err
}

func short(id string) string {
	if len(id) > 6 {
		return id[:6]
	}
	return id
}

// signUpCodes keeps the sign-up codes seen, for the terminal and for the
// local page /dev/codes (cognito-local sends no email).
type signUpCodes struct {
	mu    sync.Mutex
	codes []signUpCode
}

type signUpCode struct {
	Email, Code string
	At          time.Time
}

func (s *signUpCodes) add(email, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes = append(s.codes, signUpCode{email, code, time.Now()})
}

var codesPage = template.Must(template.New("codes").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta http-equiv="refresh" content="3"><title>Sign-up codes · Backchannel (local)</title>
<style>body{font:16px system-ui,sans-serif;margin:2rem;max-width:40rem}td,th{padding:.3rem .8rem;text-align:left}code{font-size:1.3rem}</style>
</head><body><main><h1>Sign-up codes</h1>
<p>cognito-local sends no email: the confirmation codes of this local stack, newest first (this page refreshes itself).</p>
{{if .}}<table><thead><tr><th>Email</th><th>Code</th><th>At</th></tr></thead><tbody>
{{range .}}<tr><td>{{.Email}}</td><td><code>{{.Code}}</code></td><td>{{.At.Format "15:04:05"}}</td></tr>
{{end}}</tbody></table>{{else}}<p>None yet: sign up in the app first.</p>{{end}}
</main></body></html>`))

func (s *signUpCodes) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	list := make([]signUpCode, 0, len(s.codes))
	for i := len(s.codes) - 1; i >= 0; i-- {
		list = append(list, s.codes[i])
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = codesPage.Execute(w, list)
}
