// Package localscheduler is a local stand-in for Amazon EventBridge
// Scheduler that the real SDK client talks to (REST JSON), pointed at with
// AWS_ENDPOINT_URL_SCHEDULER, and that invokes in-process targets at the
// time, as the service invokes a Lambda function through a schedule's role.
//
// It serves CreateSchedule, GetSchedule, DeleteSchedule, ListSchedules
// (names only, one page) and CreateScheduleGroup / GetScheduleGroup, with
// one-time schedules: at(yyyy-mm-ddThh:mm:ss) in ScheduleExpressionTimezone
// (default UTC), FlexibleTimeWindow OFF or FLEXIBLE (the window is
// ignored: it fires at the time), State ENABLED/DISABLED,
// ActionAfterCompletion NONE/DELETE, the target's Input passed as the
// event, and its RetryPolicy (MaximumRetryAttempts,
// MaximumEventAgeInSeconds) with exponential backoff. It validates what the
// service validates that a caller could get wrong: the name (1-64 of
// [0-9a-zA-Z-_.]), the group exists, a duplicate name is a
// ConflictException, a missing schedule a ResourceNotFoundException, the
// expression, the time zone, a target with Arn and RoleArn. rate() and
// cron() are refused as not served (the chat creates one-time schedules
// only). A time in the past fires at once (the service's behaviour there is
// not relied on: callers schedule at least a minute ahead, its precision).
//
// Targets are registered in-process by ARN (Register), as the local API
// Gateway routes to in-process handlers: a schedule whose target is not
// registered fails its invocations (logged, retried per its policy).
// It does not check signatures or that the role may invoke the target.
package localscheduler

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// Defaults of the service.
const (
	DefaultAccount          = "000000000000"
	DefaultGroup            = "default"
	DefaultMaxRetryAttempts = 185
	DefaultMaxEventAge      = 86400 // seconds
)

// Target is an in-process target: input is the schedule's Target.Input
// ("{}" when it has none), as a Lambda function receives it as its event.
type Target func(ctx context.Context, input []byte) error

// Invocation is one attempt to invoke a schedule's target.
type Invocation struct {
	Schedule string
	Group    string
	Target   string
	Input    string
	At       time.Time
	Attempt  int
	Err      string // "" when the target succeeded
}

// Config configures a Server.
type Config struct {
	Region string // default us-east-1
	// Groups are the schedule groups that exist besides "default".
	Groups []string
	// RetryBase is the first retry's delay, doubled per attempt up to a
	// minute (default 1 s; tests use less).
	RetryBase time.Duration
	Logger    *slog.Logger
}

// Server is a running stand-in.
type Server struct {
	cfg Config
	srv *http.Server
	url string
	ctx context.Context // ends on Close: targets' context
	end context.CancelFunc

	mu          sync.Mutex
	groups      map[string]time.Time
	schedules   map[string]*schedule // by group + "/" + name
	targets     map[string]Target
	invocations []Invocation
	wg          sync.WaitGroup
	notify      chan struct{}
	genCounter  int
}

type schedule struct {
	Name, Group, Expression, Timezone, State, AfterCompletion, Description string
	FlexMode                                                               string
	FlexMinutes                                                            int32
	Target                                                                 targetSpec
	Created, Modified                                                      time.Time
	at                                                                     time.Time
	timer                                                                  *time.Timer
	gen                                                                    int // identifies this schedule among re-creations of the name
}

type targetSpec struct {
	Arn         string       `json:"Arn"`
	RoleArn     string       `json:"RoleArn"`
	Input       *string      `json:"Input,omitempty"`
	RetryPolicy *retryPolicy `json:"RetryPolicy,omitempty"`
	DeadLetter  *struct {
		Arn string `json:"Arn"`
	} `json:"DeadLetterConfig,omitempty"`
}

type retryPolicy struct {
	MaximumEventAgeInSeconds *int32 `json:"MaximumEventAgeInSeconds,omitempty"`
	MaximumRetryAttempts     *int32 `json:"MaximumRetryAttempts,omitempty"`
}

