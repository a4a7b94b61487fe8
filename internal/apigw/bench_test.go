//go:build unix

package apigw_test

import (
	"context"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/apigw"
	"github.com/backchannel-chat/backchannel/internal/local/apigwtest"
)

// BenchmarkPost posts one message after another through each poster to a
// loopback @connections server that answers at once: one op is one post.
// Run with -cpu 1 for the rate one vCPU sustains; cpu-µs/post counts the
// server too (it runs in this process; scripts/bench-fanout separates
// them), allocs/op is the poster's and the server's.
//
//	go test -run '^$' -bench BenchmarkPost -benchmem -cpu 1 ./internal/apigw
func BenchmarkPost(b *testing.B) {
	srv := apigwtest.NewServer(apigwtest.Options{})
	defer srv.Close()
	payload := []byte(`{"type":"message","message":{"text":"` + strings.Repeat("x", 300) + `"}}`)
	for _, impl := range implementations {
		p := impl.make(b, testConfig(""), srv.URL)
		post := func(ctx context.Context, id string) error { return p.Post(ctx, id, payload) }
		if pp, ok := p.(*apigw.Poster); ok {
			post = pp.PreparePost(payload) // as the fan-out does: one hash per message
		}
		b.Run(impl.name, func(b *testing.B) {
			ctx := context.Background()
			if err := post(ctx, "warm="); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				if err := post(ctx, "L0SM9cOFvHcCIhw="); err != nil {
					b.Fatal(err)
				}
			}
			cpu := cpuTime() - cpu0
			b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/post")
			b.ReportMetric(float64(b.N)/cpu.Seconds(), "posts/CPU-s")
		})
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
