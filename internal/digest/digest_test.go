package digest_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/digest"
)

// fakeChat is the chat's state the digest reads.
type fakeChat struct {
	mu       sync.Mutex
	conns    map[string][]string
	profiles map[string]chat.Profile
	members  map[string]chat.Member // room/user
	messages map[string]chat.Message
	rooms    map[string]chat.Room
}

func key(a string, b any) string { return a + "/" + toString(b) }
func toString(v any) string      { b, _ := json.Marshal(v); return string(b) }

func (f *fakeChat) UserConnections(_ context.Context, u string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.conns[u], nil
}
func (f *fakeChat) GetProfile(_ context.Context, u string) (chat.Profile, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.profiles[u]
	if !ok {
		return p, chat.Errorf(chat.NotFound, "no profile")
	}
	return p, nil
}
func (f *fakeChat) GetMember(_ context.Context, r, u string) (chat.Member, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.members[key(r, u)]
	if !ok {
		return m, chat.Errorf(chat.NotFound, "not a member")
	}
	return m, nil
}
func (f *fakeChat) GetMessage(_ context.Context, r string, seq int64) (chat.Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.messages[key(r, seq)]
	if !ok {
		return m, chat.Errorf(chat.NotFound, "no message")
	}
	return m, nil
}
func (f *fakeChat) GetRoom(_ context.Context, r string) (chat.Room, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rooms[r], nil
}

func (f *fakeChat) read(room, user string, seq int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := f.members[key(room, user)]
	m.ReadSeq = seq
	f.members[key(room, user)] = m
}

type addresses map[string]string

func (a addresses) EmailAddress(_ context.Context, u string) (string, error) {
	if e, ok := a[u]; ok {
		return e, nil
	}
	return "", digest.ErrNoAddress
}

type schedule struct {
	name  string
	at    time.Time
	input []byte
}

type fakeTimer struct {
	mu        sync.Mutex
	schedules map[string]schedule
	created   int
	cancelled []string
}

func (t *fakeTimer) At(_ context.Context, name string, at time.Time, input []byte) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.schedules[name] = schedule{name, at, input}
	t.created++
	return nil
}
func (t *fakeTimer) Cancel(_ context.Context, name string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.schedules, name)
	t.cancelled = append(t.cancelled, name)
	return nil
}

// only returns the one pending schedule (and fails unless there is one).
func (t *fakeTimer) only(tb testing.TB) (schedule, digest.Event) {
	tb.Helper()
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.schedules) != 1 {
		tb.Fatalf("%d schedules, want 1: %+v", len(t.schedules), t.schedules)
	}
	for _, s := range t.schedules {
		var ev digest.Event
		if err := json.Unmarshal(s.input, &ev); err != nil {
			tb.Fatal(err)
		}
		return s, ev
	}
	panic("unreachable")
}

// fire runs the schedule as the scheduler would (and deletes it after).
func (t *fakeTimer) fire(tb testing.TB, svc *digest.Service, clock *clock) digest.Outcome {
	tb.Helper()
	s, ev := t.only(tb)
	clock.set(s.at)
	out, err := svc.Fire(context.Background(), ev)
	if err != nil {
		tb.Fatalf("Fire: %v", err)
	}
	t.mu.Lock()
	delete(t.schedules, s.name)
	t.mu.Unlock()
	return out
}

type mailer struct {
	mu   sync.Mutex
	sent []digest.Email
	err  error
}

func (m *mailer) Send(_ context.Context, e digest.Email) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return m.err
	}
	m.sent = append(m.sent, e)
	return nil
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time           { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time)          { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }
func (c *clock) advance(d time.Duration)  { c.set(c.now().Add(d)) }
func (c *clock) at(h, m int) time.Time    { return time.Date(2026, 11, 30, h, m, 0, 0, time.UTC) }
func (c *clock) setAt(h, m int) time.Time { t := c.at(h, m); c.set(t); return t }

type env struct {
	svc    *digest.Service
	chat   *fakeChat
	prefs  *digest.MemPrefs
	store  *digest.MemStore
	timer  *fakeTimer
	mail   *mailer
	clock  *clock
	signer *digest.Signer
}