// Start listens on addr ("127.0.0.1:0" for a free port) and serves.
func Start(addr string, cfg Config) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("localscheduler: %w", err)
	}
	s := New(cfg)
	s.url = "http://" + ln.Addr().String()
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// New returns a Server that is only a handler (mount it yourself); Close
// still stops its timers.
func New(cfg Config) *Server {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, groups: map[string]time.Time{DefaultGroup: time.Now()}, schedules: map[string]*schedule{},
		targets: map[string]Target{}, notify: make(chan struct{})}
	s.ctx, s.end = context.WithCancel(context.Background())
	for _, g := range cfg.Groups {
		s.groups[g] = time.Now()
	}
	return s
}

// URL is the endpoint for AWS_ENDPOINT_URL_SCHEDULER.
func (s *Server) URL() string { return s.url }

// Register makes arn an in-process target (replacing any earlier one).
func (s *Server) Register(arn string, t Target) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.targets[arn] = t
}

// Invocations returns every invocation attempt so far, oldest first.
func (s *Server) Invocations() []Invocation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Invocation(nil), s.invocations...)
}

// Changed returns a channel closed at the next invocation attempt.
func (s *Server) Changed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.notify
}

// Pending lists the schedules that exist, by group/name.
func (s *Server) Pending() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make([]string, 0, len(s.schedules))
	for k := range s.schedules {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// FireNow fires, at once, every enabled schedule of group whose name
// begins with prefix, as if its time had come, and returns how many. It
// is the stand-in's test hook (the e2e tests and `make dev`'s
// /dev/scheduled/fire): the service itself has no such call, and the
// stand-in otherwise keeps real time.
func (s *Server) FireNow(group, prefix string) int {
	s.mu.Lock()
	var due []func()
	for key, sc := range s.schedules {
		if sc.Group != group || !strings.HasPrefix(sc.Name, prefix) || sc.State != "ENABLED" || sc.timer == nil {
			continue
		}
		if !sc.timer.Stop() {
			continue // firing already
		}
		gen := sc.gen
		due = append(due, func() { s.fire(key, gen) })
	}
	s.mu.Unlock()
	for _, f := range due {
		go f()
	}
	return len(due)
}

// Close stops the server and every timer, and waits for running targets.
func (s *Server) Close() error {
	s.mu.Lock()
	for _, sc := range s.schedules {
		if sc.timer != nil {
			sc.timer.Stop()
		}
	}
	s.mu.Unlock()
	s.end()
	var err error
	if s.srv != nil {
		err = s.srv.Close()
	}
	s.wg.Wait()
	return err
}

type apiErr struct {
	status int
	code   string
	msg    string
}

func validation(format string, args ...any) *apiErr {
	return &apiErr{http.StatusBadRequest, "ValidationException", fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) *apiErr {
	return &apiErr{http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf(format, args...)}
}

var namePattern = regexp.MustCompile(`^[0-9a-zA-Z\-_.]{1,64}$`)

// ServeHTTP serves the REST JSON API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(r.URL.EscapedPath(), "/"), "/")
	var (
		out any
		err *apiErr
	)
	name := ""
	if len(parts) == 2 {
		name, _ = url.PathUnescape(parts[1])
	}
	q := r.URL.Query()
	switch {
	case len(parts) == 2 && parts[0] == "schedules" && r.Method == http.MethodPost:
		out, err = s.createSchedule(name, r.Body)
	case len(parts) == 2 && parts[0] == "schedules" && r.Method == http.MethodGet:
		out, err = s.getSchedule(name, groupOf(q.Get("groupName")))
	case len(parts) == 2 && parts[0] == "schedules" && r.Method == http.MethodDelete:
		out, err = s.deleteSchedule(name, groupOf(q.Get("groupName")))
	case len(parts) == 1 && parts[0] == "schedules" && r.Method == http.MethodGet:
		out, err = s.listSchedules(q.Get("ScheduleGroup"), q.Get("NamePrefix"))
	case len(parts) == 2 && parts[0] == "schedule-groups" && r.Method == http.MethodPost:
		out, err = s.createGroup(name)
	case len(parts) == 2 && parts[0] == "schedule-groups" && r.Method == http.MethodGet:
		out, err = s.getGroup(name)
	default:
		err = &apiErr{http.StatusNotFound, "UnknownOperationException", fmt.Sprintf("%s %s is not served by the local EventBridge Scheduler", r.Method, r.URL.Path)}
	}
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.Header().Set("X-Amzn-ErrorType", err.code)
		w.WriteHeader(err.status)
		_ = json.NewEncoder(w).Encode(map[string]string{"Message": err.msg})
		return
	}
	_ = json.NewEncoder(w).Encode(out)
}

