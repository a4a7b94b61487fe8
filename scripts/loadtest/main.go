// Command loadtest is the load and chaos test of the chat (issue 21): N
// clients in M rooms over the local stack (the real handlers in-process
// behind the local API Gateway, against DynamoDB Local and cognito-local,
// as `make dev` runs them), sending messages at a bounded rate, retrying
// rate_limited sends with the same clientId, while connections are closed
// at random through the @connections DELETE API and the clients reconnect
// and resume as docs/PROTOCOL.md says.
//
// It reports throughput, send → receive latency percentiles (live
// deliveries), and per receiver the lost, duplicated and out-of-order
// deliveries; it exits 1 on any loss, duplicate or failed send.
//
//	go run ./scripts/loadtest -clients 50 -rooms 5 -messages 2000
//	make loadtest LOADTEST_ARGS="-clients 200 -rooms 20 -messages 20000 -rate 150"
//
// Everything listens on 127.0.0.1; every loop is bounded (-timeout).
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	chatpkg "github.com/backchannel-chat/backchannel/internal/chat"
)

type config struct {
	clients, rooms, messages int
	rate                     float64       // messages per second, all clients together
	killEvery                time.Duration // mean time between forced disconnects (0: none)
	backoff                  time.Duration // first reconnect delay (doubles on failures)
	settle                   time.Duration // quiet time before counting
	timeout                  time.Duration
	seed                     uint64
	avoidConnectRace         bool
	skipResume               bool
	verbose                  bool
}

func main() {
	var cfg config
	flag.IntVar(&cfg.clients, "clients", 50, "simulated users, one connection each")
	flag.IntVar(&cfg.rooms, "rooms", 5, "channels; clients are spread evenly over them")
	flag.IntVar(&cfg.messages, "messages", 2000, "messages to send in total")
	flag.Float64Var(&cfg.rate, "rate", 80, "messages per second, all clients together (each client has at most one send in flight)")
	flag.DurationVar(&cfg.killEvery, "kill-every", 500*time.Millisecond, "mean time between forced disconnects through @connections DELETE (0: none)")
	flag.DurationVar(&cfg.backoff, "backoff", 250*time.Millisecond, "first reconnect delay, with jitter, doubling on failures up to 5s")
	flag.DurationVar(&cfg.settle, "settle", 2*time.Second, "quiet time after the last ack before deliveries are counted")
	flag.DurationVar(&cfg.timeout, "timeout", 10*time.Minute, "bound of the whole run")
	flag.Uint64Var(&cfg.seed, "seed", 1, "seed of the random choices (senders, victims)")
	flag.BoolVar(&cfg.avoidConnectRace, "avoid-connect-race", false,
		"never open a connection while a fan-out may be running (sends and forced closes pause meanwhile): avoids only the 410-during-$connect race of issue 21")
	flag.BoolVar(&cfg.skipResume, "skip-resume", false, "self-check of the checker: clients do not resume after a reconnect, so the run must report losses and fail")
	flag.BoolVar(&cfg.verbose, "v", false, "log the chat at info level (into the stack's log directory)")
	flag.Parse()
	if cfg.clients < 2 || cfg.rooms < 1 || cfg.clients < 2*cfg.rooms || cfg.messages < 1 || cfg.rate <= 0 {
		fmt.Fprintln(os.Stderr, "loadtest: need clients >= 2*rooms, rooms >= 1, messages >= 1, rate > 0")
		os.Exit(2)
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	ctx, cancelTimeout := context.WithTimeout(ctx, cfg.timeout)
	code := run1(ctx, cfg)
	cancelTimeout()
	cancel()
	os.Exit(code)
}

func run1(ctx context.Context, cfg config) int {
	start := time.Now()
	c, err := startChat(ctx, cfg.verbose)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		return 1
	}
	defer c.Close()
	fmt.Printf("local stack up in %.1fs (chat logs: %s)\n", time.Since(start).Seconds(), c.stack.LogDir)
	r := newRun(cfg, c)
	res, err := r.execute(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		return 1
	}
	res.print(os.Stdout, cfg)
	if !res.ok() {
		return 1
	}
	return 0
}

