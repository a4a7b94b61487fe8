//go:build unix

package fanout

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
	"github.com/backchannel-chat/backchannel/internal/apigw/sdkposter"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/local/apigwtest"
)

// postLatency is what the loopback @connections server adds to every post,
// standing in for API Gateway's own latency.
const postLatency = 20 * time.Millisecond

// BenchmarkFanout sends one payload to N connections through each poster
// (the SDK's client, sdkposter, and the hand-signed apigw.Poster) against a
// loopback @connections server. One op is one Send. Reported next to ns/op: posts/s, the ideal wall time
// N × 20 ms / concurrency, and CPU per post (client and server together:
// both run in this process; scripts/bench-fanout separates them).
func BenchmarkFanout(b *testing.B) {
	srv := apigwtest.NewServer(apigwtest.Options{Delay: postLatency})
	defer srv.Close()
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDBENCH", "secret", "")}
	signed, err := apigw.NewPoster(cfg, srv.URL)
	if err != nil {
		b.Fatal(err)
	}
	posters := []struct {
		name   string
		poster chat.Poster
	}{
		{"sdk", sdkposter.NewPoster(sdkposter.NewClient(cfg, srv.URL))},
		{"signed", signed},
	}
	payload := []byte(`{"type":"message.new","message":{"text":"` + strings.Repeat("x", 300) + `"}}`)

	for _, n := range []int{1000, 10000} {
		recipients := ids(n)
		for _, c := range []int{16, 64, 256} {
			for _, pp := range posters {
				poster := pp.poster
				b.Run(fmt.Sprintf("N=%d/C=%d/%s", n, c, pp.name), func(b *testing.B) {
					f := New(poster, Config{Concurrency: c, Logger: quietLogger()})
					f.Send(context.Background(), recipients[:min(n, c)], payload) // warm the connection pool
					b.ReportAllocs()
					cpu0 := cpuTime()
					b.ResetTimer()
					for b.Loop() {
						if res := f.Send(context.Background(), recipients, payload); res.Delivered != n {
							b.Fatalf("delivered %d of %d: %+v", res.Delivered, n, res)
						}
					}
					b.StopTimer()
					posts := float64(b.N * n)
					b.ReportMetric(posts/b.Elapsed().Seconds(), "posts/s")
					b.ReportMetric(float64(time.Duration(n)*postLatency/time.Duration(c))/1e6, "ideal-ms/op")
					b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/posts, "cpu-µs/post")
				})
			}
		}
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
