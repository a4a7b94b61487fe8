// Package apigwtest runs a loopback stand-in for the API Gateway management
// API (@connections) so the real SDK client can be driven in tests and
// benchmarks: POST/GET/DELETE {stage}/@connections/{id}, with errors
// signalled the way API Gateway does (status + x-amzn-ErrorType header).
package apigwtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Reply is how the server answers one request.
type Reply struct {
	Status    int
	ErrorType string // sent as x-amzn-ErrorType; the SDK maps it to a typed error
}

// Replies API Gateway gives.
var (
	OK        = Reply{Status: http.StatusOK}
	Gone      = Reply{Status: http.StatusGone, ErrorType: "GoneException"}
	Throttled = Reply{Status: http.StatusTooManyRequests, ErrorType: "LimitExceededException"}
	TooLarge  = Reply{Status: http.StatusRequestEntityTooLarge, ErrorType: "PayloadTooLargeException"}
	Forbidden = Reply{Status: http.StatusForbidden, ErrorType: "ForbiddenException"}
	Internal  = Reply{Status: http.StatusInternalServerError, ErrorType: "InternalServerErrorException"}
)

// Options configure a Server.
type Options struct {
	Stage string        // first path segment; "local" when empty
	Delay time.Duration // added before every answer, like API Gateway's own latency
	// Respond chooses the reply for a request; nil answers OK to everything.
	// It may be called concurrently.
	Respond func(method, connectionID string) Reply
	// Record keeps every request for Requests (leave off in benchmarks).
	Record bool
}

// Request is one request the server received.
type Request struct {
	Method        string
	EscapedPath   string // as sent on the wire
	ConnectionID  string // unescaped
	Body          []byte
	Authorization string
}

// Server is a running stand-in. Close it when done.
type Server struct {
	// URL is the callback URL to give apigw.NewClient: http://127.0.0.1:P/{stage}.
	URL string

	http   *httptest.Server
	prefix string
	opts   Options
	count  atomic.Int64

	mu       sync.Mutex
	requests []Request
}

// NewServer starts a server on a free loopback port.
func NewServer(opts Options) *Server {
	if opts.Stage == "" {
		opts.Stage = "local"
	}
	s := &Server{opts: opts, prefix: "/" + opts.Stage + "/@connections/"}
	s.http = httptest.NewServer(http.HandlerFunc(s.serve)) // binds 127.0.0.1:0
	s.URL = s.http.URL + "/" + opts.Stage
	return s
}

// Close stops the server and closes its connections.
func (s *Server) Close() { s.http.Close() }

// Count is how many @connections requests arrived.
func (s *Server) Count() int64 { return s.count.Load() }

// Requests returns the recorded requests (Options.Record).
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	// The id is one path segment that may contain '/', '+' and '=', so it
	// must be read from the escaped path: r.URL.Path would split on %2F.
	escaped := r.URL.EscapedPath()
	rawID, ok := strings.CutPrefix(escaped, s.prefix)
	id, err := url.PathUnescape(rawID)
	if !ok || rawID == "" || strings.Contains(rawID, "/") || err != nil {
		writeReply(w, Reply{Status: http.StatusNotFound, ErrorType: "NotFoundException"}, "no such route")
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeReply(w, Reply{Status: http.StatusBadRequest, ErrorType: "BadRequestException"}, "unreadable body")
		return
	}
	s.count.Add(1)
	if s.opts.Record {
		s.mu.Lock()
		s.requests = append(s.requests, Request{
			Method: r.Method, EscapedPath: escaped, ConnectionID: id,
			Body: body, Authorization: r.Header.Get("Authorization"),
		})
		s.mu.Unlock()
	}
	if s.opts.Delay > 0 {
		t := time.NewTimer(s.opts.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	reply := OK
	if s.opts.Respond != nil {
		reply = s.opts.Respond(r.Method, id)
	}
	if r.Method == http.MethodGet && reply.Status == http.StatusOK {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"connectedAt":  time.Now().UTC().Format(time.RFC3339),
			"identity":     map[string]string{"sourceIp": "127.0.0.1", "userAgent": "apigwtest"},
			"lastActiveAt": time.Now().UTC().Format(time.RFC3339),
		})
		return
	}
	writeReply(w, reply, reply.ErrorType)
}

func writeReply(w http.ResponseWriter, reply Reply, message string) {
	if reply.Status == 0 {
		reply.Status = http.StatusOK
	}
	if reply.ErrorType == "" {
		w.WriteHeader(reply.Status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-ErrorType", reply.ErrorType)
	w.WriteHeader(reply.Status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": message})
}