// run is one load test.
type run struct {
	cfg     config
	chat    *chat
	rng     *rand.Rand
	clients []*client
	rooms   []string // room ids
	quiet   sync.RWMutex

	mu          sync.Mutex
	sentAt      map[string]time.Time        // clientId -> first attempt
	acked       map[string]map[int64]string // room -> seq -> clientId
	seqOf       map[string]int64            // clientId -> seq (from acks and deliveries)
	senderOf    map[string]*client          // clientId -> sender
	storedTwice map[string][2]int64
	latencies   []time.Duration
	retries     map[string]int
	connFailWhy map[string]int // failed connects by reason
	dupAcks     int
	failedSends int
	kills       int
	forgotten   []forgottenEvent
}

type forgottenEvent struct {
	at     time.Time
	client int
	connID string
}

func newRun(cfg config, c *chat) *run {
	return &run{
		cfg: cfg, chat: c, rng: rand.New(rand.NewPCG(cfg.seed, cfg.seed^0x9e3779b97f4a7c15)),
		sentAt: map[string]time.Time{}, acked: map[string]map[int64]string{}, seqOf: map[string]int64{},
		senderOf: map[string]*client{}, storedTwice: map[string][2]int64{}, retries: map[string]int{},
		connFailWhy: map[string]int{},
	}
}

func (r *run) quietLock() {
	if r.cfg.avoidConnectRace {
		r.quiet.Lock()
	}
}

func (r *run) quietUnlock() {
	if r.cfg.avoidConnectRace {
		r.quiet.Unlock()
	}
}

func (r *run) execute(ctx context.Context) (*result, error) {
	cfg := r.cfg
	// Users: signed up in cognito-local, a few at a time.
	t0 := time.Now()
	r.clients = make([]*client, cfg.clients)
	for i := range r.clients {
		r.clients[i] = newClient(r, i)
	}
	if err := parallel(ctx, 8, len(r.clients), func(i int) error {
		c := r.clients[i]
		tok, err := r.chat.signUp(ctx, c.email, "Corr3ct-Horse-Battery!", fmt.Sprintf("Load %d", i))
		c.token = tok
		return err
	}); err != nil {
		return nil, err
	}
	// Connections: every client keeps one open from now on (8 dialing at
	// a time at first, as a burst of real users would).
	loopCtx, stopLoops := context.WithCancel(ctx)
	defer stopLoops()
	var loops sync.WaitGroup
	if err := parallel(ctx, 8, len(r.clients), func(i int) error {
		c := r.clients[i]
		loops.Add(1)
		go func() { defer loops.Done(); c.loop(loopCtx) }()
		_, err := c.waitReady(ctx)
		return err
	}); err != nil {
		return nil, err
	}
	// Rooms: the first client of each creates it, the others join.
	r.rooms = make([]string, cfg.rooms)
	for room := range cfg.rooms {
		owner := r.clients[room]
		f, err := owner.callRetrying(ctx, map[string]any{"action": "createChannel", "name": fmt.Sprintf("load-%d-%d", cfg.seed, room)})
		if err != nil || f.Type != "room" {
			return nil, fmt.Errorf("createChannel: %v %s %s", err, f.Code, f.errorText())
		}
		var rm struct {
			RoomID string `json:"roomId"`
		}
		_ = jsonUnmarshal(f.Room, &rm)
		r.rooms[room] = rm.RoomID
	}
	for i, c := range r.clients {
		c.room = r.rooms[i%cfg.rooms]
	}
	if err := parallel(ctx, 8, len(r.clients), func(i int) error {
		c := r.clients[i]
		if i < cfg.rooms {
			return nil
		}
		f, err := c.callRetrying(ctx, map[string]any{"action": "joinChannel", "roomId": c.room})
		if err != nil || f.Type != "room" {
			return fmt.Errorf("joinChannel: %v %s %s", err, f.Code, f.errorText())
		}
		return nil
	}); err != nil {
		return nil, err
	}
	setup := time.Since(t0)

	// Chaos: forced disconnects until the sends are done.
	chaosCtx, stopChaos := context.WithCancel(ctx)
	var chaos sync.WaitGroup
	if cfg.killEvery > 0 {
		chaos.Add(1)
		go func() { defer chaos.Done(); r.chaos(chaosCtx) }()
	}

	// Progress every 10 s on stderr, so a stall shows where it is.
	progressCtx, stopProgress := context.WithCancel(ctx)
	defer stopProgress()
	go r.progress(progressCtx)

	// Sends at a bounded rate, at most one in flight per client.
	sendStart := time.Now()
	var sends sync.WaitGroup
	tick := time.NewTicker(time.Duration(float64(time.Second) / cfg.rate))
	for i := 0; i < cfg.messages && ctx.Err() == nil; {
		select {
		case <-tick.C:
		case <-ctx.Done():
			continue
		}
		c := r.pickIdle()
		if c == nil {
			continue
		}
		sends.Add(1)
		go func(idx int) {
			defer sends.Done()
			r.send(ctx, c, idx)
			c.mu.Lock()
			c.sending = false
			c.mu.Unlock()
		}(i)
		i++
	}
	tick.Stop()
	sends.Wait()
	sendDur := time.Since(sendStart)
	stopChaos()
	chaos.Wait()
	if ctx.Err() != nil {
		// Interrupted or out of time: what was measured so far, counted
		// without the settle (deliveries still in flight count as lost).
		res := r.count(setup, sendDur, 0)
		res.interrupted = true
		return res, nil
	}

	// Settle: every client connected and resumed, then quiet.
	for _, c := range r.clients {
		wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		_, err := c.waitReady(wctx)
		cancel()
		if err != nil && ctx.Err() == nil {
			return nil, fmt.Errorf("client %d did not reconnect within 60s", c.n)
		}
	}
	sleep(ctx, cfg.settle)
	if ctx.Err() != nil {
		return nil, fmt.Errorf("interrupted or timed out (-timeout %s)", cfg.timeout)
	}
	// Which connections does the server still know? A forbidden reply now
	// means the server forgot an open connection that had nothing to send:
	// its user misses messages without knowing.
	forgottenAtEnd := 0
	for _, c := range r.clients {
		if _, err := c.call(ctx, map[string]any{"action": "getState"}); err == errForgotten {
			forgottenAtEnd++
		}
	}
	res := r.count(setup, sendDur, forgottenAtEnd)
	stopLoops()
	loops.Wait()
	return res, nil
}

