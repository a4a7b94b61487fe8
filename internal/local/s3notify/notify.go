// Package s3notify emulates S3 event notifications for the local stack.
// It wraps an S3 emulator's HTTP handler (gofakes3) and, after every
// request that created an object, calls a function with the
// events.S3Event S3 would have sent: asynchronously, with the key
// URL-encoded as S3 encodes it, and decoded through the same JSON the
// Lambda runtime reads. So the thumbnail handler runs locally as in AWS.
package s3notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Target receives one notification, as a Lambda handler would.
type Target func(ctx context.Context, ev events.S3Event) error

// Config configures a Notifier.
type Config struct {
	// Target is called once per created object. Required.
	Target Target
	// Prefix filters keys like the notification's prefix filter in AWS
	// (for example "rooms/"); empty notifies every key.
	Prefix string
	// Region goes in awsRegion; default us-east-1.
	Region string
	// Retries after a failed call, as for an asynchronous Lambda
	// invocation (AWS: 2). Negative means none; zero takes 2.
	Retries int
	// Timeout bounds each call; default 1 minute.
	Timeout time.Duration
	Logger  *slog.Logger
}

// Notifier is the middleware. Close it to wait for calls in flight.
type Notifier struct {
	next http.Handler
	cfg  Config
	log  *slog.Logger
	seq  atomic.Uint64

	mu       sync.Mutex // orders Add after Close's Wait
	closed   bool
	inflight sync.WaitGroup
}

// New wraps next, the emulator's handler.
func New(next http.Handler, cfg Config) (*Notifier, error) {
	if next == nil || cfg.Target == nil {
		return nil, errors.New("s3notify: handler and Target are required")
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	switch {
	case cfg.Retries == 0:
		cfg.Retries = 2
	case cfg.Retries < 0:
		cfg.Retries = 0
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = time.Minute
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Notifier{next: next, cfg: cfg, log: log}, nil
}

// ServeHTTP serves the request with the emulator, then notifies if it
// created an object.
func (n *Notifier) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, ok := creation(r)
	if !ok {
		n.next.ServeHTTP(w, r)
		return
	}
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	n.next.ServeHTTP(rec, r)
	if rec.status < 200 || rec.status > 299 || !strings.HasPrefix(op.key, n.cfg.Prefix) {
		return
	}
	ev, err := n.event(r, op, rec.Header())
	if err != nil {
		n.log.Error("s3notify: event not built", slog.String("key", op.key), slog.String("error", err.Error()))
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return
	}
	n.inflight.Add(1)
	go n.deliver(ev, op.key)
}

// Close waits for every notification in flight; later uploads notify no
// one.
func (n *Notifier) Close() {
	n.mu.Lock()
	n.closed = true
	n.mu.Unlock()
	n.inflight.Wait()
}

// Wait waits for the notifications in flight (tests use it before looking
// for what the target did).
func (n *Notifier) Wait() { n.inflight.Wait() }

func (n *Notifier) deliver(ev events.S3Event, key string) {
	defer n.inflight.Done()
	var err error
	for attempt := 0; attempt <= n.cfg.Retries; attempt++ {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * 200 * time.Millisecond)
		}
		ctx, cancel := context.WithTimeout(context.Background(), n.cfg.Timeout)
		err = n.cfg.Target(ctx, ev)
		cancel()
		if err == nil {
			return
		}
		n.log.Warn("s3notify: target failed", slog.String("key", key), slog.Int("attempt", attempt+1), slog.String("error", err.Error()))
	}
	n.log.Error("s3notify: notification dropped", slog.String("key", key), slog.String("error", err.Error()))
}

// created is an object-creating request: its event name, bucket, key and
// size.
type created struct {
	name, bucket, key string
	size              int64
}

