// Package localbus is a local stand-in for Amazon EventBridge's PutEvents:
// an HTTP server speaking AWS JSON 1.1 (X-Amz-Target AWSEvents.PutEvents)
// that the real SDK client talks to. It validates entries as EventBridge
// does (source, detail-type, detail a JSON object, the bus exists, at most
// 10 entries and 256 KB per request), keeps recent events in memory as the
// events a rule's target would receive, logs a line per event, and lists
// them at GET /events (JSON; ?detail-type= and ?source= filter).
//
// It does not check signatures. It evaluates the rules added with AddRule,
// whose Lambda targets it invokes asynchronously with Lambda's retries and
// an OnFailure dead-letter queue (targets.go).
package localbus

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Limits of PutEvents.
const (
	MaxEntries      = 10
	MaxRequestBytes = 256 * 1024
	maxBodyBytes    = 4 << 20
	DefaultKeep     = 1000
	DefaultAccount  = "000000000000"
)

// Event is an event as EventBridge delivers it to a rule's target, plus the
// bus it was put on.
type Event struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Account    string          `json:"account"`
	Time       time.Time       `json:"time"`
	Region     string          `json:"region"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
	Bus        string          `json:"eventBusName"`
}

// Config configures a Server.
type Config struct {
	// Buses are the buses that exist besides "default".
	Buses  []string
	Region string // default us-east-1
	Keep   int    // recent events kept; default DefaultKeep
	Logger *slog.Logger
	// OnEvent is called for every accepted event (make dev prints a line).
	OnEvent func(Event)
	// OnFailure receives a rule target's failure record when its retries
	// are exhausted (targets.go), besides DeadLetters.
	OnFailure func(FailureRecord)
}

// Server is a running stand-in.
type Server struct {
	cfg    Config
	buses  map[string]bool
	logger *slog.Logger
	srv    *http.Server
	ln     net.Listener
	url    string

	mu     sync.Mutex
	events []Event // oldest first, at most cfg.Keep
	seen   int     // accepted events in total
	notify chan struct{}

	rulesOnce sync.Once
	rules     *rules // targets.go
}

// Start listens on 127.0.0.1 (a free port) and serves.
func Start(cfg Config) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("localbus: %w", err)
	}
	s := New(cfg)
	s.ln, s.url = ln, "http://"+ln.Addr().String()
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// New returns a Server that is only a handler (mount it yourself).
func New(cfg Config) *Server {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Keep <= 0 {
		cfg.Keep = DefaultKeep
	}
	s := &Server{cfg: cfg, buses: map[string]bool{"default": true}, logger: cfg.Logger, notify: make(chan struct{})}
	for _, b := range cfg.Buses {
		s.buses[b] = true
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	return s
}

// URL is the endpoint for the SDK (AWS_ENDPOINT_URL_EVENTBRIDGE).
func (s *Server) URL() string { return s.url }

// EventsURL lists the recent events.
func (s *Server) EventsURL() string { return s.url + "/events" }

// Close stops the server.
func (s *Server) Close() error {
	s.stopRules()
	if s.srv == nil {
		return nil
	}
	return s.srv.Close()
}

// ServeHTTP serves PutEvents (POST /) and the list (GET /events).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && strings.TrimSuffix(r.URL.Path, "/") == "/events":
		s.ListHandler().ServeHTTP(w, r)
	case r.Method == http.MethodGet && strings.TrimSuffix(r.URL.Path, "/") == "/dead-letters":
		s.deadLettersHandler(w, r)
	case r.Method == http.MethodPost && r.URL.Path == "/":
		s.serveAPI(w, r)
	default:
		http.NotFound(w, r)
	}
}

// ListHandler answers GET with {"events": [...]}, newest last, filtered by
// the detail-type and source query parameters.
func (s *Server) ListHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		evs := s.Events()
		out := make([]Event, 0, len(evs))
		for _, e := range evs {
			if dt := q.Get("detail-type"); dt != "" && e.DetailType != dt {
				continue
			}
			if src := q.Get("source"); src != "" && e.Source != src {
				continue
			}
			out = append(out, e)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(struct {
			Events []Event `json:"events"`
		}{out})
	})
}

// Events returns the recent events, oldest first.
func (s *Server) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Event(nil), s.events...)
}

// Wait blocks until match holds for the recent events or ctx ends.
func (s *Server) Wait(ctx context.Context, match func([]Event) bool) error {
	for {
		s.mu.Lock()
		evs := append([]Event(nil), s.events...)
		ch := s.notify
		s.mu.Unlock()
		if match(evs) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
	}
}

// entry is a PutEventsRequestEntry on the wire.
type entry struct {
	Source       *string  `json:"Source"`
	DetailType   *string  `json:"DetailType"`
	Detail       *string  `json:"Detail"`
	EventBusName *string  `json:"EventBusName"`
	Resources    []string `json:"Resources"`
	Time         *float64 `json:"Time"` // epoch seconds
	TraceHeader  *string  `json:"TraceHeader"`
}

type resultEntry struct {
	EventID      string `json:"EventId,omitempty"`
	ErrorCode    string `json:"ErrorCode,omitempty"`
	ErrorMessage string `json:"ErrorMessage,omitempty"`
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	if target == "AWSEvents.CreateEventBus" {
		s.createEventBus(w, r)
		return
	}
	if target != "AWSEvents.PutEvents" {
		apiError(w, http.StatusBadRequest, "UnknownOperationException", fmt.Sprintf("operation %q is not served by the local EventBridge", target))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil || len(body) > maxBodyBytes {
		apiError(w, http.StatusRequestEntityTooLarge, "ValidationException", "request too large")
		return
	}
	var in struct {
		Entries    []entry `json:"Entries"`
		EndpointID *string `json:"EndpointId"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		apiError(w, http.StatusBadRequest, "SerializationException", err.Error())
		return
	}
	switch {
	case len(in.Entries) == 0:
		apiError(w, http.StatusBadRequest, "ValidationException",
			"1 validation error detected: Value '[]' at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1")
		return
	case len(in.Entries) > MaxEntries:
		apiError(w, http.StatusBadRequest, "ValidationException", fmt.Sprintf(
			"1 validation error detected: Value '[...]' at 'entries' failed to satisfy constraint: Member must have length less than or equal to %d", MaxEntries))
		return
	}
	total := 0
	for _, e := range in.Entries {
		total += entrySize(e)
	}
	if total > MaxRequestBytes {
		apiError(w, http.StatusBadRequest, "ValidationException", "Total size of the entries in the request is over the limit.")
		return
	}

	results := make([]resultEntry, len(in.Entries))
	failed := 0
	var accepted []Event
	now := time.Now().UTC()
	for i, e := range in.Entries {
		ev, code, msg := s.check(e, now)
		if code != "" {
			results[i] = resultEntry{ErrorCode: code, ErrorMessage: msg}
			failed++
			s.logger.Warn("local EventBridge refused an entry", slog.String("code", code), slog.String("message", msg))
			continue
		}
		results[i] = resultEntry{EventID: ev.ID}
		accepted = append(accepted, ev)
	}
	s.add(accepted)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(struct {
		Entries          []resultEntry `json:"Entries"`
		FailedEntryCount int           `json:"FailedEntryCount"`
	}{results, failed})
}

