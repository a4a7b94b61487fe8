// Command seed-search seeds a chat table with messages through the real
// write path (dynamo.Store.AppendMessage, then search.Indexer.Consume, as
// the stream function does) and measures message search on it: query
// latency p50/p95 of two-word queries across all the seeded rooms, read
// units per query, and index write units per message.
//
//	go run ./scripts/seed-search                      # 100,000 messages in 50 rooms, own DynamoDB Local
//	go run ./scripts/seed-search -messages 2000 -rooms 5 -queries 50
//	AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:8000 go run ./scripts/seed-search -table chat-bench
//
// Without AWS_ENDPOINT_URL_DYNAMODB it starts its own DynamoDB Local
// (internal/local/devstack), in memory with a 3 GB heap (100,000 messages
// are about 1.35 million posting items; on disk, -data DIR, it writes about
// 6 times slower), and stops it at the end. An endpoint that is
// not on 127.0.0.1 or localhost is refused: this never writes to a real
// account. With -table naming an existing table and -messages 0 it only
// measures.
//
// The units are what the emulator reports per request (ReturnConsumedCapacity
// TOTAL). The index is written with BatchWriteItem and read with Query and
// BatchGetItem, none of them transactional, so these are the units
// DynamoDB bills (the emulator halves only transactional writes).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/local/devstack"
	"github.com/backchannel-chat/backchannel/internal/search"
)

type options struct {
	table    string
	messages int
	rooms    int
	queries  int
	workers  int
	data     string
	seed     uint64
}

func main() {
	var o options
	flag.StringVar(&o.table, "table", "", "table to seed and measure (default: a new table seed-search-<time>)")
	flag.IntVar(&o.messages, "messages", 100_000, "messages to write (0: only measure)")
	flag.IntVar(&o.rooms, "rooms", 50, "rooms to spread them over (all searched by every query)")
	flag.IntVar(&o.queries, "queries", 200, "two-word queries to time")
	flag.IntVar(&o.workers, "workers", 25, "rooms seeded concurrently")
	flag.StringVar(&o.data, "data", "", "DynamoDB Local's data directory when this command starts it (default: in memory)")
	flag.Uint64Var(&o.seed, "seed", 12, "random seed of the generated texts and queries")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := run(ctx, o, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "seed-search:", err)
		os.Exit(1)
	}
	fmt.Println(rep)
}

// Report is what a run measured.
type Report struct {
	Table              string
	Messages, Rooms    int
	SeedTime           time.Duration
	Postings           int     // posting items written
	IndexWCU           float64 // write units of WritePostings
	Queries            int
	P50, P95, Max      time.Duration
	RCUPerQuery        float64 // mean read units per query (postings + messages)
	PostingRCU         float64 // of which the postings' Queries
	RequestsPerQuery   float64
	ResultsPerQuery    float64
	EmptyQueries       int
	PrefixP95          time.Duration // one-word prefix queries ("dep"), capped at search.PrefixReadLimit postings per room
	PrefixRCUPerQuery  float64
	PrefixQueriesTimed int
}

func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "table %s: %d messages in %d rooms\n", r.Table, r.Messages, r.Rooms)
	if r.Messages > 0 {
		fmt.Fprintf(&b, "seeded in %s; index: %d postings, %.0f WCU = %.2f postings and %.2f WCU per message\n",
			r.SeedTime.Round(time.Second), r.Postings, r.IndexWCU, float64(r.Postings)/float64(r.Messages), r.IndexWCU/float64(r.Messages))
	}
	fmt.Fprintf(&b, "%d two-word queries over %d rooms: p50 %s, p95 %s, max %s; %.1f RCU per query (postings %.1f), %.0f requests, %.1f results (%d with none)\n",
		r.Queries, r.Rooms, r.P50.Round(time.Millisecond), r.P95.Round(time.Millisecond), r.Max.Round(time.Millisecond),
		r.RCUPerQuery, r.PostingRCU, r.RequestsPerQuery, r.ResultsPerQuery, r.EmptyQueries)
	if r.PrefixQueriesTimed > 0 {
		fmt.Fprintf(&b, "%d prefix queries over %d rooms: p95 %s, %.1f RCU per query\n", r.PrefixQueriesTimed, r.Rooms,
			r.PrefixP95.Round(time.Millisecond), r.PrefixRCUPerQuery)
	}
	return b.String()
}

