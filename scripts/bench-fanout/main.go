//go:build unix

// Command bench-fanout measures the fan-out through each management API
// poster (sdk: the SDK's client, internal/apigw/sdkposter; signed: the
// hand-signed internal/apigw.Poster) against a loopback @connections server that adds a fixed
// latency to every post, and prints one table row per (recipients,
// concurrency): wall time, posts per second, the ideal N × latency /
// concurrency, and the client's CPU time and allocations per post.
//
// The server runs in a child process (this binary with -serve) so the CPU
// and allocation figures are the sender's alone.
//
//	go run ./scripts/bench-fanout [-n 1000,10000] [-c 16,64,256] [-delay 20ms] [-poster sdk,signed]
//	go run ./scripts/bench-fanout -sharded [-n 10000] [-workers 2,10]   # big rooms over the queue
//
// Run with GOMAXPROCS=1 to measure what one vCPU delivers: the last column,
// posts/s per CPU-second (1 s / client CPU per post), is the rate a Lambda
// with one full vCPU (1,769 MB) sustains when the fan-out is CPU-bound.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/backchannel-chat/backchannel/internal/apigw"
	"github.com/backchannel-chat/backchannel/internal/apigw/sdkposter"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/fanout"
	"github.com/backchannel-chat/backchannel/internal/local/apigwtest"
)

func main() {
	var (
		sizes   = flag.String("n", "1000,10000", "recipient counts, comma-separated")
		concs   = flag.String("c", "16,64,256", "fan-out concurrencies, comma-separated")
		posters = flag.String("poster", "sdk,signed", "posters to compare: sdk, signed")
		delay   = flag.Duration("delay", 20*time.Millisecond, "latency the server adds to every post")
		payload = flag.Int("payload", 512, "payload size in bytes")
		serve   = flag.Bool("serve", false, "internal: run only the @connections server")
		sharded = flag.Bool("sharded", false, "measure one message through the fan-out queue and workers instead")
		workers = flag.String("workers", "2,10", "with -sharded: worker invocations at once, comma-separated")
	)
	flag.Parse()
	if *serve {
		runServer(*delay)
		return
	}
	if *sharded {
		if err := runSharded(*sizes, *workers, *delay, *payload); err != nil {
			fmt.Fprintln(os.Stderr, "bench-fanout:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*sizes, *concs, *posters, *delay, *payload); err != nil {
		fmt.Fprintln(os.Stderr, "bench-fanout:", err)
		os.Exit(1)
	}
}

// runServer serves until stdin closes, which happens when the parent exits
// for whatever reason, so the child never outlives it.
func runServer(delay time.Duration) {
	srv := apigwtest.NewServer(apigwtest.Options{Delay: delay})
	defer srv.Close()
	fmt.Println(srv.URL)
	_, _ = io.Copy(io.Discard, os.Stdin)
}

func run(sizesFlag, concsFlag, postersFlag string, delay time.Duration, payloadSize int) error {
	sizes, err := ints(sizesFlag)
	if err != nil {
		return fmt.Errorf("-n: %w", err)
	}
	concs, err := ints(concsFlag)
	if err != nil {
		return fmt.Errorf("-c: %w", err)
	}
	url, stop, err := startServer(delay)
	if err != nil {
		return err
	}
	defer stop()

	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDBENCH", "secret", "")}
	var posters []namedPoster
	for _, name := range strings.Split(postersFlag, ",") {
		switch strings.TrimSpace(name) {
		case "sdk":
			posters = append(posters, namedPoster{"sdk", sdkposter.NewPoster(sdkposter.NewClient(cfg, url))})
		case "signed":
			p, err := apigw.NewPoster(cfg, url)
			if err != nil {
				return err
			}
			posters = append(posters, namedPoster{"signed", p})
		default:
			return fmt.Errorf("-poster: unknown %q (sdk, signed)", name)
		}
	}
	payload := []byte(`{"type":"message.new","text":"` + strings.Repeat("x", max(0, payloadSize-32)) + `"}`)
	quiet := slog.New(slog.NewJSONHandler(io.Discard, nil))

	fmt.Printf("server latency %v per post, payload %d B, GOMAXPROCS %d, %d CPUs\n\n",
		delay, len(payload), runtime.GOMAXPROCS(0), runtime.NumCPU())
	// Fixed widths rather than a tabwriter: rows print as they finish.
	const row = "%-7v %10v %11v %9v %9v %10v %8v %15v %11v %7v %9v %12v\n"
	fmt.Printf(row, "poster", "recipients", "concurrency", "wall", "ideal", "wall/ideal", "posts/s", "client CPU/post", "allocs/post", "KB/post", "delivered", "posts/CPU-s")
	for _, n := range sizes {
		ids := make([]string, n)
		for i := range ids {
			ids[i] = fmt.Sprintf("bench%010d=", i) // '=' like real ids: exercises escaping
		}
		for _, c := range concs {
			for _, np := range posters {
				f := fanout.New(np.poster, fanout.Config{Concurrency: c, Logger: quiet})
				f.Send(context.Background(), ids[:min(n, c)], payload) // open the pool's connections

				runtime.GC()
				var m0, m1 runtime.MemStats
				runtime.ReadMemStats(&m0)
				cpu0 := cpuTime()
				start := time.Now()
				res := f.Send(context.Background(), ids, payload)
				wall := time.Since(start)
				cpu := cpuTime() - cpu0
				runtime.ReadMemStats(&m1)

				ideal := time.Duration(n) * delay / time.Duration(c)
				fmt.Printf(row, np.name, n, c, wall.Round(time.Millisecond), ideal.Round(time.Millisecond),
					fmt.Sprintf("%.2f", wall.Seconds()/ideal.Seconds()),
					fmt.Sprintf("%.0f", float64(n)/wall.Seconds()),
					fmt.Sprintf("%.0f µs", float64(cpu.Microseconds())/float64(n)),
					fmt.Sprintf("%.0f", float64(m1.Mallocs-m0.Mallocs)/float64(n)),
					fmt.Sprintf("%.1f", float64(m1.TotalAlloc-m0.TotalAlloc)/1024/float64(n)),
					res.Delivered,
					fmt.Sprintf("%.0f", float64(n)/cpu.Seconds()))
			}
		}
	}
	return nil
}

type namedPoster struct {
	name   string
	poster chat.Poster
}

// startServer runs this binary with -serve and returns the callback URL it
// prints and a function that stops it.
func startServer(delay time.Duration) (string, func(), error) {
	self, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(self, "-serve", "-delay", delay.String())
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return "", nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() {
		_ = stdin.Close() // the child exits on EOF
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		stop()
		return "", nil, fmt.Errorf("server did not start: %w", err)
	}
	return strings.TrimSpace(line), stop, nil
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func ints(s string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("not a positive integer: %q", part)
		}
		out = append(out, v)
	}
	return out, nil
}
