// Package localsqs is a local stand-in for Amazon SQS that the real SDK
// client talks to (AWS JSON 1.0, the protocol aws-sdk-go-v2's sqs client
// speaks), pointed at with AWS_ENDPOINT_URL_SQS, and a poller that drives a
// Lambda SQS handler the way an event source mapping does (Poll).
//
// It serves what the chat uses and the poller needs: CreateQueue,
// GetQueueUrl, GetQueueAttributes (message counts), SendMessage,
// SendMessageBatch (with DelaySeconds), ReceiveMessage (long polling,
// visibility timeout, ApproximateReceiveCount), DeleteMessage,
// DeleteMessageBatch and ChangeMessageVisibility, with SQS's MD5 body
// checksums (the SDK verifies them) and limits (10 entries, 1 MiB per
// message and per batch). A queue created with a RedrivePolicy moves a
// message received maxReceiveCount times to its dead-letter queue.
// Standard-queue semantics; no FIFO, no message attributes.
//
// Why a stand-in and not ElasticMQ: ElasticMQ is a JVM service (about
// 60 MB of jars and 300 MB resident) and LocalStack needs Docker; the chat
// uses eight SQS calls, which fit in one small file that starts in
// microseconds inside the test process and `make dev`. The SDK client is
// the real one either way, so switching to ElasticMQ, LocalStack or AWS is
// AWS_ENDPOINT_URL_SQS alone.
package localsqs

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// SQS limits the stand-in enforces.
const (
	MaxBatchEntries = 10
	MaxMessageBytes = 1 << 20 // 1 MiB since 2025; also the batch total
	maxWait         = 20 * time.Second
)

// Server is a running stand-in.
type Server struct {
	srv *http.Server
	ln  net.Listener
	url string

	mu     sync.Mutex
	queues map[string]*queue // by name
	wake   chan struct{}     // closed and replaced whenever a message is sent or becomes visible
}

type queue struct {
	name       string
	visibility time.Duration
	dlq        string // name of the dead-letter queue, if any
	maxReceive int
	msgs       []*message
	sent       int64
	deleted    int64
}

type message struct {
	id, body, receipt string
	visibleAt         time.Time
	receives          int
	sentAt            time.Time
}

// Start listens on addr ("127.0.0.1:0" for a free port).
func Start(addr string) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("localsqs: %w", err)
	}
	s := &Server{ln: ln, url: "http://" + ln.Addr().String(), queues: map[string]*queue{}, wake: make(chan struct{})}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// URL is the endpoint for AWS_ENDPOINT_URL_SQS.
func (s *Server) URL() string { return s.url }

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

// QueueURL is the URL of the queue named name (created or not).
func (s *Server) QueueURL(name string) string { return s.url + "/000000000000/" + name }

// Counts reports a queue's messages: waiting (visible or delayed), in
// flight, and ever sent and deleted.
func (s *Server) Counts(name string) (waiting, inFlight int, sent, deleted int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.queues[name]
	if q == nil {
		return 0, 0, 0, 0
	}
	now := time.Now()
	for _, m := range q.msgs {
		if m.receives > 0 && m.visibleAt.After(now) {
			inFlight++
		} else {
			waiting++
		}
	}
	return waiting, inFlight, q.sent, q.deleted
}

type apiError struct {
	status int
	code   string // e.g. QueueDoesNotExist
	msg    string
}

func (e *apiError) Error() string { return e.code + ": " + e.msg }

func badRequest(code, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: code, msg: fmt.Sprintf(format, args...)}
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AmazonSQS.")
	if r.Method != http.MethodPost || !ok {
		writeError(w, badRequest("InvalidAction", "POST with X-Amz-Target AmazonSQS.<Operation> expected"))
		return
	}
	var in map[string]json.RawMessage
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 2*MaxMessageBytes)).Decode(&in); err != nil {
		writeError(w, badRequest("MalformedInput", "body: %v", err))
		return
	}
	var (
		out any
		err *apiError
	)
	switch op {
	case "CreateQueue":
		out, err = s.createQueue(in)
	case "GetQueueUrl":
		out, err = s.getQueueURL(in)
	case "GetQueueAttributes":
		out, err = s.getQueueAttributes(in)
	case "SendMessage":
		out, err = s.sendMessage(in)
	case "SendMessageBatch":
		out, err = s.sendMessageBatch(in)
	case "ReceiveMessage":
		out, err = s.receiveMessage(r, in)
	case "DeleteMessage":
		out, err = s.deleteMessage(in)
	case "DeleteMessageBatch":
		out, err = s.deleteMessageBatch(in)
	case "ChangeMessageVisibility":
		out, err = s.changeVisibility(in)
	default:
		err = badRequest("UnsupportedOperation", "%s is not served by the local SQS stand-in", op)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	_ = json.NewEncoder(w).Encode(out)
}