// createEventBus serves CreateEventBus (make dev ensures its bus on an
// external EventBridge, which may be another stand-in).
func (s *Server) createEventBus(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name string `json:"Name"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&in); err != nil || in.Name == "" {
		apiError(w, http.StatusBadRequest, "ValidationException", "Name is required")
		return
	}
	s.mu.Lock()
	exists := s.buses[in.Name]
	s.buses[in.Name] = true
	s.mu.Unlock()
	if exists {
		apiError(w, http.StatusBadRequest, "ResourceAlreadyExistsException", "Event bus "+in.Name+" already exists.")
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(map[string]string{
		"EventBusArn": "arn:aws:events:" + s.cfg.Region + ":" + DefaultAccount + ":event-bus/" + in.Name,
	})
}

// check validates one entry as EventBridge does and builds its event.
func (s *Server) check(e entry, now time.Time) (Event, string, string) {
	bus := "default"
	if e.EventBusName != nil && *e.EventBusName != "" {
		bus = *e.EventBusName
		if i := strings.LastIndex(bus, "event-bus/"); strings.HasPrefix(bus, "arn:") && i >= 0 {
			bus = bus[i+len("event-bus/"):]
		}
	}
	invalid := func(param, reason string) (Event, string, string) {
		return Event{}, "InvalidArgument", fmt.Sprintf("Parameter %s is not valid. Reason: %s", param, reason)
	}
	switch {
	case e.Source == nil || *e.Source == "":
		return invalid("Source", "Source is a required argument.")
	case len(*e.Source) > 256:
		return invalid("Source", "Source is longer than 256 characters.")
	case strings.HasPrefix(*e.Source, "aws."):
		return Event{}, "NotAuthorizedForSourceException", "Not authorized for the source."
	case e.DetailType == nil || *e.DetailType == "":
		return invalid("DetailType", "DetailType is a required argument.")
	case len(*e.DetailType) > 128:
		return invalid("DetailType", "DetailType is longer than 128 characters.")
	case e.Detail == nil || *e.Detail == "":
		return invalid("Detail", "Detail is a required argument.")
	case !isJSONObject(*e.Detail):
		return Event{}, "MalformedDetail", "Detail is malformed."
	case !s.hasBus(bus):
		return Event{}, "ResourceNotFoundException", fmt.Sprintf("Event bus %s does not exist.", bus)
	}
	at := now
	if e.Time != nil {
		sec, frac := math.Modf(*e.Time)
		at = time.Unix(int64(sec), int64(frac*1e9)).UTC()
	}
	resources := e.Resources
	if resources == nil {
		resources = []string{}
	}
	return Event{
		Version: "0", ID: newID(), DetailType: *e.DetailType, Source: *e.Source,
		Account: DefaultAccount, Time: at.Truncate(time.Second), Region: s.cfg.Region,
		Resources: resources, Detail: json.RawMessage(*e.Detail), Bus: bus,
	}, "", ""
}

func (s *Server) hasBus(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buses[name]
}

func (s *Server) add(evs []Event) {
	if len(evs) == 0 {
		return
	}
	for _, e := range evs {
		s.logger.Info("event put", slog.String("bus", e.Bus), slog.String("source", e.Source),
			slog.String("detailType", e.DetailType), slog.String("id", e.ID), slog.String("detail", string(e.Detail)))
		if s.cfg.OnEvent != nil {
			s.cfg.OnEvent(e)
		}
	}
	s.mu.Lock()
	s.events = append(s.events, evs...)
	if over := len(s.events) - s.cfg.Keep; over > 0 {
		s.events = append([]Event(nil), s.events[over:]...)
	}
	s.seen += len(evs)
	close(s.notify)
	s.notify = make(chan struct{})
	s.mu.Unlock()
	s.route(evs)
}

func entrySize(e entry) int {
	n := 0
	if e.Time != nil {
		n += 14
	}
	for _, p := range []*string{e.Source, e.DetailType, e.Detail} {
		if p != nil {
			n += len(*p)
		}
	}
	for _, r := range e.Resources {
		n += len(r)
	}
	return n
}

func isJSONObject(s string) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal([]byte(s), &m) == nil && m != nil
}

func apiError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
