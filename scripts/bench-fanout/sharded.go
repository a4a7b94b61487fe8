//go:build unix

package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/backchannel-chat/backchannel/internal/apigw"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/fanout"
	"github.com/backchannel-chat/backchannel/internal/fanoutqueue"
	"github.com/backchannel-chat/backchannel/internal/local/localsqs"
)

// counting is a fan-out that counts the posts answered.
type counting struct {
	inner chat.Fanout
	done  atomic.Int64
}

func (c *counting) Send(ctx context.Context, ids []string, payload []byte) chat.FanoutResult {
	res := c.inner.Send(ctx, ids, payload)
	c.done.Add(int64(res.Delivered + res.Gone + res.Failed))
	return res
}

// runSharded measures one big-room message end to end (-sharded): the
// router queues jobs of 1,000 ids on the SQS stand-in through the real SDK
// client; worker pollers (as the event source mapping, batch 1) post each
// job at concurrency 64 with the hand-signed poster to the child-process
// @connections server. Wall is from the send to the last post answered;
// ack is when the sender had its answer; CPU is this process's (sender,
// queue stand-in, workers), not the server's.
func runSharded(sizesFlag, workersFlag string, delay time.Duration, payloadSize int) error {
	sizes, err := ints(sizesFlag)
	if err != nil {
		return fmt.Errorf("-n: %w", err)
	}
	workerCounts, err := ints(workersFlag)
	if err != nil {
		return fmt.Errorf("-workers: %w", err)
	}
	url, stop, err := startServer(delay)
	if err != nil {
		return err
	}
	defer stop()
	q, err := localsqs.Start("127.0.0.1:0")
	if err != nil {
		return err
	}
	defer q.Close()
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDBENCH", "secret", "")}
	client := sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.BaseEndpoint = aws.String(q.URL()) })
	out, err := client.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String("fanout")})
	if err != nil {
		return err
	}
	poster, err := apigw.NewPoster(cfg, url)
	if err != nil {
		return err
	}
	quiet := slog.New(slog.NewJSONHandler(io.Discard, nil))
	inline := &counting{inner: fanout.New(poster, fanout.Config{Logger: quiet})}
	payload := []byte(`{"type":"message","text":"` + strings.Repeat("x", max(0, payloadSize-32)) + `"}`)

	fmt.Printf("server latency %v per post, payload %d B, GOMAXPROCS %d, jobs of %d ids, %d posts in flight per worker\n\n",
		delay, len(payload), runtime.GOMAXPROCS(0), fanoutqueue.JobSize, fanout.DefaultConcurrency)
	const row = "%10v %8v %9v %9v %13v %15v\n"
	fmt.Printf(row, "recipients", "workers", "wall", "ack", "posts/s", "CPU/post (ours)")
	for _, n := range sizes {
		ids := make([]string, n)
		for i := range ids {
			ids[i] = fmt.Sprintf("bench%010d=", i)
		}
		for _, workers := range workerCounts {
			ctx, cancel := context.WithCancel(context.Background())
			worker := &fanoutqueue.Worker{Fanout: inline, Logger: quiet}
			polled := make(chan struct{})
			go func() {
				defer close(polled)
				localsqs.Poll(ctx, client, localsqs.PollConfig{QueueURL: *out.QueueUrl, BatchSize: 1, Concurrency: workers}, worker.Handle)
			}()
			router := &fanoutqueue.Router{Inline: inline, Queue: fanoutqueue.NewQueue(client, *out.QueueUrl), Threshold: 1, Logger: quiet}
			inline.inner.Send(ctx, ids[:min(n, workers*fanout.DefaultConcurrency)], payload) // open the pool's connections
			base := inline.done.Load()
			cpu0 := cpuTime()
			start := time.Now()
			res := router.Send(ctx, ids, payload)
			ack := time.Since(start)
			for inline.done.Load()-base < int64(n) {
				time.Sleep(time.Millisecond)
			}
			wall := time.Since(start)
			cpu := cpuTime() - cpu0
			cancel()
			<-polled
			if res.Queued != n {
				return fmt.Errorf("queued %d of %d", res.Queued, n)
			}
			fmt.Printf(row, n, workers, wall.Round(time.Millisecond), ack.Round(time.Millisecond),
				fmt.Sprintf("%.0f", float64(n)/wall.Seconds()), fmt.Sprintf("%.0f µs", float64(cpu.Microseconds())/float64(n)))
		}
	}
	return nil
}