func groupOf(g string) string {
	if g == "" {
		return DefaultGroup
	}
	return g
}

func (s *Server) scheduleARN(group, name string) string {
	return fmt.Sprintf("arn:aws:scheduler:%s:%s:schedule/%s/%s", s.cfg.Region, DefaultAccount, group, name)
}

func (s *Server) groupARN(group string) string {
	return fmt.Sprintf("arn:aws:scheduler:%s:%s:schedule-group/%s", s.cfg.Region, DefaultAccount, group)
}

func (s *Server) createSchedule(name string, body io.Reader) (any, *apiErr) {
	var in struct {
		ActionAfterCompletion string `json:"ActionAfterCompletion"`
		Description           string `json:"Description"`
		FlexibleTimeWindow    *struct {
			Mode                   string `json:"Mode"`
			MaximumWindowInMinutes int32  `json:"MaximumWindowInMinutes"`
		} `json:"FlexibleTimeWindow"`
		GroupName                  string      `json:"GroupName"`
		ScheduleExpression         string      `json:"ScheduleExpression"`
		ScheduleExpressionTimezone string      `json:"ScheduleExpressionTimezone"`
		State                      string      `json:"State"`
		Target                     *targetSpec `json:"Target"`
	}
	if err := json.NewDecoder(io.LimitReader(body, 1<<20)).Decode(&in); err != nil {
		return nil, validation("body: %v", err)
	}
	if !namePattern.MatchString(name) {
		return nil, validation("name %q: 1 to 64 of 0-9 a-z A-Z - _ .", name)
	}
	group := groupOf(in.GroupName)
	switch {
	case in.FlexibleTimeWindow == nil:
		return nil, validation("FlexibleTimeWindow is required")
	case in.FlexibleTimeWindow.Mode != "OFF" && in.FlexibleTimeWindow.Mode != "FLEXIBLE":
		return nil, validation("FlexibleTimeWindow.Mode must be OFF or FLEXIBLE")
	case in.FlexibleTimeWindow.Mode == "FLEXIBLE" && (in.FlexibleTimeWindow.MaximumWindowInMinutes < 1 || in.FlexibleTimeWindow.MaximumWindowInMinutes > 1440):
		return nil, validation("MaximumWindowInMinutes must be 1 to 1440 with FLEXIBLE")
	case in.Target == nil || in.Target.Arn == "" || in.Target.RoleArn == "":
		return nil, validation("Target with Arn and RoleArn is required")
	case in.Target.Input != nil && (len(*in.Target.Input) == 0 || len(*in.Target.Input) > 8192):
		return nil, validation("Target.Input must be 1 to 8192 characters")
	case in.State != "" && in.State != "ENABLED" && in.State != "DISABLED":
		return nil, validation("State must be ENABLED or DISABLED")
	case in.ActionAfterCompletion != "" && in.ActionAfterCompletion != "NONE" && in.ActionAfterCompletion != "DELETE":
		return nil, validation("ActionAfterCompletion must be NONE or DELETE")
	}
	if rp := in.Target.RetryPolicy; rp != nil {
		if a := rp.MaximumRetryAttempts; a != nil && (*a < 0 || *a > 185) {
			return nil, validation("MaximumRetryAttempts must be 0 to 185")
		}
		if a := rp.MaximumEventAgeInSeconds; a != nil && (*a < 60 || *a > 86400) {
			return nil, validation("MaximumEventAgeInSeconds must be 60 to 86400")
		}
	}
	tz := in.ScheduleExpressionTimezone
	if tz == "" {
		tz = "UTC"
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, validation("ScheduleExpressionTimezone %q: not a time zone", tz)
	}
	at, aerr := parseAt(in.ScheduleExpression, loc)
	if aerr != nil {
		return nil, aerr
	}
	sc := &schedule{
		Name: name, Group: group, Expression: in.ScheduleExpression, Timezone: in.ScheduleExpressionTimezone,
		State: orDefault(in.State, "ENABLED"), AfterCompletion: orDefault(in.ActionAfterCompletion, "NONE"),
		Description: in.Description, FlexMode: in.FlexibleTimeWindow.Mode, FlexMinutes: in.FlexibleTimeWindow.MaximumWindowInMinutes,
		Target: *in.Target, at: at,
	}
	sc.Created = time.Now().UTC()
	sc.Modified = sc.Created
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.groups[group]; !ok {
		return nil, notFound("schedule group %s does not exist", group)
	}
	key := group + "/" + name
	if _, ok := s.schedules[key]; ok {
		return nil, &apiErr{http.StatusConflict, "ConflictException", fmt.Sprintf("schedule %s already exists", key)}
	}
	s.schedules[key] = sc
	if sc.State == "ENABLED" {
		s.arm(key, sc)
	}
	s.cfg.Logger.Info("schedule created", "schedule", key, "at", at.UTC().Format(time.RFC3339), "target", sc.Target.Arn)
	return map[string]string{"ScheduleArn": s.scheduleARN(group, name)}, nil
}