const (
	bo       = "user-bo"
	general  = "general"
	dmRoom   = "dm-ana-bo"
	siteURL  = "https://chat.example.com"
	unsubURL = "https://unsub.example.com/"
)

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{
		chat: &fakeChat{
			conns:    map[string][]string{},
			profiles: map[string]chat.Profile{bo: {UserID: bo, Username: "bo", DisplayName: "Bo"}},
			members: map[string]chat.Member{
				key(general, bo): {RoomID: general, UserID: bo, ReadSeq: 1},
				key(dmRoom, bo):  {RoomID: dmRoom, UserID: bo},
			},
			messages: map[string]chat.Message{},
			rooms: map[string]chat.Room{
				general: {ID: general, Kind: chat.KindPublic, Name: "general"},
				dmRoom:  {ID: dmRoom, Kind: chat.KindDirect},
			},
		},
		prefs: digest.NewMemPrefs(),
		store: digest.NewMemStore(),
		timer: &fakeTimer{schedules: map[string]schedule{}},
		mail:  &mailer{},
		clock: &clock{},
	}
	e.clock.setAt(9, 0)
	var err error
	if e.signer, err = digest.NewSigner([]byte(strings.Repeat("k", 32))); err != nil {
		t.Fatal(err)
	}
	e.svc, err = digest.New(digest.Config{
		Prefs: e.prefs, Chat: e.chat, Addresses: addresses{bo: "bo@example.com"}, Store: e.store, Timer: e.timer,
		Mailer: e.mail, SiteURL: siteURL, UnsubscribeURL: unsubURL, Signer: e.signer, Clock: e.clock.now,
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// message stores a message from Ana and reports Bo missed it.
func (e *env) missed(t *testing.T, room string, seq int64, text, reason string) {
	t.Helper()
	e.chat.mu.Lock()
	e.chat.messages[key(room, seq)] = chat.Message{RoomID: room, Seq: seq, SenderID: "user-ana", SenderName: "Ana", Text: text, CreatedAt: e.clock.now()}
	e.chat.mu.Unlock()
	if err := e.svc.Missed(context.Background(), bo, room, seq, reason); err != nil {
		t.Fatalf("Missed: %v", err)
	}
}

func (e *env) sent() []digest.Email {
	e.mail.mu.Lock()
	defer e.mail.mu.Unlock()
	return append([]digest.Email(nil), e.mail.sent...)
}

func TestDigestIsSentOnceWithTheMissedMentions(t *testing.T) {
	e := newEnv(t)
	e.missed(t, general, 5, "@bo can you look at <the> release notes?", digest.ReasonMention)
	e.clock.advance(2 * time.Minute)
	e.missed(t, dmRoom, 1, "lunch?", digest.ReasonDM)
	e.missed(t, dmRoom, 1, "lunch?", digest.ReasonDM) // the stream delivered it twice

	s, ev := e.timer.only(t)
	if want := e.clock.at(9, 15); !s.at.Equal(want) || !ev.Due.Equal(want) || ev.UserID != bo {
		t.Fatalf("scheduled %v (%+v), want one schedule at 9:15 (the first missed item + 15 min)", s.at, ev)
	}
	if e.timer.created != 1 {
		t.Fatalf("%d schedules created, want 1", e.timer.created)
	}
	if out := e.timer.fire(t, e.svc, e.clock); out != digest.OutcomeSent {
		t.Fatalf("outcome %s", out)
	}
	mails := e.sent()
	if len(mails) != 1 {
		t.Fatalf("%d mails", len(mails))
	}
	m := mails[0]
	if m.To != "bo@example.com" || m.Subject != "You missed 2 messages on Backchannel" {
		t.Fatalf("mail %q to %q", m.Subject, m.To)
	}
	for _, want := range []string{
		"#general · Ana · mentioned you · 2026-11-30 09:00 UTC", "@bo can you look at <the> release notes?",
		siteURL + "/?room=general&seq=5", "direct message · Ana · 2026-11-30 09:02 UTC", "lunch?", siteURL + "/?room=dm-ana-bo&seq=1",
		unsubURL + "?t=",
	} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, m.Text)
		}
	}
	if !strings.Contains(m.HTML, "&lt;the&gt;") || strings.Contains(m.HTML, "<the>") {
		t.Errorf("HTML not escaped:\n%s", m.HTML)
	}
	if !strings.Contains(m.HTML, `href="`+siteURL+`/?room=general&amp;seq=5"`) {
		t.Errorf("HTML lacks the link:\n%s", m.HTML)
	}
	if !strings.HasPrefix(m.Headers["List-Unsubscribe"], "<"+unsubURL+"?t=") || m.Headers["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" {
		t.Errorf("headers %v", m.Headers)
	}
	// Fired again (the scheduler delivers at least once): nothing more.
	out, err := e.svc.Fire(context.Background(), ev)
	if err != nil || out != digest.OutcomeStale || len(e.sent()) != 1 {
		t.Fatalf("second Fire: %s, %v, %d mails", out, err, len(e.sent()))
	}
	if e.store.Pending(bo) != 0 {
		t.Fatalf("%d items left after sending", e.store.Pending(bo))
	}
}