// meter sums the units and requests the store reports, by operation.
type meter struct {
	mu    sync.Mutex
	units map[string]float64
	calls map[string]int
}

func (m *meter) record(op string, u float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.units[op] += u
	m.calls[op]++
}

func (m *meter) take() (units map[string]float64, calls map[string]int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	units, calls = m.units, m.calls
	m.units, m.calls = map[string]float64{}, map[string]int{}
	return units, calls
}

func sumPrefix[V int | float64](m map[string]V, prefix string) V {
	var s V
	for k, v := range m {
		if strings.HasPrefix(k, prefix) {
			s += v
		}
	}
	return s
}

func localEndpoint(ep string) error {
	u, err := url.Parse(ep)
	if err != nil {
		return err
	}
	if h := u.Hostname(); h != "127.0.0.1" && h != "localhost" && h != "::1" {
		return fmt.Errorf("AWS_ENDPOINT_URL_DYNAMODB=%s is not local: this command only writes to DynamoDB Local", ep)
	}
	return nil
}

func run(ctx context.Context, o options, progress *os.File) (Report, error) {
	if o.rooms <= 0 || o.messages < 0 || o.queries < 0 || o.workers <= 0 {
		return Report{}, errors.New("-rooms and -workers must be positive, -messages and -queries not negative")
	}
	ep := os.Getenv("AWS_ENDPOINT_URL_DYNAMODB")
	if ep == "" {
		root, err := os.Getwd()
		if err != nil {
			return Report{}, err
		}
		opts := devstack.DynamoDBLocalOptions{Root: root, LogDir: filepath.Join(root, ".cache"), Progress: progress, Heap: "3g"}
		if o.data != "" {
			opts.DataDir, _ = filepath.Abs(o.data)
			opts.LogDir = opts.DataDir
		}
		svc, err := devstack.StartDynamoDBLocal(ctx, opts)
		if err != nil {
			return Report{}, fmt.Errorf("start DynamoDB Local (run from the repository root): %w", err)
		}
		defer svc.Stop()
		ep = svc.Endpoint
		fmt.Fprintf(progress, "DynamoDB Local at %s\n", ep)
	}
	if err := localEndpoint(ep); err != nil {
		return Report{}, err
	}
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(cmpOr(os.Getenv("AWS_REGION"), "us-east-1")),
		config.WithBaseEndpoint(ep))
	if err != nil {
		return Report{}, err
	}
	if os.Getenv("AWS_ACCESS_KEY_ID") == "" {
		cfg.Credentials = staticLocal{} // DynamoDB Local takes any
	}
	client := dynamodb.NewFromConfig(cfg)
	m := &meter{units: map[string]float64{}, calls: map[string]int{}}
	if o.table == "" {
		o.table = "seed-search-" + time.Now().UTC().Format("20060102-150405")
	}
	if _, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &o.table}); err != nil {
		if err := dynamo.CreateTable(ctx, client, o.table); err != nil {
			return Report{}, fmt.Errorf("create table %s: %w", o.table, err)
		}
	}
	store, err := dynamo.New(client, o.table, dynamo.WithCapacityRecorder(m.record))
	if err != nil {
		return Report{}, err
	}
	rep := Report{Table: o.table, Messages: o.messages, Rooms: o.rooms}
	rooms := make([]string, o.rooms)
	for i := range rooms {
		rooms[i] = fmt.Sprintf("bench-room-%02d", i)
	}
	gen := newTextGen(o.seed)
	if o.messages > 0 {
		start := time.Now()
		if err := seed(ctx, store, rooms, o, progress); err != nil {
			return rep, err
		}
		rep.SeedTime = time.Since(start)
		units, _ := m.take()
		rep.IndexWCU = sumPrefix(units, "WritePostings:")
		rep.Postings = postingsWritten
	}
	m.take()
	// Two-word queries: two distinct words of the vocabulary's common
	// half, as people type them (the second word complete: a trailing
	// space, so it is not a prefix).
	r := rand.New(rand.NewPCG(o.seed, 2))
	var lat []time.Duration
	var rcu, prcu, reqs, results float64
	for range o.queries {
		a, b := gen.word(r), gen.word(r)
		for b == a {
			b = gen.word(r)
		}
		q, err := search.Parse(a + " " + b + " ")
		if err != nil {
			return rep, err
		}
		t0 := time.Now()
		p, err := search.Run(ctx, store, search.Request{Query: q, Rooms: rooms, Limit: 20})
		if err != nil {
			return rep, fmt.Errorf("query %q %q: %w", a, b, err)
		}
		lat = append(lat, time.Since(t0))
		units, calls := m.take()
		rcu += sumPrefix(units, "")
		prcu += sumPrefix(units, "Postings:")
		reqs += float64(sumPrefix(calls, ""))
		results += float64(len(p.Results))
		if len(p.Results) == 0 {
			rep.EmptyQueries++
		}
	}
	if n := len(lat); n > 0 {
		slices.Sort(lat)
		rep.Queries = n
		rep.P50, rep.P95, rep.Max = pct(lat, 50), pct(lat, 95), lat[n-1]
		rep.RCUPerQuery, rep.PostingRCU = rcu/float64(n), prcu/float64(n)
		rep.RequestsPerQuery, rep.ResultsPerQuery = reqs/float64(n), results/float64(n)
	}
	// Prefix queries (typing the first letters of a common word).
	var plat []time.Duration
	var purcu float64
	for i := range min(o.queries/4, 50) {
		w := gen.common[i%len(gen.common)]
		q, err := search.Parse(w[:min(3, len(w))])
		if err != nil {
			return rep, err
		}
		t0 := time.Now()
		if _, err := search.Run(ctx, store, search.Request{Query: q, Rooms: rooms, Limit: 20}); err != nil {
			return rep, err
		}
		plat = append(plat, time.Since(t0))
		units, _ := m.take()
		purcu += sumPrefix(units, "")
	}
	if n := len(plat); n > 0 {
		slices.Sort(plat)
		rep.PrefixQueriesTimed, rep.PrefixP95, rep.PrefixRCUPerQuery = n, pct(plat, 95), purcu/float64(n)
	}
	return rep, nil
}