var atPattern = regexp.MustCompile(`^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$`)

func parseAt(expr string, loc *time.Location) (time.Time, *apiErr) {
	if strings.HasPrefix(expr, "rate(") || strings.HasPrefix(expr, "cron(") {
		return time.Time{}, validation("%q: the local EventBridge Scheduler serves one-time at(...) schedules only", expr)
	}
	m := atPattern.FindStringSubmatch(expr)
	if m == nil {
		return time.Time{}, validation("ScheduleExpression %q: expected at(yyyy-mm-ddThh:mm:ss)", expr)
	}
	t, err := time.ParseInLocation("2006-01-02T15:04:05", m[1], loc)
	if err != nil {
		return time.Time{}, validation("ScheduleExpression %q: %v", expr, err)
	}
	return t, nil
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

// arm starts sc's timer; s.mu is held.
func (s *Server) arm(key string, sc *schedule) {
	s.genCounter++
	sc.gen = s.genCounter
	gen := sc.gen
	sc.timer = time.AfterFunc(time.Until(sc.at), func() { s.fire(key, gen) })
}

func (s *Server) fire(key string, gen int) {
	s.mu.Lock()
	sc, ok := s.schedules[key]
	if !ok || sc.gen != gen || s.ctx.Err() != nil {
		s.mu.Unlock()
		return
	}
	s.wg.Add(1)
	s.mu.Unlock()
	defer s.wg.Done()

	input := "{}"
	if sc.Target.Input != nil {
		input = *sc.Target.Input
	}
	attempts, maxAge := int32(DefaultMaxRetryAttempts), int32(DefaultMaxEventAge)
	if rp := sc.Target.RetryPolicy; rp != nil {
		if rp.MaximumRetryAttempts != nil {
			attempts = *rp.MaximumRetryAttempts
		}
		if rp.MaximumEventAgeInSeconds != nil {
			maxAge = *rp.MaximumEventAgeInSeconds
		}
	}
	deadline := time.Now().Add(time.Duration(maxAge) * time.Second)
	for attempt := 0; ; attempt++ {
		s.mu.Lock()
		t := s.targets[sc.Target.Arn]
		s.mu.Unlock()
		var err error
		if t == nil {
			err = fmt.Errorf("target %s is not registered with the local EventBridge Scheduler", sc.Target.Arn)
		} else {
			err = invoke(s.ctx, t, []byte(input))
		}
		s.record(Invocation{Schedule: sc.Name, Group: sc.Group, Target: sc.Target.Arn, Input: input, At: time.Now().UTC(), Attempt: attempt, Err: errString(err)})
		if err == nil {
			break
		}
		s.cfg.Logger.Error("schedule target failed", "schedule", key, "attempt", attempt, "error", err)
		delay := time.Duration(math.Min(float64(s.cfg.RetryBase)*math.Pow(2, float64(attempt)), float64(time.Minute)))
		if int32(attempt) >= attempts || time.Now().Add(delay).After(deadline) {
			s.cfg.Logger.Error("schedule gave up: retries exhausted", "schedule", key)
			break
		}
		select {
		case <-s.ctx.Done():
			return
		case <-time.After(delay):
		}
	}
	s.mu.Lock()
	if cur, ok := s.schedules[key]; ok && cur.gen == gen && cur.AfterCompletion == "DELETE" {
		delete(s.schedules, key)
	}
	s.mu.Unlock()
}

// invoke runs a target, a panic counting as a failed invocation.
func invoke(ctx context.Context, t Target, input []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("target panicked: %v", r)
		}
	}()
	return t(ctx, input)
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func (s *Server) record(inv Invocation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.invocations = append(s.invocations, inv)
	close(s.notify)
	s.notify = make(chan struct{})
}

