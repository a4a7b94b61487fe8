// Package s3lifecycle gives the local S3 stand-in (gofakes3, which keeps
// no object tags) the object tags and the tag-filtered expiration rule of
// the files bucket (issue 15): it records the tags a PutObject carries
// (the x-amz-tagging header a presigned upload signs) and answers the
// tagging subresource (PUT, GET, DELETE ?tagging) itself, and Sweep
// deletes the objects a rule expires, as S3's lifecycle does (S3 runs it
// about daily; make dev every minute, tests with a clock of their own). An
// object's age is counted from when the stand-in saw it created.
package s3lifecycle

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Rule expires objects carrying tag Key=Value After their creation, like
// an S3 lifecycle rule with a tag filter and Expiration.Days.
type Rule struct {
	Key, Value string
	After      time.Duration
}

// Deleter deletes an object (the emulator's backend).
type Deleter func(bucket, key string) error

// Handler is the middleware.
type Handler struct {
	next   http.Handler
	rules  []Rule
	delete Deleter

	mu      sync.Mutex
	objects map[string]object // bucket + "/" + key
}

type object struct {
	tags    map[string]string
	created time.Time
}

// New wraps next (the emulator) with rules; del deletes what they expire.
func New(next http.Handler, del Deleter, rules ...Rule) *Handler {
	return &Handler{next: next, rules: rules, delete: del, objects: map[string]object{}}
}

// Tags returns the tags the stand-in holds for bucket/key (nil: none).
func (h *Handler) Tags(bucket, key string) map[string]string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return clone(h.objects[bucket+"/"+key].tags)
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if bucket == "" || key == "" {
		h.next.ServeHTTP(w, r)
		return
	}
	id := bucket + "/" + key
	q := r.URL.Query()
	if q.Has("tagging") {
		h.tagging(w, r, id)
		return
	}
	switch r.Method {
	case http.MethodPut:
		rec := &status{ResponseWriter: w, code: http.StatusOK}
		h.next.ServeHTTP(rec, r)
		if rec.code < 300 && plainObject(q) {
			tags, _ := url.ParseQuery(r.Header.Get("X-Amz-Tagging"))
			h.mu.Lock()
			h.objects[id] = object{tags: first(tags), created: time.Now()}
			h.mu.Unlock()
		}
	case http.MethodDelete:
		h.next.ServeHTTP(w, r)
		h.mu.Lock()
		delete(h.objects, id)
		h.mu.Unlock()
	default:
		h.next.ServeHTTP(w, r)
	}
}

// tagging answers PutObjectTagging, GetObjectTagging and
// DeleteObjectTagging of an object the stand-in saw created.
func (h *Handler) tagging(w http.ResponseWriter, r *http.Request, id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	o, ok := h.objects[id]
	if !ok {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>`)
		return
	}
	switch r.Method {
	case http.MethodPut:
		var t tagging
		if err := xml.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&t); err != nil {
			http.Error(w, "malformed Tagging", http.StatusBadRequest)
			return
		}
		o.tags = map[string]string{}
		for _, tag := range t.TagSet {
			o.tags[tag.Key] = tag.Value
		}
		h.objects[id] = o
		w.WriteHeader(http.StatusOK)
	case http.MethodDelete:
		o.tags = nil
		h.objects[id] = o
		w.WriteHeader(http.StatusNoContent)
	case http.MethodGet:
		t := tagging{}
		for k, v := range o.tags {
			t.TagSet = append(t.TagSet, tag{Key: k, Value: v})
		}
		w.Header().Set("Content-Type", "application/xml")
		_ = xml.NewEncoder(w).Encode(t)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

// Sweep deletes the objects a rule expires at now and returns their ids
// (bucket/key).
func (h *Handler) Sweep(now time.Time) ([]string, error) {
	h.mu.Lock()
	var due []string
	for id, o := range h.objects {
		for _, rule := range h.rules {
			if v, ok := o.tags[rule.Key]; ok && v == rule.Value && !now.Before(o.created.Add(rule.After)) {
				due = append(due, id)
				break
			}
		}
	}
	h.mu.Unlock()
	var done []string
	for _, id := range due {
		bucket, key, _ := strings.Cut(id, "/")
		if err := h.delete(bucket, key); err != nil {
			return done, err
		}
		h.mu.Lock()
		delete(h.objects, id)
		h.mu.Unlock()
		done = append(done, id)
	}
	return done, nil
}

type tagging struct {
	XMLName xml.Name `xml:"Tagging"`
	TagSet  []tag    `xml:"TagSet>Tag"`
}

type tag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

// plainObject: a PUT without a subresource (a presigned URL's own
// parameters aside) is a PutObject.
func plainObject(q url.Values) bool {
	for k := range q {
		if !strings.HasPrefix(strings.ToLower(k), "x-amz-") && k != "x-id" {
			return false
		}
	}
	return true
}

func first(v url.Values) map[string]string {
	if len(v) == 0 {
		return nil
	}
	out := make(map[string]string, len(v))
	for k, vs := range v {
		out[k] = vs[0]
	}
	return out
}

func clone(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

type status struct {
	http.ResponseWriter
	code int
}

func (s *status) WriteHeader(code int) {
	s.code = code
	s.ResponseWriter.WriteHeader(code)
}
