package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	chatpkg "github.com/backchannel-chat/backchannel/internal/chat"
)

var (
	errDisconnected = errors.New("connection closed")
	errTimeout      = errors.New("no reply in time")
	// errForgotten is a forbidden "connection not registered" reply: the
	// server deleted a connection that is open (docs/PROTOCOL.md: reconnect).
	errForgotten = errors.New("connection not registered")
)

// requestTimeout bounds the wait for one reply; a healthy local stack
// answers in milliseconds.
const requestTimeout = 15 * time.Second

// frame is a server frame, with the fields the load test reads.
type frame struct {
	Type         string          `json:"type"`
	RequestID    string          `json:"requestId"`
	Code         string          `json:"code"`
	Message      json.RawMessage `json:"message"` // a string in errors, a message elsewhere
	ConnectionID string          `json:"connectionId"`
	Rooms        json.RawMessage `json:"rooms"`
	Room         json.RawMessage `json:"room"`
	Duplicate    bool            `json:"duplicate"`
}

func (f frame) errorText() string {
	var s string
	_ = json.Unmarshal(f.Message, &s)
	return s
}

// client is one simulated user with one connection at a time, following
// the client's duties of docs/PROTOCOL.md: reconnect with backoff when the
// connection closes or the server forgot it, then getState and resume from
// the highest contiguous seq; drop messages whose seq it already has.
type client struct {
	r      *run
	n      int
	email  string
	token  string
	userID string
	room   string // the channel it sends to and receives from

	mu        sync.Mutex
	conn      *websocket.Conn
	connID    string
	gen       int           // connection generation
	done      chan struct{} // closed when the current connection's reader ends
	ready     chan struct{} // closed when the current connection resumed
	isReady   bool
	pending   map[string]chan frame
	nextReq   int
	connected bool // connected at least once (resume from then on)
	sending   bool

	have    map[int64]bool      // seqs of the room it holds (received, resumed or its own)
	holes   map[int64]bool      // seqs a resume skipped that have settled: no message has them
	at      map[int64]time.Time // createdAt of each seq held
	newest  time.Time           // newest createdAt held (the server's clock)
	last    int64               // highest seq up to which every stored message is held
	live    map[int64]int       // live deliveries per seq
	maxLive int64               // highest live seq on the current connection
	st      clientStats
}

type clientStats struct {
	live, resumed, redundant, liveDup, outOfOrder int
	reconnects, connectFailures, forgotten        int
	holes, youngGaps                              int
}

func newClient(r *run, n int) *client {
	return &client{
		r: r, n: n, email: fmt.Sprintf("load%04d@example.com", n),
		pending: map[string]chan frame{}, have: map[int64]bool{}, holes: map[int64]bool{}, at: map[int64]time.Time{}, live: map[int64]int{},
		ready: make(chan struct{}),
	}
}

// loop keeps the client connected until ctx ends.
func (c *client) loop(ctx context.Context) {
	backoff := c.r.cfg.backoff
	for ctx.Err() == nil {
		done, err := c.connectOnce(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			c.mu.Lock()
			c.st.connectFailures++
			c.mu.Unlock()
			c.r.connectFailed(err)
			sleep(ctx, jitter(backoff))
			backoff = min(backoff*2, 5*time.Second)
			continue
		}
		backoff = c.r.cfg.backoff
		select {
		case <-done:
		case <-ctx.Done():
			c.mu.Lock()
			conn := c.conn
			c.mu.Unlock()
			_ = conn.Close(websocket.StatusNormalClosure, "load test over")
			return
		}
		c.mu.Lock()
		c.st.reconnects++
		c.mu.Unlock()
		sleep(ctx, jitter(backoff))
	}
}

// connectOnce opens a connection, learns its id (getState) and resumes.
func (c *client) connectOnce(ctx context.Context) (<-chan struct{}, error) {
	u := c.r.chat.gw.URL() + "?token=" + url.QueryEscape(c.token)
	dctx, cancel := context.WithTimeout(ctx, requestTimeout)
	c.r.quietLock() // only with -avoid-connect-race
	conn, _, err := websocket.Dial(dctx, u, nil)
	c.r.quietUnlock()
	cancel()
	if err != nil {
		return nil, err
	}
	conn.SetReadLimit(1 << 20)
	c.mu.Lock()
	c.gen++
	gen, done := c.gen, make(chan struct{})
	c.conn, c.done, c.connID, c.maxLive = conn, done, "", 0
	resume := c.connected
	c.mu.Unlock()
	go c.read(conn, gen, done)

	st, err := c.request(ctx, gen, map[string]any{"action": "getState"})
	if err == nil && st.Type != "state" {
		err = fmt.Errorf("getState: %s %s %s", st.Type, st.Code, st.errorText())
	}
	if err != nil {
		_ = conn.CloseNow()
		return nil, err
	}
	c.mu.Lock()
	c.connID = st.ConnectionID
	c.mu.Unlock()
	if resume && c.room != "" && !c.r.cfg.skipResume {
		if err := c.resume(ctx, gen); err != nil {
			_ = conn.CloseNow()
			return nil, err
		}
	}
	c.mu.Lock()
	c.connected = true
	if c.gen == gen && !c.isReady {
		c.isReady = true
		close(c.ready)
	}
	c.mu.Unlock()
	return done, nil
}