func (r *run) progress(ctx context.Context) {
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		r.mu.Lock()
		acked := 0
		for _, seqs := range r.acked {
			acked += len(seqs)
		}
		sending, kills, forgotten := len(r.sentAt)-acked, r.kills, len(r.forgotten)
		fails := 0
		for _, n := range r.connFailWhy {
			fails += n
		}
		r.mu.Unlock()
		ready := 0
		for _, c := range r.clients {
			c.mu.Lock()
			if c.isReady {
				ready++
			}
			c.mu.Unlock()
		}
		fmt.Fprintf(os.Stderr, "  … %s %d acked, %d unacked, %d/%d clients connected, %d forced closes, %d failed connects, %d forgotten\n", time.Now().UTC().Format("15:04:05"), acked, sending, ready, len(r.clients), kills, fails, forgotten)
	}
}

// call sends one action on the current connection once ready.
func (c *client) call(ctx context.Context, body map[string]any) (frame, error) {
	gen, err := c.waitReady(ctx)
	if err != nil {
		return frame{}, err
	}
	return c.request(ctx, gen, body)
}

// callRetrying is call, again after a reconnect (a lost connection, one
// the server forgot) or a rate_limited answer, a bounded number of times.
func (c *client) callRetrying(ctx context.Context, body map[string]any) (frame, error) {
	var f frame
	var err error
	for range 50 {
		f, err = c.call(ctx, body)
		switch {
		case err == errForgotten:
			c.r.retry("setup: connection forgotten")
		case err == errDisconnected || err == errTimeout:
			c.r.retry("setup: " + err.Error())
		case err == nil && f.Type == "error" && f.Code == "rate_limited":
			sleep(ctx, jitter(time.Second))
		default:
			return f, err
		}
	}
	return f, err
}

func (r *run) pickIdle() *client {
	for range 4 * len(r.clients) {
		c := r.clients[r.rng.IntN(len(r.clients))]
		c.mu.Lock()
		if !c.sending {
			c.sending = true
			c.mu.Unlock()
			return c
		}
		c.mu.Unlock()
	}
	return nil
}