func writeError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("x-amzn-query-error", "AWS.SimpleQueueService."+e.code+";Sender")
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": "com.amazonaws.sqs#" + e.code, "message": e.msg})
}

func str(in map[string]json.RawMessage, key string) string {
	var v string
	_ = json.Unmarshal(in[key], &v)
	return v
}

func num(in map[string]json.RawMessage, key string, def int) int {
	raw, ok := in[key]
	if !ok {
		return def
	}
	var v int
	if json.Unmarshal(raw, &v) != nil {
		return def
	}
	return v
}

// lookup finds the queue of a QueueUrl; call with s.mu held.
func (s *Server) lookup(in map[string]json.RawMessage) (*queue, *apiError) {
	u := str(in, "QueueUrl")
	name := u[strings.LastIndexByte(u, '/')+1:]
	q := s.queues[name]
	if q == nil {
		return nil, badRequest("QueueDoesNotExist", "The specified queue %q does not exist.", u)
	}
	return q, nil
}

func (s *Server) createQueue(in map[string]json.RawMessage) (any, *apiError) {
	name := str(in, "QueueName")
	if name == "" || len(name) > 80 {
		return nil, badRequest("InvalidParameterValue", "QueueName %q", name)
	}
	var attrs map[string]string
	_ = json.Unmarshal(in["Attributes"], &attrs)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.queues[name]; !ok {
		q := &queue{name: name, visibility: 30 * time.Second}
		if v, err := strconv.Atoi(attrs["VisibilityTimeout"]); err == nil {
			q.visibility = time.Duration(v) * time.Second
		}
		if rp := attrs["RedrivePolicy"]; rp != "" {
			var p struct {
				Target string `json:"deadLetterTargetArn"`
				Max    any    `json:"maxReceiveCount"`
			}
			if err := json.Unmarshal([]byte(rp), &p); err != nil {
				return nil, badRequest("InvalidAttributeValue", "RedrivePolicy: %v", err)
			}
			q.dlq = p.Target[strings.LastIndexByte(p.Target, ':')+1:]
			q.maxReceive, _ = strconv.Atoi(fmt.Sprint(p.Max))
		}
		s.queues[name] = q
	}
	return map[string]string{"QueueUrl": s.QueueURL(name)}, nil
}

func (s *Server) getQueueURL(in map[string]json.RawMessage) (any, *apiError) {
	name := str(in, "QueueName")
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.queues[name] == nil {
		return nil, badRequest("QueueDoesNotExist", "The specified queue %q does not exist.", name)
	}
	return map[string]string{"QueueUrl": s.QueueURL(name)}, nil
}