func TestAtMostOneDigestAnHour(t *testing.T) {
	e := newEnv(t)
	e.missed(t, dmRoom, 1, "one", digest.ReasonDM)
	e.timer.fire(t, e.svc, e.clock) // sent at 9:15
	e.clock.advance(5 * time.Minute)
	e.missed(t, dmRoom, 2, "two", digest.ReasonDM) // 9:20: + 15 min would be 9:35
	s, _ := e.timer.only(t)
	if want := e.clock.at(10, 15); !s.at.Equal(want) {
		t.Fatalf("next digest at %v, want %v (an hour after the last)", s.at, want)
	}
	if out := e.timer.fire(t, e.svc, e.clock); out != digest.OutcomeSent || len(e.sent()) != 2 {
		t.Fatalf("outcome %s, %d mails", out, len(e.sent()))
	}
	if m := e.sent()[1]; !strings.Contains(m.Text, "two") || strings.Contains(m.Text, "one\n") {
		t.Fatalf("second mail:\n%s", m.Text)
	}
}

func TestMessagesArrivingWhileSendingGetTheNextDigest(t *testing.T) {
	e := newEnv(t)
	e.missed(t, dmRoom, 1, "one", digest.ReasonDM)
	s, ev := e.timer.only(t)
	e.clock.set(s.at)
	// Missed while the digest is pending: no second schedule.
	e.missed(t, dmRoom, 2, "two", digest.ReasonDM)
	if e.timer.created != 1 {
		t.Fatalf("%d schedules", e.timer.created)
	}
	e.timer.mu.Lock()
	delete(e.timer.schedules, s.name)
	e.timer.mu.Unlock()
	if out, err := e.svc.Fire(context.Background(), ev); err != nil || out != digest.OutcomeSent {
		t.Fatalf("%s %v", out, err)
	}
	if m := e.sent()[0]; !strings.Contains(m.Text, "one") || !strings.Contains(m.Text, "two") {
		t.Fatalf("mail:\n%s", m.Text)
	}
	if e.timer.created != 1 || len(e.timer.schedules) != 0 {
		t.Fatalf("a schedule after everything was sent: %+v", e.timer.schedules)
	}
}

func TestDoNotDisturbDefersTheDigest(t *testing.T) {
	e := newEnv(t)
	night := func(t time.Time) bool { h := t.UTC().Hour(); return h >= 22 || h < 7 }
	e.prefs.Set(bo, digest.Prefs{Enabled: true, Delay: 15 * time.Minute, InDND: night})
	e.clock.setAt(21, 50)
	e.missed(t, dmRoom, 1, "late", digest.ReasonDM)
	s, _ := e.timer.only(t)
	if want := time.Date(2026, 12, 1, 7, 0, 0, 0, time.UTC); !s.at.Equal(want) {
		t.Fatalf("scheduled at %v, want %v (the end of do-not-disturb)", s.at, want)
	}
	if out := e.timer.fire(t, e.svc, e.clock); out != digest.OutcomeSent {
		t.Fatalf("outcome %s", out)
	}

	// Do-not-disturb turned on after the digest was scheduled: the
	// invocation moves it to the end instead of sending.
	e2 := newEnv(t)
	e2.missed(t, dmRoom, 1, "hi", digest.ReasonDM) // 9:00, due 9:15
	e2.prefs.Set(bo, digest.Prefs{Enabled: true, InDND: func(t time.Time) bool { return t.Hour() == 9 }})
	if out := e2.timer.fire(t, e2.svc, e2.clock); out != digest.OutcomeDeferred || len(e2.sent()) != 0 {
		t.Fatalf("outcome %s, %d mails during do-not-disturb", out, len(e2.sent()))
	}
	s, _ = e2.timer.only(t)
	if want := e2.clock.at(10, 0); !s.at.Equal(want) {
		t.Fatalf("moved to %v, want %v", s.at, want)
	}
	if out := e2.timer.fire(t, e2.svc, e2.clock); out != digest.OutcomeSent || len(e2.sent()) != 1 {
		t.Fatalf("after do-not-disturb: %s, %d mails", out, len(e2.sent()))
	}
}

