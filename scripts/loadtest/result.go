package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// result is what a run measured.
type result struct {
	setup, send                  time.Duration
	acked, failedSends, dupAcks  int
	expected                     int // deliveries expected: acked messages × other members
	live, resumed, redundant     int
	lost, liveDup, outOfOrder    int
	lostOnForgotten              int // lost by receivers the server forgot (issue 21's 410 race)
	receiversWithLoss            int
	storedTwice                  int
	latencies                    []time.Duration
	retries                      map[string]int
	kills, reconnects, connFails int
	connFailWhy                  map[string]int
	holes, ackedHoles            int // seqs resumes skipped, settled as holes; of them acked (a write in flight taken for a hole)
	youngGaps                    int // resumes that stopped the contiguous mark at a gap that may be a write in flight
	forgotten, forgottenAtEnd    int
	worst                        []string
	interrupted                  bool
}

// count compares what every receiver holds with what was acked, before any
// recovery: a receiver misses a message when it got it neither live nor
// from the resume after one of its reconnects.
func (r *run) count(setup, send time.Duration, forgottenAtEnd int) *result {
	r.mu.Lock()
	defer r.mu.Unlock()
	res := &result{setup: setup, send: send, failedSends: r.failedSends, dupAcks: r.dupAcks,
		storedTwice: len(r.storedTwice), kills: r.kills, forgotten: len(r.forgotten), forgottenAtEnd: forgottenAtEnd,
		retries: r.retries, connFailWhy: r.connFailWhy}
	forgottenClients := map[int]bool{}
	for _, ev := range r.forgotten {
		forgottenClients[ev.client] = true
	}
	for _, seqs := range r.acked {
		res.acked += len(seqs)
	}
	for _, c := range r.clients {
		c.mu.Lock()
		lost := 0
		for seq, clientID := range r.acked[c.room] {
			if r.senderOf[clientID] == c {
				continue
			}
			res.expected++
			if !c.have[seq] {
				lost++
				if c.holes[seq] {
					res.ackedHoles++
				}
			}
		}
		res.lost += lost
		if lost > 0 {
			res.receiversWithLoss++
			if forgottenClients[c.n] {
				res.lostOnForgotten += lost
			}
			res.worst = append(res.worst, fmt.Sprintf("client %d (%s): lost %d of %d, forgotten %d times, reconnected %d times",
				c.n, c.room, lost, len(r.acked[c.room]), c.st.forgotten, c.st.reconnects))
		}
		res.live += c.st.live
		res.resumed += c.st.resumed
		res.redundant += c.st.redundant
		res.liveDup += c.st.liveDup
		res.outOfOrder += c.st.outOfOrder
		res.reconnects += c.st.reconnects
		res.connFails += c.st.connectFailures
		res.holes += c.st.holes
		res.youngGaps += c.st.youngGaps
		c.mu.Unlock()
	}
	res.latencies = slices.Clone(r.latencies)
	slices.Sort(res.latencies)
	slices.Sort(res.worst)
	return res
}

func (res *result) ok() bool {
	return !res.interrupted && res.lost == 0 && res.liveDup == 0 && res.storedTwice == 0 && res.failedSends == 0
}

func (res *result) print(w io.Writer, cfg config) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	mode := ""
	if cfg.avoidConnectRace {
		mode = ", -avoid-connect-race (connections never open during a fan-out)"
	}
	p("load test: %d clients, %d rooms, %d messages at up to %.0f/s, forced disconnects every %s on average, seed %d%s",
		cfg.clients, cfg.rooms, cfg.messages, cfg.rate, cfg.killEvery, cfg.seed, mode)
	p("  setup (sign-ups, connections, joins)  %.1fs", res.setup.Seconds())
	secs := res.send.Seconds()
	p("  send phase                            %.1fs: %d messages acked (%.1f msg/s), %d deliveries expected (%.0f/s)",
		secs, res.acked, float64(res.acked)/secs, res.expected, float64(res.expected)/secs)
	l := res.latencies
	if len(l) > 0 {
		p("  send -> receive (%d live deliveries)  p50 %s  p95 %s  p99 %s  max %s", len(l),
			ms(percentile(l, .50)), ms(percentile(l, .95)), ms(percentile(l, .99)), ms(l[len(l)-1]))
	}
	var rs []string
	for why, n := range res.retries {
		rs = append(rs, fmt.Sprintf("%s %d", why, n))
	}
	slices.Sort(rs)
	if len(rs) == 0 {
		rs = []string{"none"}
	}
	p("  send retries (same clientId)          %s; duplicate acks %d; failed sends %d", strings.Join(rs, ", "), res.dupAcks, res.failedSends)
	p("  connections                           %d forced closes, %d reconnects, %d failed connects", res.kills, res.reconnects, res.connFails)
	var fs []string
	for why, n := range res.connFailWhy {
		fs = append(fs, fmt.Sprintf("%s: %d", why, n))
	}
	slices.Sort(fs)
	if len(fs) > 0 {
		p("  failed connects by reason             %s", strings.Join(fs, "; "))
	}
	p("  holes skipped by resumes              %d seqs settled as holes (summed over receivers), acked messages among them %d; %d resumes kept the mark below a gap younger than %s", res.holes, res.ackedHoles, res.youngGaps, HoleSettle)
	p("  forgotten by the server               %d open connections answered forbidden \"connection not registered\" (%d of them at the end)", res.forgotten, res.forgottenAtEnd)
	p("  deliveries                            %d live, %d recovered by resume, %d redundant (already held: dropped by seq)", res.live, res.resumed, res.redundant)
	p("  per receiver                          lost %d (receivers with loss %d; of them by receivers the server had forgotten at least once %d), duplicated %d, out of order %d (live, inserted by seq)",
		res.lost, res.receiversWithLoss, res.lostOnForgotten, res.liveDup, res.outOfOrder)
	p("  stored twice (two seqs, one clientId) %d", res.storedTwice)
	for i, s := range res.worst {
		if i == 10 {
			p("    … %d more", len(res.worst)-10)
			break
		}
		p("    %s", s)
	}
	if res.interrupted {
		p("INTERRUPTED (-timeout or a signal) before every message was acked: partial figures, not a verdict")
	} else if res.ok() {
		p("PASS")
	} else {
		p("FAIL: lost %d, duplicated %d, stored twice %d, failed sends %d", res.lost, res.liveDup, res.storedTwice, res.failedSends)
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }
