package integration

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/chatapp"
	"github.com/backchannel-chat/backchannel/internal/app/streamapp"
	"github.com/backchannel-chat/backchannel/internal/app/unfurlapp"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/local/localsqs"
	"github.com/backchannel-chat/backchannel/internal/local/streampoll"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/unfurl"
)

// TestLinkPreviews is link previews as deployed, over the local stack: a
// message with links -> the table's stream -> the stream function's
// enqueuer (streamapp.Build) -> the unfurl queue (SQS, the real SDK client
// against the stand-in) -> the unfurl worker (unfurlapp.Build, polled as
// Lambda's event source mapping would), which fetches a page from a local
// HTTP server (its port allowed, as the local stack allows it), caches it
// in S3, stores the preview through the change log and pushes
// messageUpdated; a link to a loopback port not allowed gets no preview;
// the sender removes the preview; resume replays both changes.
func TestLinkPreviews(t *testing.T) {
	bucket := newFilesBucket(t)
	tr := newTrioWithFiles(t, generousLimits, bucket)
	s := tr.s
	logger := slog.New(slog.NewJSONHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))

	var mu sync.Mutex
	hits := map[string]int{}
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path]++
		mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<html><head><title>ignored</title>
<meta property="og:title" content="Launch &amp; notes">
<meta property="og:description" content="Everything in 4.2">
<meta property="og:image" content="/card.png">
<meta property="og:site_name" content="Local Site"></head><body>hi</body></html>`)
	}))
	t.Cleanup(site.Close)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("a loopback port that is not allowed was fetched: %s", r.URL)
	}))
	t.Cleanup(other.Close)
	su, _ := url.Parse(site.URL)
	port, _ := strconv.Atoi(su.Port())

	sqsEndpoint, queueURL := testenv.NewQueue(t, s.awsCfg, "unfurl-")
	bus := testenv.NewEventBus(t, testBus)
	streamCfg := s.awsCfg.Copy()
	streamCfg.BaseEndpoint = aws.String(bus.Endpoint())
	h, err := streamapp.Build(context.Background(), app.StreamConfig{
		EventBusName: bus.Name(), TableName: s.table, UnfurlQueueURL: queueURL, LogLevel: slog.LevelWarn,
	}, streamapp.WithAWSConfig(streamCfg), streamapp.WithLogger(logger), streamapp.WithSQSEndpoint(sqsEndpoint))
	if err != nil {
		t.Fatal(err)
	}
	testenv.StartStreamPoller(t, s.awsCfg, s.table, h.Handle, streampoll.Config{Logger: logger, PollInterval: 50 * time.Millisecond})
	worker, err := unfurlapp.Build(context.Background(), app.UnfurlConfig{
		ConnectionConfig: app.ConnectionConfig{TableName: s.table, CallbackURL: s.gw.CallbackURL(), LogLevel: slog.LevelWarn},
		CacheBucket:      bucket, S3UsePathStyle: true,
	}, unfurlapp.WithLoopbackPorts(port), unfurlapp.WithChatOptions(chatapp.WithAWSConfig(s.awsCfg), chatapp.WithLogger(logger)))
	if err != nil {
		t.Fatal(err)
	}
	client := sqs.NewFromConfig(s.awsCfg, func(o *sqs.Options) { o.BaseEndpoint = aws.String(sqsEndpoint) })
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		localsqs.Poll(ctx, client, localsqs.PollConfig{QueueURL: queueURL, BatchSize: 10, Concurrency: 1, Logger: logger}, worker.Handle)
	})
	t.Cleanup(func() { cancel(); wg.Wait() })

	club := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionCreateChannel, map[string]any{"name": "links"}, protocol.EventRoom)).Room.ID
	tr.b.call(protocol.ActionJoinChannel, room(club), protocol.EventRoom)
	state := decode[protocol.StateEvent](t, tr.b.call(protocol.ActionGetState, nil, protocol.EventState))
	var lastChg int64
	for _, r := range state.Rooms {
		if r.ID == club {
			lastChg = r.LastChg
		}
	}
	link := site.URL + "/notes"
	m := sendText(t, tr.a, club, "lp-1", "release: "+link+" and "+other.URL+"/private")

	// Bob gets the preview live; so does Ann (the worker has no connection).
	want := chat.LinkPreview{URL: link, Title: "Launch & notes", Description: "Everything in 4.2", ImageURL: site.URL + "/card.png", SiteName: "Local Site"}
	hasPreview := func(m chat.Message) bool { return len(m.Previews) == 1 }
	live := decode[protocol.MessageEvent](t, tr.b.expectEvent(protocol.EventMessageUpdated, isUpdate(t, club, m.Seq, hasPreview)))
	if live.Message.Previews[0] != want || live.Chg == 0 {
		t.Fatalf("bob got %+v (chg %d), want %+v", live.Message.Previews, live.Chg, want)
	}
	tr.a.expectEvent(protocol.EventMessageUpdated, isUpdate(t, club, m.Seq, hasPreview))

	// Cached in S3 under the hash of the URL.
	s3c := s3.NewFromConfig(s.awsCfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(unfurl.CacheKey(link))}); err != nil {
		t.Errorf("no cached preview at %s: %v", unfurl.CacheKey(link), err)
	}
	// A second message with the same link is previewed from the cache.
	m2 := sendText(t, tr.a, club, "lp-2", "again "+link)
	tr.b.expectEvent(protocol.EventMessageUpdated, isUpdate(t, club, m2.Seq, hasPreview))
	mu.Lock()
	if hits["/notes"] != 1 {
		t.Errorf("the page was fetched %d times, want once (then cached)", hits["/notes"])
	}
	mu.Unlock()

	// Only the sender removes it; Bob sees it go.
	tr.b.callError(protocol.ActionRemovePreview, map[string]any{"roomId": club, "seq": m.Seq, "url": link}, string(chat.Forbidden))
	rm := decode[protocol.MessageEvent](t, tr.a.call(protocol.ActionRemovePreview, map[string]any{"roomId": club, "seq": m.Seq, "url": link}, protocol.EventMessageUpdated))
	if len(rm.Message.Previews) != 0 || rm.Chg <= live.Chg {
		t.Fatalf("removePreview reply %+v", rm)
	}
	tr.b.expectEvent(protocol.EventMessageUpdated, isUpdate(t, club, m.Seq, func(m chat.Message) bool { return len(m.Previews) == 0 }))

	// Resume from before: the change log replays the messages as they are now.
	missed := decode[protocol.MissedEvent](t, tr.b.call(protocol.ActionResume, map[string]any{
		"rooms": map[string]int64{club: m2.Seq}, "changes": map[string]int64{club: lastChg}}, protocol.EventMissed))
	if len(missed.Rooms) != 1 {
		t.Fatalf("resume %+v", missed.Rooms)
	}
	got := map[int64]chat.Message{}
	for _, c := range missed.Rooms[0].Changed {
		got[c.Seq] = c
	}
	if len(got[m.Seq].Previews) != 0 || len(got[m2.Seq].Previews) != 1 || got[m2.Seq].Previews[0].Title != want.Title {
		t.Errorf("resume replayed %+v", missed.Rooms[0].Changed)
	}
}