func TestNothingIsSentWhenReadOrBack(t *testing.T) {
	cases := map[string]struct {
		change func(e *env)
		want   digest.Outcome
	}{
		"read meanwhile": {func(e *env) { e.chat.read(dmRoom, bo, 1) }, digest.OutcomeNothing},
		"connected now":  {func(e *env) { e.chat.conns[bo] = []string{"c1"} }, digest.OutcomeBack},
		"was back and left": {func(e *env) {
			p := e.chat.profiles[bo]
			p.LastSeen = e.clock.now().Add(5 * time.Minute)
			e.chat.profiles[bo] = p
		}, digest.OutcomeNothing},
		"message deleted": {func(e *env) {
			m := e.chat.messages[key(dmRoom, int64(1))]
			m.Deleted = true
			e.chat.messages[key(dmRoom, int64(1))] = m
		}, digest.OutcomeNothing},
		"left the room":    {func(e *env) { delete(e.chat.members, key(dmRoom, bo)) }, digest.OutcomeNothing},
		"email turned off": {func(e *env) { _ = e.prefs.DisableEmail(context.Background(), bo) }, digest.OutcomeOff},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			e.missed(t, dmRoom, 1, "hi", digest.ReasonDM)
			c.change(e)
			if out := e.timer.fire(t, e.svc, e.clock); out != c.want {
				t.Fatalf("outcome %s, want %s", out, c.want)
			}
			if n := len(e.sent()); n != 0 {
				t.Fatalf("%d mails", n)
			}
			if e.store.Pending(bo) != 0 {
				t.Fatalf("%d items left", e.store.Pending(bo))
			}
			// The next missed message starts a new digest.
			e.chat.conns[bo] = nil
			_ = e.prefs
			if c.want != digest.OutcomeOff {
				e.clock.advance(time.Hour)
				e.missed(t, general, 9, "later", digest.ReasonMention)
				e.timer.only(t)
			}
		})
	}
}

func TestFailedSendIsRetried(t *testing.T) {
	e := newEnv(t)
	e.missed(t, dmRoom, 1, "hi", digest.ReasonDM)
	s, ev := e.timer.only(t)
	e.clock.set(s.at)
	e.mail.err = errors.New("throttled")
	if _, err := e.svc.Fire(context.Background(), ev); err == nil {
		t.Fatal("Fire succeeded although the send failed")
	}
	e.mail.err = nil
	if out, err := e.svc.Fire(context.Background(), ev); err != nil || out != digest.OutcomeSent || len(e.sent()) != 1 {
		t.Fatalf("retry: %s %v, %d mails", out, err, len(e.sent()))
	}
}

