// Package localses is a local stand-in for Amazon SES v2's SendEmail that
// the real SDK client talks to (REST JSON, POST /v2/email/outbound-emails),
// pointed at with AWS_ENDPOINT_URL_SESV2. It accepts Simple content
// (subject, text and HTML bodies, custom headers) and Raw content (a MIME
// message, base64 in the JSON as the SDK sends it), validates what SES
// validates that the chat could get wrong (a sender, at most 50 recipients,
// exactly one kind of content, a subject for simple content, 40 MB), keeps
// the mails in memory and shows them at a local page: GET /mails lists them,
// GET /mails/{id} shows one (every header and the text part escaped; the
// HTML part in a sandboxed iframe with no scripts, forms or network), and
// GET /mails.json returns them for tests.
//
// It does not check signatures, identities, quotas or the suppression list:
// it is SES seen from the sender's side. Why a stand-in: no SES emulator is
// free (LocalStack's SES v2 is in its paid plans), and the chat uses one
// call.
package localses

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/mail"
	"strings"
	"sync"
	"time"
)

// Limits of SendEmail the stand-in enforces.
const (
	MaxRecipients  = 50
	MaxMessageSize = 40 << 20
	DefaultKeep    = 500
)

// Mail is one accepted SendEmail request, as the recipient would see it.
type Mail struct {
	ID       string            `json:"messageId"`
	Received time.Time         `json:"received"`
	From     string            `json:"from"`
	To       []string          `json:"to"`
	Cc       []string          `json:"cc,omitempty"`
	Bcc      []string          `json:"bcc,omitempty"`
	Subject  string            `json:"subject"`
	Text     string            `json:"text,omitempty"`
	HTML     string            `json:"html,omitempty"`
	Headers  map[string]string `json:"headers,omitempty"` // custom headers (simple) or every header (raw)
	Raw      bool              `json:"raw,omitempty"`
}

// Config configures a Server.
type Config struct {
	Keep   int // mails kept, oldest dropped first; default DefaultKeep
	Logger *slog.Logger
	// OnMail is called for every accepted mail (make dev prints a line).
	OnMail func(Mail)
}

// Server is a running stand-in (or, from New, only its handler).
type Server struct {
	cfg Config
	srv *http.Server
	url string

	mu     sync.Mutex
	mails  []Mail
	notify chan struct{}
}

// Start listens on addr ("127.0.0.1:0" for a free port) and serves.
func Start(addr string, cfg Config) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("localses: %w", err)
	}
	s := New(cfg)
	s.url = "http://" + ln.Addr().String()
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// New returns a Server that is only a handler (mount it yourself).
func New(cfg Config) *Server {
	if cfg.Keep <= 0 {
		cfg.Keep = DefaultKeep
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Server{cfg: cfg, notify: make(chan struct{})}
}

// URL is the endpoint for AWS_ENDPOINT_URL_SESV2.
func (s *Server) URL() string { return s.url }

// MailsURL is the page that lists the received mails.
func (s *Server) MailsURL() string { return s.url + "/mails" }

// Close stops the server.
func (s *Server) Close() error {
	if s.srv == nil {
		return nil
	}
	return s.srv.Close()
}

// Mails returns the received mails, oldest first.
func (s *Server) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

// Changed returns a channel closed at the next accepted mail.
func (s *Server) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.notify
}

// ServeHTTP serves SendEmail and the pages.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimSuffix(r.URL.Path, "/")
	switch {
	case r.Method == http.MethodPost && path == "/v2/email/outbound-emails":
		s.sendEmail(w, r)
	case r.Method == http.MethodGet && path == "/mails":
		s.PageHandler().ServeHTTP(w, r)
	case r.Method == http.MethodGet && path == "/mails.json":
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"mails": s.Mails()})
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/mails/"):
		s.PageHandler().ServeHTTP(w, r)
	default:
		apiError(w, http.StatusNotFound, "NotFoundException", fmt.Sprintf("%s %s is not served by the local SES", r.Method, r.URL.Path))
	}
}

type content struct {
	Data    string `json:"Data"`
	Charset string `json:"Charset"`
}

type sendInput struct {
	FromEmailAddress string `json:"FromEmailAddress"`
	Destination      *struct {
		ToAddresses  []string `json:"ToAddresses"`
		CcAddresses  []string `json:"CcAddresses"`
		BccAddresses []string `json:"BccAddresses"`
	} `json:"Destination"`
	Content struct {
		Simple *struct {
			Subject *content `json:"Subject"`
			Body    *struct {
				Text *content `json:"Text"`
				Html *content `json:"Html"`
			} `json:"Body"`
			Headers []struct {
				Name  string `json:"Name"`
				Value string `json:"Value"`
			} `json:"Headers"`
		} `json:"Simple"`
		Raw *struct {
			Data []byte `json:"Data"` // base64 in the JSON
		} `json:"Raw"`
		Template json.RawMessage `json:"Template"`
	} `json:"Content"`
}