// send sends message idx from c until it is acked, retrying with the same
// clientId.
func (r *run) send(ctx context.Context, c *client, idx int) {
	clientID := fmt.Sprintf("lt-%d-%06d", r.cfg.seed, idx)
	body := func() map[string]any {
		return map[string]any{"action": "sendMessage", "roomId": c.room, "clientId": clientID, "text": fmt.Sprintf("message %d from client %d", idx, c.n)}
	}
	for attempt := 0; attempt < 100 && ctx.Err() == nil; attempt++ {
		gen, err := c.waitReady(ctx)
		if err != nil {
			break
		}
		if r.cfg.avoidConnectRace {
			r.quiet.RLock()
		}
		r.mu.Lock()
		if _, ok := r.sentAt[clientID]; !ok {
			r.sentAt[clientID] = time.Now()
			r.senderOf[clientID] = c
		}
		r.mu.Unlock()
		f, err := c.request(ctx, gen, body())
		if r.cfg.avoidConnectRace {
			r.quiet.RUnlock()
		}
		switch {
		case err == nil && f.Type == "ack":
			var m chatpkg.Message
			_ = jsonUnmarshal(f.Message, &m)
			r.ack(c, clientID, m, f.Duplicate)
			return
		case err == nil && f.Type == "error" && f.Code == "rate_limited":
			r.retry("rate_limited")
			sleep(ctx, jitter(time.Second))
		case err == errForgotten:
			r.retry("connection forgotten")
		case err == errDisconnected || err == errTimeout:
			r.retry(err.Error())
		case err != nil:
			r.retry(err.Error())
		default:
			r.retry("error " + f.Code + ": " + f.errorText())
			sleep(ctx, 200*time.Millisecond)
		}
	}
	r.mu.Lock()
	r.failedSends++
	r.mu.Unlock()
}

func (r *run) retry(why string) {
	r.mu.Lock()
	r.retries[why]++
	r.mu.Unlock()
}

func (r *run) ack(c *client, clientID string, m chatpkg.Message, duplicate bool) {
	r.mu.Lock()
	if duplicate {
		r.dupAcks++
	}
	if r.acked[m.RoomID] == nil {
		r.acked[m.RoomID] = map[int64]string{}
	}
	r.acked[m.RoomID][m.Seq] = clientID
	r.checkSeqLocked(clientID, m.Seq)
	r.mu.Unlock()
	c.mu.Lock()
	c.hold(m.Seq, m.CreatedAt)
	c.mu.Unlock()
}

// checkSeqLocked notes a second seq for one clientId: the message was
// stored twice.
func (r *run) checkSeqLocked(clientID string, seq int64) {
	if prev, ok := r.seqOf[clientID]; ok && prev != seq {
		r.storedTwice[clientID] = [2]int64{prev, seq}
		return
	}
	r.seqOf[clientID] = seq
}

// observe records a delivery: latency of live ones, and the clientId check.
func (r *run) observe(c *client, m chatpkg.Message, live bool, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ours := r.sentAt[m.ClientID]; !ours {
		return
	}
	r.checkSeqLocked(m.ClientID, m.Seq)
	if live {
		r.latencies = append(r.latencies, at.Sub(r.sentAt[m.ClientID]))
	}
}

func (r *run) noteForgotten(c *client, connID string) {
	r.mu.Lock()
	r.forgotten = append(r.forgotten, forgottenEvent{at: time.Now(), client: c.n, connID: connID})
	r.mu.Unlock()
}

// chaos closes a random client's connection through @connections DELETE,
// at exponentially distributed intervals.
func (r *run) chaos(ctx context.Context) {
	hc := &http.Client{Timeout: 10 * time.Second}
	base := r.chat.gw.CallbackURL() + "/@connections/"
	for ctx.Err() == nil {
		sleep(ctx, time.Duration(r.rng.ExpFloat64()*float64(r.cfg.killEvery)))
		if ctx.Err() != nil {
			return
		}
		c := r.clients[r.rng.IntN(len(r.clients))]
		c.mu.Lock()
		id, ok := c.connID, c.isReady
		c.mu.Unlock()
		if !ok || id == "" {
			continue
		}
		r.quietLock()
		req, _ := http.NewRequestWithContext(ctx, http.MethodDelete, base+url.PathEscape(id), nil)
		resp, err := hc.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusNoContent {
				r.mu.Lock()
				r.kills++
				r.mu.Unlock()
			}
		}
		if r.cfg.avoidConnectRace {
			// $disconnect's presence fan-out runs after the close: let it
			// finish before anyone connects.
			sleep(ctx, 300*time.Millisecond)
		}
		r.quietUnlock()
	}
}

// parallel runs f(0..n-1), at most width at a time, and returns the first
// error.
func parallel(ctx context.Context, width, n int, f func(int) error) error {
	sem := make(chan struct{}, width)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := f(i); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	return ctx.Err()
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p)
	return sorted[i]
}