func TestUnsubscribeLinkTurnsEmailOff(t *testing.T) {
	e := newEnv(t)
	e.missed(t, dmRoom, 1, "hi", digest.ReasonDM)
	e.timer.fire(t, e.svc, e.clock)
	link := strings.Trim(e.sent()[0].Headers["List-Unsubscribe"], "<>")
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.advance(time.Hour)
	e.missed(t, dmRoom, 2, "again", digest.ReasonDM)
	pending, _ := e.timer.only(t)
	h := e.svc.UnsubscribeHandler()

	// GET (a scanner, a preview, the person clicking) only shows a page.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/?"+u.RawQuery, nil))
	if p, _ := e.prefs.EmailPrefs(context.Background(), bo); rec.Code != 200 || !p.Enabled || !strings.Contains(rec.Body.String(), `<form method="post">`) {
		t.Fatalf("GET: %d, enabled %v\n%s", rec.Code, p.Enabled, rec.Body)
	}
	// A forged token is refused.
	bad := strings.Replace(u.Query().Get("t"), "A", "B", 1) + "x"
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/?t="+url.QueryEscape(bad), strings.NewReader("List-Unsubscribe=One-Click")))
	if p, _ := e.prefs.EmailPrefs(context.Background(), bo); rec.Code != 400 || !p.Enabled {
		t.Fatalf("forged: %d, enabled %v", rec.Code, p.Enabled)
	}
	// The mail client's one-click POST (RFC 8058).
	rec = httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/?"+u.RawQuery, strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	h.ServeHTTP(rec, req)
	if p, _ := e.prefs.EmailPrefs(context.Background(), bo); rec.Code != 200 || p.Enabled {
		t.Fatalf("one-click: %d, enabled %v\n%s", rec.Code, p.Enabled, rec.Body)
	}
	if len(e.timer.schedules) != 0 || len(e.timer.cancelled) != 1 || e.timer.cancelled[0] != pending.name || e.store.Pending(bo) != 0 {
		t.Fatalf("pending digest not dropped: %+v, cancelled %v", e.timer.schedules, e.timer.cancelled)
	}
	// No more mail, no more schedules.
	e.clock.advance(2 * time.Hour)
	e.missed(t, dmRoom, 3, "hello?", digest.ReasonDM)
	if len(e.timer.schedules) != 0 || len(e.sent()) != 1 {
		t.Fatalf("after unsubscribing: %d schedules, %d mails", len(e.timer.schedules), len(e.sent()))
	}
}

func TestGermanDigest(t *testing.T) {
	e := newEnv(t)
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no time zone data")
	}
	e.prefs.Set(bo, digest.Prefs{Enabled: true, Lang: "de-DE", Zone: berlin})
	e.missed(t, general, 5, "Hallo @bo", digest.ReasonMention)
	e.timer.fire(t, e.svc, e.clock)
	m := e.sent()[0]
	if m.Subject != "Du hast eine Nachricht in Backchannel verpasst" || !strings.Contains(m.Text, "hat dich erwähnt · 2026-11-30 10:00 CET") ||
		!strings.Contains(m.HTML, `<html lang="de">`) || !strings.Contains(m.Text, "Diese E-Mails abbestellen") {
		t.Fatalf("German mail %q:\n%s\n%s", m.Subject, m.Text, m.HTML)
	}
}

func TestSignerRefusesForgedTokens(t *testing.T) {
	s, _ := digest.NewSigner([]byte(strings.Repeat("a", 32)))
	other, _ := digest.NewSigner([]byte(strings.Repeat("b", 32)))
	tok := s.Token("user-1", time.Unix(1_800_000_000, 0))
	if u, err := s.Verify(tok); err != nil || u != "user-1" {
		t.Fatalf("Verify = %q, %v", u, err)
	}
	parts := strings.Split(tok, ".")
	for name, bad := range map[string]string{
		"other key":    other.Token("user-1", time.Unix(1_800_000_000, 0)),
		"other user":   "dXNlci0y." + parts[1] + "." + parts[2],
		"other time":   parts[0] + ".1." + parts[2],
		"no signature": parts[0] + "." + parts[1],
		"empty":        "",
	} {
		if _, err := s.Verify(bad); !errors.Is(err, digest.ErrBadToken) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := digest.NewSigner([]byte("short")); err == nil {
		t.Error("a short key was accepted")
	}
}

func TestScheduleNamesFitTheScheduler(t *testing.T) {
	due := time.Unix(1_800_000_000, 0)
	for _, u := range []string{"6f1c2a4e-1b2c-4d5e-8f90-123456789abc", "a user with spaces/and slashes", strings.Repeat("x", 100)} {
		n := digest.ScheduleName(u, due)
		if len(n) > 64 || strings.Trim(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != "" {
			t.Errorf("ScheduleName(%q) = %q", u, n)
		}
	}
}