func (s *Server) getQueueAttributes(in map[string]json.RawMessage) (any, *apiError) {
	s.mu.Lock()
	q, err := s.lookup(in)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	waiting, inFlight, _, _ := s.Counts(q.name)
	return map[string]any{"Attributes": map[string]string{
		"ApproximateNumberOfMessages":           strconv.Itoa(waiting),
		"ApproximateNumberOfMessagesNotVisible": strconv.Itoa(inFlight),
		"QueueArn":                              "arn:aws:sqs:us-east-1:000000000000:" + q.name,
		"VisibilityTimeout":                     strconv.Itoa(int(q.visibility / time.Second)),
	}}, nil
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// enqueue adds a message; call with s.mu held.
func (s *Server) enqueue(q *queue, body string, delay int) (*message, *apiError) {
	if body == "" {
		return nil, badRequest("MissingParameter", "MessageBody is required")
	}
	if len(body) > MaxMessageBytes {
		return nil, badRequest("InvalidParameterValue", "message of %d bytes is over %d", len(body), MaxMessageBytes)
	}
	if delay < 0 || delay > 900 {
		return nil, badRequest("InvalidParameterValue", "DelaySeconds %d", delay)
	}
	now := time.Now()
	m := &message{id: newID(), body: body, visibleAt: now.Add(time.Duration(delay) * time.Second), sentAt: now}
	q.msgs = append(q.msgs, m)
	q.sent++
	if delay == 0 {
		s.notify()
	} else {
		time.AfterFunc(time.Duration(delay)*time.Second, func() { s.mu.Lock(); s.notify(); s.mu.Unlock() })
	}
	return m, nil
}

// notify wakes long polls; call with s.mu held.
func (s *Server) notify() {
	close(s.wake)
	s.wake = make(chan struct{})
}

func (s *Server) sendMessage(in map[string]json.RawMessage) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in)
	if err != nil {
		return nil, err
	}
	m, err := s.enqueue(q, str(in, "MessageBody"), num(in, "DelaySeconds", 0))
	if err != nil {
		return nil, err
	}
	return map[string]string{"MessageId": m.id, "MD5OfMessageBody": md5Hex(m.body)}, nil
}

type batchError struct {
	ID          string `json:"Id"`
	Code        string `json:"Code"`
	Message     string `json:"Message"`
	SenderFault bool   `json:"SenderFault"`
}

func (s *Server) sendMessageBatch(in map[string]json.RawMessage) (any, *apiError) {
	var entries []struct {
		ID           string `json:"Id"`
		MessageBody  string `json:"MessageBody"`
		DelaySeconds int    `json:"DelaySeconds"`
	}
	if err := json.Unmarshal(in["Entries"], &entries); err != nil || len(entries) == 0 {
		return nil, badRequest("EmptyBatchRequest", "no entries")
	}
	if len(entries) > MaxBatchEntries {
		return nil, badRequest("TooManyEntriesInBatchRequest", "%d entries, at most %d", len(entries), MaxBatchEntries)
	}
	total := 0
	for _, e := range entries {
		total += len(e.MessageBody)
	}
	if total > MaxMessageBytes {
		return nil, badRequest("BatchRequestTooLong", "batch of %d bytes is over %d", total, MaxMessageBytes)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in)
	if err != nil {
		return nil, err
	}
	type ok struct {
		ID        string `json:"Id"`
		MessageID string `json:"MessageId"`
		MD5       string `json:"MD5OfMessageBody"`
	}
	successful, failed := []ok{}, []batchError{}
	for _, e := range entries {
		m, err := s.enqueue(q, e.MessageBody, e.DelaySeconds)
		if err != nil {
			failed = append(failed, batchError{ID: e.ID, Code: err.code, Message: err.msg, SenderFault: true})
			continue
		}
		successful = append(successful, ok{ID: e.ID, MessageID: m.id, MD5: md5Hex(m.body)})
	}
	return map[string]any{"Successful": successful, "Failed": failed}, nil
}

func (s *Server) receiveMessage(r *http.Request, in map[string]json.RawMessage) (any, *apiError) {
	max := num(in, "MaxNumberOfMessages", 1)
	if max < 1 || max > 10 {
		return nil, badRequest("InvalidParameterValue", "MaxNumberOfMessages %d", max)
	}
	wait := time.Duration(num(in, "WaitTimeSeconds", 0)) * time.Second
	if wait > maxWait {
		return nil, badRequest("InvalidParameterValue", "WaitTimeSeconds over 20")
	}
	deadline := time.Now().Add(wait)
	for {
		s.mu.Lock()
		q, err := s.lookup(in)
		if err != nil {
			s.mu.Unlock()
			return nil, err
		}
		visibility := q.visibility
		if _, set := in["VisibilityTimeout"]; set {
			visibility = time.Duration(num(in, "VisibilityTimeout", 30)) * time.Second
		}
		got := s.take(q, max, visibility)
		wake := s.wake
		s.mu.Unlock()
		if len(got) > 0 || !time.Now().Before(deadline) {
			return map[string]any{"Messages": got}, nil
		}
		t := time.NewTimer(time.Until(deadline))
		select {
		case <-wake:
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return map[string]any{"Messages": []any{}}, nil
		}
		t.Stop()
	}
}