func (s *Server) getSchedule(name, group string) (any, *apiErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sc, ok := s.schedules[group+"/"+name]
	if !ok {
		return nil, notFound("schedule %s/%s does not exist", group, name)
	}
	flex := map[string]any{"Mode": sc.FlexMode}
	if sc.FlexMode == "FLEXIBLE" {
		flex["MaximumWindowInMinutes"] = sc.FlexMinutes
	}
	out := map[string]any{
		"Arn": s.scheduleARN(group, name), "Name": name, "GroupName": group,
		"ScheduleExpression": sc.Expression, "State": sc.State, "ActionAfterCompletion": sc.AfterCompletion,
		"FlexibleTimeWindow": flex, "Target": sc.Target,
		"CreationDate": epoch(sc.Created), "LastModificationDate": epoch(sc.Modified),
	}
	if sc.Timezone != "" {
		out["ScheduleExpressionTimezone"] = sc.Timezone
	}
	if sc.Description != "" {
		out["Description"] = sc.Description
	}
	return out, nil
}

func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func (s *Server) deleteSchedule(name, group string) (any, *apiErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := group + "/" + name
	sc, ok := s.schedules[key]
	if !ok {
		return nil, notFound("schedule %s does not exist", key)
	}
	if sc.timer != nil {
		sc.timer.Stop()
	}
	delete(s.schedules, key)
	s.cfg.Logger.Info("schedule deleted", "schedule", key)
	return map[string]any{}, nil
}

func (s *Server) listSchedules(group, prefix string) (any, *apiErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var list []map[string]any
	for _, sc := range s.schedules {
		if (group != "" && sc.Group != group) || !strings.HasPrefix(sc.Name, prefix) {
			continue
		}
		list = append(list, map[string]any{"Arn": s.scheduleARN(sc.Group, sc.Name), "Name": sc.Name, "GroupName": sc.Group,
			"State": sc.State, "Target": map[string]string{"Arn": sc.Target.Arn},
			"CreationDate": epoch(sc.Created), "LastModificationDate": epoch(sc.Modified)})
	}
	sort.Slice(list, func(i, j int) bool { return list[i]["Name"].(string) < list[j]["Name"].(string) })
	if list == nil {
		list = []map[string]any{}
	}
	return map[string]any{"Schedules": list}, nil
}

func (s *Server) createGroup(name string) (any, *apiErr) {
	if !namePattern.MatchString(name) {
		return nil, validation("group name %q: 1 to 64 of 0-9 a-z A-Z - _ .", name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.groups[name]; ok {
		return nil, &apiErr{http.StatusConflict, "ConflictException", fmt.Sprintf("schedule group %s already exists", name)}
	}
	s.groups[name] = time.Now().UTC()
	return map[string]string{"ScheduleGroupArn": s.groupARN(name)}, nil
}

func (s *Server) getGroup(name string) (any, *apiErr) {
	s.mu.Lock()
	defer s.mu.Unlock()
	created, ok := s.groups[name]
	if !ok {
		return nil, notFound("schedule group %s does not exist", name)
	}
	return map[string]any{"Arn": s.groupARN(name), "Name": name, "State": "ACTIVE",
		"CreationDate": epoch(created), "LastModificationDate": epoch(created)}, nil
}