func (s *Server) sendEmail(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 2*MaxMessageSize))
	if err != nil {
		apiError(w, http.StatusBadRequest, "BadRequestException", err.Error())
		return
	}
	var in sendInput
	if err := json.Unmarshal(body, &in); err != nil {
		apiError(w, http.StatusBadRequest, "BadRequestException", "body: "+err.Error())
		return
	}
	m, status, code, msg := s.toMail(in)
	if code != "" {
		apiError(w, status, code, msg)
		return
	}
	s.mu.Lock()
	s.mails = append(s.mails, m)
	if len(s.mails) > s.cfg.Keep {
		s.mails = append([]Mail(nil), s.mails[len(s.mails)-s.cfg.Keep:]...)
	}
	close(s.notify)
	s.notify = make(chan struct{})
	s.mu.Unlock()
	s.cfg.Logger.Info("mail accepted", "messageId", m.ID, "to", strings.Join(m.To, ","), "subject", m.Subject)
	if s.cfg.OnMail != nil {
		s.cfg.OnMail(m)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"MessageId": m.ID})
}

func (s *Server) toMail(in sendInput) (Mail, int, string, string) {
	bad := func(format string, args ...any) (Mail, int, string, string) {
		return Mail{}, http.StatusBadRequest, "BadRequestException", fmt.Sprintf(format, args...)
	}
	m := Mail{ID: newID(), Received: time.Now().UTC(), From: in.FromEmailAddress}
	if in.Destination != nil {
		m.To, m.Cc, m.Bcc = in.Destination.ToAddresses, in.Destination.CcAddresses, in.Destination.BccAddresses
	}
	c := in.Content
	kinds := 0
	for _, set := range []bool{c.Simple != nil, c.Raw != nil, len(c.Template) > 0 && string(c.Template) != "null"} {
		if set {
			kinds++
		}
	}
	if kinds != 1 {
		return bad("Content must have exactly one of Simple, Raw or Template")
	}
	if len(c.Template) > 0 && c.Raw == nil && c.Simple == nil {
		return bad("Template content is not served by the local SES")
	}
	if c.Raw != nil {
		if len(c.Raw.Data) == 0 {
			return bad("Raw.Data is empty")
		}
		if len(c.Raw.Data) > MaxMessageSize {
			return Mail{}, http.StatusBadRequest, "MessageRejected", "message larger than 40 MB"
		}
		if err := parseRaw(&m, c.Raw.Data); err != nil {
			return bad("Raw.Data: %v", err)
		}
	} else {
		sc := c.Simple
		if sc.Subject == nil || sc.Body == nil || (sc.Body.Text == nil && sc.Body.Html == nil) {
			return bad("Simple content needs a Subject and a Body with Text or Html")
		}
		m.Subject = sc.Subject.Data
		if sc.Body.Text != nil {
			m.Text = sc.Body.Text.Data
		}
		if sc.Body.Html != nil {
			m.HTML = sc.Body.Html.Data
		}
		if len(sc.Headers) > 0 {
			m.Headers = map[string]string{}
			for _, h := range sc.Headers {
				if h.Name == "" || strings.ContainsAny(h.Name+h.Value, "\r\n") {
					return bad("header %q: a name is required and no line breaks are allowed", h.Name)
				}
				m.Headers[h.Name] = h.Value
			}
		}
	}
	if m.From == "" {
		return bad("FromEmailAddress is required")
	}
	if _, err := mail.ParseAddress(m.From); err != nil {
		return bad("FromEmailAddress %q: %v", m.From, err)
	}
	n := len(m.To) + len(m.Cc) + len(m.Bcc)
	if n == 0 {
		return bad("at least one recipient is required")
	}
	if n > MaxRecipients {
		return Mail{}, http.StatusBadRequest, "MessageRejected", fmt.Sprintf("%d recipients: at most %d", n, MaxRecipients)
	}
	for _, a := range append(append(append([]string(nil), m.To...), m.Cc...), m.Bcc...) {
		if _, err := mail.ParseAddress(a); err != nil {
			return bad("recipient %q: %v", a, err)
		}
	}
	return m, 0, "", ""
}

// parseRaw reads a MIME message: headers, and the first text/plain and
// text/html parts (multipart/alternative or mixed, nested once).
func parseRaw(m *Mail, data []byte) error {
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return err
	}
	m.Raw = true
	m.Headers = map[string]string{}
	dec := new(mime.WordDecoder)
	for k, v := range msg.Header {
		m.Headers[k] = strings.Join(v, ", ")
	}
	if m.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		m.Subject = msg.Header.Get("Subject")
	}
	if m.From == "" {
		m.From = msg.Header.Get("From")
	}
	if len(m.To) == 0 {
		if list, err := msg.Header.AddressList("To"); err == nil {
			for _, a := range list {
				m.To = append(m.To, a.Address)
			}
		}
	}
	return readPart(m, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, 0)
}