type outMessage struct {
	MessageID     string            `json:"MessageId"`
	ReceiptHandle string            `json:"ReceiptHandle"`
	Body          string            `json:"Body"`
	MD5OfBody     string            `json:"MD5OfBody"`
	Attributes    map[string]string `json:"Attributes"`
}

// take hands out up to max visible messages; call with s.mu held.
func (s *Server) take(q *queue, max int, visibility time.Duration) []outMessage {
	now := time.Now()
	out := []outMessage{}
	kept := q.msgs[:0]
	for _, m := range q.msgs {
		if len(out) == max || m.visibleAt.After(now) {
			kept = append(kept, m)
			continue
		}
		if q.dlq != "" && q.maxReceive > 0 && m.receives >= q.maxReceive {
			if dlq := s.queues[q.dlq]; dlq != nil {
				dlq.msgs = append(dlq.msgs, &message{id: m.id, body: m.body, visibleAt: now, sentAt: m.sentAt})
				dlq.sent++
				continue // moved: no longer in q
			}
		}
		m.receives++
		m.receipt = newID()
		m.visibleAt = now.Add(visibility)
		if visibility > 0 {
			time.AfterFunc(visibility, func() { s.mu.Lock(); s.notify(); s.mu.Unlock() })
		}
		out = append(out, outMessage{
			MessageID: m.id, ReceiptHandle: m.receipt, Body: m.body, MD5OfBody: md5Hex(m.body),
			Attributes: map[string]string{
				"ApproximateReceiveCount": strconv.Itoa(m.receives),
				"SentTimestamp":           strconv.FormatInt(m.sentAt.UnixMilli(), 10),
			},
		})
		kept = append(kept, m)
	}
	q.msgs = kept
	return out
}

// remove deletes the message holding receipt; call with s.mu held.
func (q *queue) remove(receipt string) bool {
	for i, m := range q.msgs {
		if m.receipt == receipt && receipt != "" {
			q.msgs = append(q.msgs[:i], q.msgs[i+1:]...)
			q.deleted++
			return true
		}
	}
	return false
}

func (s *Server) deleteMessage(in map[string]json.RawMessage) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in)
	if err != nil {
		return nil, err
	}
	if !q.remove(str(in, "ReceiptHandle")) {
		return nil, badRequest("ReceiptHandleIsInvalid", "unknown receipt handle")
	}
	return map[string]any{}, nil
}

func (s *Server) deleteMessageBatch(in map[string]json.RawMessage) (any, *apiError) {
	var entries []struct {
		ID            string `json:"Id"`
		ReceiptHandle string `json:"ReceiptHandle"`
	}
	if err := json.Unmarshal(in["Entries"], &entries); err != nil || len(entries) == 0 || len(entries) > MaxBatchEntries {
		return nil, badRequest("InvalidParameterValue", "1 to 10 entries")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in)
	if err != nil {
		return nil, err
	}
	type ok struct {
		ID string `json:"Id"`
	}
	successful, failed := []ok{}, []batchError{}
	for _, e := range entries {
		if q.remove(e.ReceiptHandle) {
			successful = append(successful, ok{e.ID})
		} else {
			failed = append(failed, batchError{ID: e.ID, Code: "ReceiptHandleIsInvalid", Message: "unknown receipt handle", SenderFault: true})
		}
	}
	return map[string]any{"Successful": successful, "Failed": failed}, nil
}

func (s *Server) changeVisibility(in map[string]json.RawMessage) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.lookup(in)
	if err != nil {
		return nil, err
	}
	receipt := str(in, "ReceiptHandle")
	for _, m := range q.msgs {
		if m.receipt == receipt && receipt != "" {
			d := time.Duration(num(in, "VisibilityTimeout", 0)) * time.Second
			m.visibleAt = time.Now().Add(d)
			if d == 0 {
				s.notify()
			} else {
				time.AfterFunc(d, func() { s.mu.Lock(); s.notify(); s.mu.Unlock() })
			}
			return map[string]any{}, nil
		}
	}
	return nil, badRequest("ReceiptHandleIsInvalid", "unknown receipt handle")
}