// creation recognizes the path-style requests that create objects: PUT
// object (and copy), POST form upload, and completing a multipart upload.
func creation(r *http.Request) (created, bool) {
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	q := r.URL.Query()
	switch {
	case bucket == "":
		return created{}, false
	case r.Method == http.MethodPut && key != "" && plainObjectQuery(q):
		name := "ObjectCreated:Put"
		if r.Header.Get("X-Amz-Copy-Source") != "" {
			name = "ObjectCreated:Copy"
		}
		return created{name: name, bucket: bucket, key: key, size: uploadSize(r)}, true
	case r.Method == http.MethodPost && key != "" && q.Has("uploadId"):
		return created{name: "ObjectCreated:CompleteMultipartUpload", bucket: bucket, key: key}, true
	case r.Method == http.MethodPost && key == "" && isForm(r):
		// The key is a form field: parse the form now (the emulator reuses
		// the parsed form).
		if err := r.ParseMultipartForm(24 << 20); err != nil || len(r.MultipartForm.Value["key"]) != 1 || len(r.MultipartForm.File["file"]) != 1 {
			return created{}, false
		}
		return created{name: "ObjectCreated:Post", bucket: bucket, key: r.MultipartForm.Value["key"][0], size: r.MultipartForm.File["file"][0].Size}, true
	}
	return created{}, false
}

// plainObjectQuery reports whether a query names no subresource (?acl,
// ?tagging, ?uploadId …): empty, or only a presigned URL's signature
// (X-Amz-*, x-id). Then a PUT is a PutObject.
func plainObjectQuery(q url.Values) bool {
	for k := range q {
		if !strings.HasPrefix(strings.ToLower(k), "x-amz-") && k != "x-id" {
			return false
		}
	}
	return true
}

func isForm(r *http.Request) bool {
	t, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && t == "multipart/form-data"
}

// uploadSize is the object's size: the decoded length of an aws-chunked
// body, or the body's length.
func uploadSize(r *http.Request) int64 {
	if v := r.Header.Get("X-Amz-Decoded-Content-Length"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	}
	return max(r.ContentLength, 0)
}

// event builds the notification as S3 sends it, then decodes it from JSON
// as the Lambda runtime does (which fills URLDecodedKey).
func (n *Notifier) event(r *http.Request, op created, resp http.Header) (events.S3Event, error) {
	ip, _, _ := net.SplitHostPort(r.RemoteAddr)
	rec := events.S3EventRecord{
		EventVersion: "2.1",
		EventSource:  "aws:s3",
		AWSRegion:    n.cfg.Region,
		EventTime:    time.Now().UTC().Truncate(time.Millisecond),
		EventName:    op.name,
		PrincipalID:  events.S3UserIdentity{PrincipalID: "local"},
		RequestParameters: events.S3RequestParameters{
			SourceIPAddress: ip,
		},
		ResponseElements: map[string]string{
			"x-amz-request-id": resp.Get("x-amz-request-id"),
			"x-amz-id-2":       resp.Get("x-amz-id-2"),
		},
		S3: events.S3Entity{
			SchemaVersion:   "1.0",
			ConfigurationID: "local",
			Bucket: events.S3Bucket{
				Name:          op.bucket,
				OwnerIdentity: events.S3UserIdentity{PrincipalID: "local"},
				Arn:           "arn:aws:s3:::" + op.bucket,
			},
			Object: events.S3Object{
				Key:       EncodeKey(op.key),
				Size:      op.size,
				ETag:      strings.Trim(resp.Get("ETag"), `"`),
				VersionID: resp.Get("x-amz-version-id"),
				Sequencer: fmt.Sprintf("%016X", n.seq.Add(1)),
			},
		},
	}
	b, err := json.Marshal(events.S3Event{Records: []events.S3EventRecord{rec}})
	if err != nil {
		return events.S3Event{}, err
	}
	var ev events.S3Event
	err = json.Unmarshal(b, &ev)
	return ev, err
}

// EncodeKey encodes an object key as S3 does in notifications: like a
// form value (spaces as '+', UTF-8 percent-encoded), slashes kept.
func EncodeKey(key string) string {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		parts[i] = url.QueryEscape(p)
	}
	return strings.Join(parts, "/")
}

// statusRecorder remembers the status the emulator answered.
type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