func readPart(m *Mail, contentType, encoding string, body io.Reader, depth int) error {
	if contentType == "" {
		contentType = "text/plain"
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return err
	}
	if strings.HasPrefix(mt, "multipart/") {
		if depth > 3 {
			return nil
		}
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if err := readPart(m, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, depth+1); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(encoding) {
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	}
	b, err := io.ReadAll(io.LimitReader(body, MaxMessageSize))
	if err != nil {
		return err
	}
	switch {
	case mt == "text/plain" && m.Text == "":
		m.Text = string(b)
	case mt == "text/html" && m.HTML == "":
		m.HTML = string(b)
	}
	return nil
}

// apiError answers as SES v2 does: the code in X-Amzn-ErrorType and a
// JSON body with the message, which the SDK turns into its typed errors.
func apiError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("X-Amzn-ErrorType", code)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "0100" + hex.EncodeToString(b) + "-000000"
}

// PageHandler shows the mails: GET …/mails (a list, newest first) and
// GET …/mails/{id} (one). Everything from a mail is escaped; its HTML part
// is shown in an iframe sandbox without scripts, and the page's CSP allows
// no script and no network access from it.
func (s *Server) PageHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-src 'self' data:; base-uri 'none'; form-action 'none'")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		_, id, one := strings.Cut(strings.TrimSuffix(r.URL.Path, "/"), "/mails/")
		mails := s.Mails()
		var b strings.Builder
		b.WriteString(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Local mail</title>
<style>body{font:15px system-ui,sans-serif;margin:2rem;max-width:60rem}table{border-collapse:collapse;width:100%}td,th{padding:.3rem .6rem;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}pre{white-space:pre-wrap;background:#f6f6f6;padding:1rem}iframe{width:100%;height:32rem;border:1px solid #ccc}dt{font-weight:600}</style></head><body>`)
		if !one {
			fmt.Fprintf(&b, "<h1>Mail sent locally (%d)</h1><p>The SES v2 stand-in of <code>make dev</code> keeps what the chat sends here; nothing leaves this machine.</p>", len(mails))
			b.WriteString("<table><tr><th>Received</th><th>To</th><th>Subject</th></tr>")
			for i := len(mails) - 1; i >= 0; i-- {
				m := mails[i]
				fmt.Fprintf(&b, `<tr><td>%s</td><td>%s</td><td><a href="mails/%s">%s</a></td></tr>`,
					m.Received.Format("2006-01-02 15:04:05 UTC"), html.EscapeString(strings.Join(m.To, ", ")),
					html.EscapeString(m.ID), html.EscapeString(orNone(m.Subject)))
			}
			b.WriteString("</table></body></html>")
			_, _ = io.WriteString(w, b.String())
			return
		}
		var m *Mail
		for i := range mails {
			if mails[i].ID == id {
				m = &mails[i]
			}
		}
		if m == nil {
			w.WriteHeader(http.StatusNotFound)
			b.WriteString(`<p>No such mail. <a href="../mails">All mail</a></p></body></html>`)
			_, _ = io.WriteString(w, b.String())
			return
		}
		fmt.Fprintf(&b, `<p><a href="../mails">All mail</a></p><h1>%s</h1><dl><dt>From</dt><dd>%s</dd><dt>To</dt><dd>%s</dd><dt>Received</dt><dd>%s</dd>`,
			html.EscapeString(orNone(m.Subject)), html.EscapeString(m.From), html.EscapeString(strings.Join(m.To, ", ")),
			m.Received.Format(time.RFC3339))
		for k, v := range m.Headers {
			fmt.Fprintf(&b, "<dt>%s</dt><dd>%s</dd>", html.EscapeString(k), html.EscapeString(v))
		}
		b.WriteString("</dl>")
		if m.HTML != "" {
			// srcdoc is an attribute: escaped once here, parsed as a
			// document by the browser, in a sandbox with nothing allowed.
			fmt.Fprintf(&b, `<h2>HTML</h2><iframe sandbox="" referrerpolicy="no-referrer" title="HTML part" srcdoc="%s"></iframe>`, html.EscapeString(m.HTML))
		}
		if m.Text != "" {
			fmt.Fprintf(&b, "<h2>Text</h2><pre>%s</pre>", html.EscapeString(m.Text))
		}
		b.WriteString("</body></html>")
		_, _ = io.WriteString(w, b.String())
	})
}

func orNone(s string) string {
	if s == "" {
		return "(no subject)"
	}
	return s
}