type staticLocal struct{}

func (staticLocal) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: "local", SecretAccessKey: "local", Source: "seed-search"}, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func pct(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100
	return sorted[max(0, min(i, len(sorted))-1)]
}

var (
	postingsMu      sync.Mutex
	postingsWritten int
)

// seed writes o.messages messages round-robin over the rooms, each room
// by one worker (seqs are per room), spread over the last 90 days.
func seed(ctx context.Context, store *dynamo.Store, rooms []string, o options, progress *os.File) error {
	users := []string{"u-ana", "u-bo", "u-chen", "u-dora", "u-emil", "u-fatima", "u-gus", "u-hanne"}
	now := time.Now().UTC().Truncate(time.Millisecond)
	for _, room := range rooms {
		var ms []chat.Member
		for i, u := range users {
			role := chat.RoleMember
			if i == 0 {
				role = chat.RoleOwner
			}
			ms = append(ms, chat.Member{RoomID: room, UserID: u, Role: role, JoinedAt: now.Add(-100 * 24 * time.Hour)})
		}
		err := store.CreateRoom(ctx, chat.Room{ID: room, Kind: chat.KindPublic, Name: room, CreatedBy: users[0], CreatedAt: now.Add(-100 * 24 * time.Hour)}, ms)
		if err != nil && chat.ErrorCode(err) != chat.Conflict {
			return fmt.Errorf("create room %s: %w", room, err)
		}
	}
	idx := search.NewIndexer(store)
	perRoom := o.messages / len(rooms)
	span := 90 * 24 * time.Hour
	var done sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	written := 0
	sem := make(chan struct{}, o.workers)
	start := time.Now()
	for ri, room := range rooms {
		n := perRoom
		if ri < o.messages%len(rooms) {
			n++
		}
		done.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; done.Done() }()
			gen := newTextGen(o.seed + uint64(ri)*7919)
			r := rand.New(rand.NewPCG(o.seed, uint64(ri)))
			for i := range n {
				if ctx.Err() != nil {
					return
				}
				sender := users[r.IntN(len(users))]
				// No clientId: the idempotency item is not what is measured,
				// and a seed is not retried.
				msg := chat.Message{RoomID: room, SenderID: sender, SenderName: sender,
					Text: gen.text(r), CreatedAt: now.Add(-span + span*time.Duration(i)/time.Duration(max(n, 1)))}
				if r.IntN(20) == 0 {
					msg.Mentions = []string{users[r.IntN(len(users))]}
				}
				stored, _, err := store.AppendMessage(ctx, msg)
				if err == nil {
					err = idx.Consume(ctx, []chat.Event{chat.MessageCreated{Message: stored}})
				}
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("message %d of %s: %w", i, room, err)
				}
				if err == nil {
					written++
					postingsMu.Lock()
					postingsWritten += len(search.Postings(stored))
					postingsMu.Unlock()
					if written%5000 == 0 {
						el := time.Since(start)
						fmt.Fprintf(progress, "%d/%d messages (%.0f/s)\n", written, o.messages, float64(written)/el.Seconds())
					}
				}
				bad := firstErr != nil
				mu.Unlock()
				if bad {
					return
				}
			}
		}()
	}
	done.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// textGen makes chat-like lines from a vocabulary with Zipf-distributed