// resume asks for the room's messages after the highest contiguous seq,
// page by page, as docs/PROTOCOL.md §7 says: each next page from the last
// seq of the one before, and afterwards the seqs the answer skipped are
// holes (a retried or failed send's seq), which never hold a message.
// Resuming every page from the contiguous mark instead asks for the same
// page forever once the room has a hole: that stalled the large load test.
func (c *client) resume(ctx context.Context, gen int) error {
	c.mu.Lock()
	start := c.last
	c.mu.Unlock()
	top, err := resumeRoom(start, func(from int64) ([]chatpkg.Message, bool, error) {
		f, err := c.request(ctx, gen, map[string]any{"action": "resume", "rooms": map[string]int64{c.room: from}})
		if err != nil {
			return nil, false, err
		}
		if f.Type == "error" && f.Code == "rate_limited" {
			c.r.retry("resume: rate_limited")
			sleep(ctx, jitter(time.Second))
			return nil, false, errRetryPage
		}
		if f.Type != "missed" {
			return nil, false, fmt.Errorf("resume: %s %s %s", f.Type, f.Code, f.errorText())
		}
		var rooms []struct {
			RoomID   string            `json:"roomId"`
			Messages []chatpkg.Message `json:"messages"`
			HasMore  bool              `json:"hasMore"`
		}
		if err := json.Unmarshal(f.Rooms, &rooms); err != nil {
			return nil, false, fmt.Errorf("resume: %w", err)
		}
		for _, room := range rooms {
			if room.RoomID == c.room {
				return room.Messages, room.HasMore, nil
			}
		}
		return nil, false, nil
	}, func(m chatpkg.Message) { c.receive(m, false, time.Now()) })
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.markHoles(start, top)
	c.mu.Unlock()
	return nil
}

// errRetryPage asks resumeRoom to ask for the same page again.
var errRetryPage = errors.New("retry this page")

// resumeRoom pages through one room's messages after seq after: page(from)
// answers the messages after from (oldest first) and whether there are
// more. Each next page starts at the last seq of the one before, never at
// the contiguous mark, which a hole would hold still. It applies every
// message and returns the highest seq returned.
func resumeRoom(after int64, page func(from int64) ([]chatpkg.Message, bool, error), apply func(chatpkg.Message)) (int64, error) {
	from, top := after, after
	for range 10_000 {
		msgs, more, err := page(from)
		if errors.Is(err, errRetryPage) {
			continue
		}
		if err != nil {
			return top, err
		}
		for _, m := range msgs {
			apply(m)
			top = max(top, m.Seq)
		}
		if !more || len(msgs) == 0 {
			return top, nil
		}
		from = max(from, msgs[len(msgs)-1].Seq)
	}
	return top, errors.New("resume: too many pages")
}

// HoleSettle is how much older than the newest message held the message
// after a gap must be before the gap counts as holes (docs/PROTOCOL.md §7):
// a send takes at most 29 s (the actions function's timeout), so a seq
// taken before a message created 58 s ago has been written by now or
// never will be. A younger gap may be a write still in flight.
const HoleSettle = 60 * time.Second

// markHoles records the seqs in (after, upTo] that a complete resume did
// not return as holes, up to the first gap that may still be a write in
// flight (see HoleSettle): the contiguous mark stays below that one, so
// the next resume asks for it again; c.mu is held.
func (c *client) markHoles(after, upTo int64) {
	for seq := after + 1; seq <= upTo; seq++ {
		if c.have[seq] || c.holes[seq] {
			continue
		}
		next := seq + 1
		for next <= upTo && !c.have[next] {
			next++
		}
		if next > upTo || !c.at[next].Before(c.newest.Add(-HoleSettle)) {
			c.st.youngGaps++
			break
		}
		for ; seq < next; seq++ {
			c.holes[seq] = true
			c.st.holes++
		}
	}
	for c.have[c.last+1] || c.holes[c.last+1] {
		c.last++
	}
}

