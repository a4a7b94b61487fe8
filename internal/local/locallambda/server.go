// Package locallambda is a local stand-in for AWS Lambda's Invoke API that
// the real SDK client talks to (REST JSON, POST
// /2015-03-31/functions/{FunctionName}/invocations), pointed at with
// AWS_ENDPOINT_URL_LAMBDA. It runs Go handlers registered in process
// (the same aws-lambda-go handler a function's main passes to
// lambda.Start, wrapped by lambda.NewHandler) and answers as Lambda does:
//
//   - RequestResponse (the default): 200 with the handler's reply; a
//     handler error or a timeout is still a 200, with the
//     X-Amz-Function-Error: Unhandled header and the error as
//     {"errorMessage","errorType"}, as the Go runtime reports it.
//   - Event: 202 at once, the handler runs in the background.
//   - DryRun: 204.
//   - An unknown function: 404, ResourceNotFoundException; a payload that
//     is not JSON: 400, InvalidRequestContentException; over 6 MB: 413,
//     RequestTooLargeException.
//
// The function may be named by name, ARN or partial ARN, with a qualifier
// (":alias", ":1" or ?Qualifier=) that is accepted and ignored. It does
// not check signatures or permissions: it is Lambda seen from the caller's
// side. Why a stand-in: the chat calls Invoke only (the review hook), and
// the handlers are ours.
package locallambda

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

// MaxPayload is Lambda's limit on a synchronous invocation's payload.
const MaxPayload = 6 << 20

// DefaultTimeout is a function's timeout when Register is given none
// (Lambda's default, 3 s).
const DefaultTimeout = 3 * time.Second

// Function is a registered handler.
type Function struct {
	Handler lambda.Handler
	// Timeout ends an invocation that runs longer (DefaultTimeout when
	// zero): the caller gets "Task timed out", as from Lambda.
	Timeout time.Duration
}

// Server is a running stand-in (or, from New, only its handler).
type Server struct {
	log *slog.Logger
	srv *http.Server
	url string

	mu    sync.Mutex
	funcs map[string]Function
	calls map[string]int
	bg    sync.WaitGroup
}

// New is a stand-in that serves nothing yet: use Handler, or Start.
func New(logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Server{log: logger, funcs: map[string]Function{}, calls: map[string]int{}}
}

// Start serves a new stand-in on addr ("127.0.0.1:0" for a free port).
func Start(addr string, logger *slog.Logger) (*Server, error) {
	s := New(logger)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s.url = "http://" + ln.Addr().String()
	s.srv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// URL is the endpoint (AWS_ENDPOINT_URL_LAMBDA); "" from New.
func (s *Server) URL() string { return s.url }

// Close stops the server and waits for background (Event) invocations.
func (s *Server) Close() error {
	var err error
	if s.srv != nil {
		err = s.srv.Close()
	}
	s.bg.Wait()
	return err
}

// Register makes name invocable; registering a name again replaces it.
func (s *Server) Register(name string, f Function) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.funcs[name] = f
}

// Calls is how many invocations name has had (tests).
func (s *Server) Calls(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[name]
}

// Handler serves the Invoke API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2015-03-31/functions/{name}/invocations", s.invoke)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "UnknownOperationException", "the Lambda stand-in serves Invoke only: POST /2015-03-31/functions/{name}/invocations")
	})
	return mux
}

// functionName is the function's name in any of the forms Lambda takes:
// my-function, my-function:alias, 123456789012:function:my-function,
// arn:aws:lambda:us-east-1:123456789012:function:my-function[:qualifier].
func functionName(ref string) string {
	parts := strings.Split(ref, ":")
	for i, p := range parts {
		if p == "function" && i+1 < len(parts) {
			return parts[i+1]
		}
	}
	return parts[0]
}

func (s *Server) invoke(w http.ResponseWriter, r *http.Request) {
	ref, err := url.PathUnescape(r.PathValue("name"))
	if err != nil {
		writeError(w, http.StatusBadRequest, "InvalidParameterValueException", "malformed function name")
		return
	}
	name := functionName(ref)
	s.mu.Lock()
	f, ok := s.funcs[name]
	if ok {
		s.calls[name]++
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:"+name)
		return
	}
	payload, err := io.ReadAll(io.LimitReader(r.Body, MaxPayload+1))
	if err != nil {
		writeError(w, http.StatusBadRequest, "InvalidRequestContentException", "could not read the payload")
		return
	}
	if len(payload) > MaxPayload {
		writeError(w, http.StatusRequestEntityTooLarge, "RequestTooLargeException", fmt.Sprintf("Request must be smaller than %d bytes for the InvokeFunction operation", MaxPayload))
		return
	}
	if len(payload) == 0 {
		payload = []byte("{}")
	}
	if !json.Valid(payload) {
		writeError(w, http.StatusBadRequest, "InvalidRequestContentException", "Could not parse request body into json: the payload is not JSON")
		return
	}
	switch typ := r.Header.Get("X-Amz-Invocation-Type"); typ {
	case "", "RequestResponse":
	case "Event":
		s.bg.Go(func() { s.run(context.Background(), name, f, payload) })
		w.WriteHeader(http.StatusAccepted)
		return
	case "DryRun":
		w.WriteHeader(http.StatusNoContent)
		return
	default:
		writeError(w, http.StatusBadRequest, "InvalidParameterValueException", "X-Amz-Invocation-Type must be RequestResponse, Event or DryRun")
		return
	}
	out, fnErr := s.run(r.Context(), name, f, payload)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amz-Executed-Version", "$LATEST")
	if fnErr != "" {
		w.Header().Set("X-Amz-Function-Error", fnErr)
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out)
}

// run invokes f with payload under its timeout and answers its reply, or
// the error payload with the X-Amz-Function-Error value.
func (s *Server) run(ctx context.Context, name string, f Function, payload []byte) ([]byte, string) {
	timeout := f.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	// Lambda runs the function on, whatever the caller does.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1)
	start := time.Now()
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- result{err: fmt.Errorf("panic: %v", p)}
			}
		}()
		out, err := f.Handler.Invoke(ctx, payload)
		done <- result{out, err}
	}()
	select {
	case res := <-done:
		s.log.Debug("lambda invoked", slog.String("function", name), slog.Duration("took", time.Since(start)), slog.Bool("error", res.err != nil))
		if res.err != nil {
			return errorPayload(res.err), "Unhandled"
		}
		if len(res.out) == 0 {
			return []byte("null"), ""
		}
		return res.out, ""
	case <-ctx.Done():
		s.log.Info("lambda timed out", slog.String("function", name), slog.Duration("timeout", timeout))
		b, _ := json.Marshal(map[string]string{"errorMessage": fmt.Sprintf("%s Task timed out after %.2f seconds", time.Now().UTC().Format(time.RFC3339Nano), timeout.Seconds())})
		return b, "Unhandled"
	}
}

// errorPayload is the error as the Go runtime reports a handler's error.
func errorPayload(err error) []byte {
	t := reflect.TypeOf(err)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	b, _ := json.Marshal(map[string]string{"errorMessage": err.Error(), "errorType": t.Name()})
	return b
}

// writeError answers a service error as Lambda's REST JSON protocol does:
// the type in X-Amzn-ErrorType and the body.
func writeError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", typ)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"Type": "User", "message": msg})
}
