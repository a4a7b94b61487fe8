//go:build unix

package fanoutqueue

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/backchannel-chat/backchannel/internal/apigw"
	"github.com/backchannel-chat/backchannel/internal/fanout"
	"github.com/backchannel-chat/backchannel/internal/local/apigwtest"
	"github.com/backchannel-chat/backchannel/internal/local/localsqs"
)

// BenchmarkBigRoom delivers one message to 10,000 connections through a
// loopback @connections server adding 20 ms per post, two ways side by
// side: inline (one fan-out at concurrency 64, what the actions function
// did) and sharded (the router queues 10 jobs on the SQS stand-in through
// the real SDK client; 10 workers, polled as an event source mapping
// polls, each post their 1,000 ids at concurrency 64 with the hand-signed
// poster; 2 workers as deployed, and 10). One op is one message; ns/op is from the send until the
// server has answered the last post (end to end), ack-ms is when the
// sender got its answer back.
//
//	go test -run '^$' -bench BigRoom -benchtime 5x ./internal/fanoutqueue
func BenchmarkBigRoom(b *testing.B) {
	const n = 10000
	srv := apigwtest.NewServer(apigwtest.Options{Delay: 20 * time.Millisecond})
	defer srv.Close()
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDBENCH", "secret", "")}
	poster, err := apigw.NewPoster(cfg, srv.URL)
	if err != nil {
		b.Fatal(err)
	}
	inline := fanout.New(poster, fanout.Config{Concurrency: fanout.DefaultConcurrency, Logger: quiet()})
	payload := []byte(`{"type":"message","message":{"text":"` + strings.Repeat("x", 300) + `"}}`)
	recipients := ids(n)
	inline.Send(context.Background(), recipients[:640], payload) // open the pool's connections

	_, client, url := standIn(b)
	worker := &Worker{Fanout: inline, Logger: quiet()}

	// workers 0: inline; 2: the deployed mapping's maximum concurrency
	// (paced under the account's quota); 10: one worker per job.
	for _, workers := range []int{0, 2, 10} {
		mode := "inline"
		if workers > 0 {
			mode = fmt.Sprintf("sharded-%dworkers", workers)
		}
		b.Run(fmt.Sprintf("N=%d/%s", n, mode), func(b *testing.B) {
			r := &Router{Inline: inline, Logger: quiet()}
			if workers > 0 {
				r.Queue = NewQueue(client, url)
				ctx, stop := context.WithCancel(context.Background())
				done := make(chan struct{})
				go func() {
					defer close(done)
					localsqs.Poll(ctx, client, localsqs.PollConfig{QueueURL: url, BatchSize: 1, Concurrency: workers}, worker.Handle)
				}()
				defer func() { stop(); <-done }()
			}
			var ack time.Duration
			cpu0 := cpuTime()
			for b.Loop() {
				base := srv.Count()
				start := time.Now()
				res := r.Send(context.Background(), recipients, payload)
				ack += time.Since(start)
				if res.Delivered+res.Queued != n {
					b.Fatalf("result %+v", res)
				}
				for srv.Count()-base < n {
					time.Sleep(time.Millisecond)
				}
			}
			b.ReportMetric(float64(ack.Microseconds())/1000/float64(b.N), "ack-ms")
			// CPU of the whole process (sender, queue, workers and the
			// @connections server): near wall × cores means CPU-bound.
			b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "posts/s")
		})
	}
}

// cpuTime is the user + system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