// read delivers replies to their requests and applies pushed messages.
func (c *client) read(conn *websocket.Conn, gen int, done chan struct{}) {
	defer func() {
		c.mu.Lock()
		if c.gen == gen && c.isReady {
			c.isReady = false
			c.ready = make(chan struct{})
		}
		c.mu.Unlock()
		close(done)
	}()
	for {
		_, data, err := conn.Read(context.Background())
		if err != nil {
			return
		}
		now := time.Now()
		var f frame
		if err := json.Unmarshal(data, &f); err != nil {
			continue
		}
		if f.RequestID != "" {
			c.mu.Lock()
			ch := c.pending[f.RequestID]
			delete(c.pending, f.RequestID)
			c.mu.Unlock()
			if ch != nil {
				ch <- f
			}
			continue
		}
		if f.Type == "message" {
			var m chatpkg.Message
			if json.Unmarshal(f.Message, &m) == nil {
				c.receive(m, true, now)
			}
		}
	}
}

// request sends one action on connection gen and waits for its reply.
func (c *client) request(ctx context.Context, gen int, body map[string]any) (frame, error) {
	c.mu.Lock()
	if c.gen != gen || c.conn == nil {
		c.mu.Unlock()
		return frame{}, errDisconnected
	}
	c.nextReq++
	id := fmt.Sprintf("q%d", c.nextReq)
	ch := make(chan frame, 1)
	c.pending[id] = ch
	conn, done := c.conn, c.done
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.pending, id)
		c.mu.Unlock()
	}()
	body["requestId"] = id
	b, _ := json.Marshal(body)
	wctx, cancel := context.WithTimeout(ctx, requestTimeout)
	err := conn.Write(wctx, websocket.MessageText, b)
	cancel()
	if err != nil {
		return frame{}, errDisconnected
	}
	timer := time.NewTimer(requestTimeout)
	defer timer.Stop()
	select {
	case f := <-ch:
		if f.Type == "error" && f.Code == "forbidden" && strings.Contains(f.errorText(), "connection not registered") {
			c.forgotten(gen, conn)
			return f, errForgotten
		}
		return f, nil
	case <-done:
		return frame{}, errDisconnected
	case <-timer.C:
		return frame{}, errTimeout
	case <-ctx.Done():
		return frame{}, ctx.Err()
	}
}

// forgotten: the server deleted this open connection. The client closes
// it and reconnects, as the protocol says.
func (c *client) forgotten(gen int, conn *websocket.Conn) {
	c.mu.Lock()
	first := c.gen == gen
	if first {
		c.st.forgotten++
	}
	id := c.connID
	c.mu.Unlock()
	if first {
		c.r.noteForgotten(c, id)
		_ = conn.Close(websocket.StatusNormalClosure, "forgotten by the server")
	}
}

// receive applies one message of the room, live or from resume.
func (c *client) receive(m chatpkg.Message, live bool, at time.Time) {
	if m.RoomID != c.room || m.Seq <= 0 {
		return
	}
	c.mu.Lock()
	if live {
		c.live[m.Seq]++
		if c.live[m.Seq] > 1 {
			c.st.liveDup++
		}
		if m.Seq < c.maxLive {
			c.st.outOfOrder++
		} else {
			c.maxLive = m.Seq
		}
	}
	if c.have[m.Seq] {
		c.st.redundant++
		c.mu.Unlock()
		c.r.observe(c, m, false, at)
		return
	}
	c.hold(m.Seq, m.CreatedAt)
	if live {
		c.st.live++
	} else {
		c.st.resumed++
	}
	c.mu.Unlock()
	c.r.observe(c, m, live, at)
}

// hold records seq, created at createdAt, as held; c.mu is held.
func (c *client) hold(seq int64, createdAt time.Time) {
	c.have[seq] = true
	c.at[seq] = createdAt
	if createdAt.After(c.newest) {
		c.newest = createdAt
	}
	for c.have[c.last+1] || c.holes[c.last+1] {
		c.last++
	}
}

// waitReady waits until the client is connected and resumed, and returns
// the connection generation.
func (c *client) waitReady(ctx context.Context) (int, error) {
	for {
		c.mu.Lock()
		ready, gen, ok := c.ready, c.gen, c.isReady
		c.mu.Unlock()
		if ok {
			return gen, nil
		}
		select {
		case <-ready:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// connectFailed counts a failed connect by its reason (a refused upgrade
// by its HTTP status).
func (r *run) connectFailed(err error) {
	why := err.Error()
	if i := strings.Index(why, "but got "); i >= 0 {
		why = "HTTP " + strings.TrimSpace(why[i+len("but got "):])
	}
	if len(why) > 80 {
		why = why[:80]
	}
	r.mu.Lock()
	r.connFailWhy[why]++
	r.mu.Unlock()
}

func jitter(d time.Duration) time.Duration {
	return d/2 + time.Duration(rand.Int64N(int64(d)))
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