// word frequencies, English and German mixed (the two analyzed
// languages), with an occasional link.
type textGen struct {
	vocab  []string
	zipf   func(r *rand.Rand) int
	common []string
}

var baseWords = strings.Fields(`the a to and is it on for in of we i you that this be with at can are have
deploy deploying deployed release review reviews pull request login bug build broken fix fixed flaky test tests
integration meeting moved room lunch thanks billing service owner team week retro postpone production friday
monday server logs error errors alert alerts database migration schema index query latency cache timeout retry
customer ticket support incident outage postmortem dashboard metrics budget invoice contract design mockup draft
feature branch merge conflict rebase pipeline docker kubernetes cluster node memory disk network dns certificate
ich du wir die der das und ist nicht bitte danke heute morgen treffen besprechung häuser straße unterlagen angebot
server läuft wieder fehler fehlgeschlagen zugangsdaten testumgebung stunden eintragen freitag kunde rechnung
vertrag entwurf freigabe termin urlaub krank homeoffice erreichbar frage antwort idee machen schauen schicken
großen kleinen neuen alten schnell langsam wichtig dringend später gleich`)

func newTextGen(seed uint64) *textGen {
	g := &textGen{vocab: slices.Clone(baseWords)}
	// A long tail of rarer words (names of things, made-up terms).
	r := rand.New(rand.NewPCG(seed, 99))
	syll := []string{"ka", "ro", "mi", "ten", "sel", "dor", "vi", "lan", "qu", "ber", "to", "nex", "ar", "pho", "gu", "zel"}
	for len(g.vocab) < 3000 {
		var w strings.Builder
		for range 2 + r.IntN(3) {
			w.WriteString(syll[r.IntN(len(syll))])
		}
		g.vocab = append(g.vocab, w.String())
	}
	z := rand.NewZipf(rand.New(rand.NewPCG(seed, 5)), 1.1, 4, uint64(len(g.vocab)-1))
	var zmu sync.Mutex
	g.zipf = func(*rand.Rand) int { zmu.Lock(); defer zmu.Unlock(); return int(z.Uint64()) }
	// Query words: content words of middling frequency, not stop words.
	for _, w := range baseWords[20:] {
		if len(w) >= 4 {
			g.common = append(g.common, w)
		}
	}
	sort.Strings(g.common)
	return g
}

func (g *textGen) text(r *rand.Rand) string {
	n := 4 + r.IntN(14)
	ws := make([]string, n)
	for i := range ws {
		ws[i] = g.vocab[g.zipf(r)]
	}
	s := strings.Join(ws, " ")
	if r.IntN(30) == 0 {
		s += fmt.Sprintf(" https://ci.example.com/runs/%d", r.IntN(100000))
	}
	return s
}

// word is a query word: a content word that occurs often enough for a
// two-word query to have matches, as people search.
func (g *textGen) word(r *rand.Rand) string { return g.common[r.IntN(len(g.common))] }
