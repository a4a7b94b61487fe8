// Command coldstart measures the cold init of Lambda function binaries on
// this machine: the time from exec to the function's first GET of
// /2018-06-01/runtime/invocation/next, which is when Lambda's Init phase
// ends. It serves a fake Lambda runtime API on 127.0.0.1, runs each binary
// with AWS_LAMBDA_RUNTIME_API pointing there and the function's environment
// filled with dummy values (no AWS_CA_BUNDLE, no HOME: the environment is
// Lambda's, not this shell's), kills it once it asks for its first event,
// and reports the median and p90 over the runs. Runs of different binaries
// are interleaved, so load on the machine affects them alike.
//
// Build the binaries as `make build` does, for this machine's architecture:
//
//	GOOS=linux GOARCH=amd64 CGO_ENABLED=0 go build -tags lambda.norpc -trimpath -ldflags "-s -w" -o /tmp/after/authorizer ./functions/authorizer
//	go run ./scripts/coldstart -n 30 /tmp/before/authorizer /tmp/after/authorizer
//
// A binary's function (and so its environment) is its file name, or the
// name of its folder when the file is called bootstrap; -fn overrides it.
// With -inittrace each run also sets GODEBUG=inittrace=1 and the report
// adds the median sum of the package initializers' clock times.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// functionEnv is the environment of each function, with dummy values: the
// variables the function reads (see internal/app) and those Lambda sets.
// Extra variables do no harm, so every function gets the whole set of the
// chat's variables; what differs is only what each one reads.
var functionEnv = []string{
	"TABLE_NAME=chat",
	"FILES_BUCKET=files",
	"WS_CALLBACK_URL=https://abc123.execute-api.us-east-1.amazonaws.com/prod",
	"COGNITO_ISSUER=https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abcdefghi",
	"COGNITO_CLIENT_ID=client",
	"LOG_LEVEL=info",
	"EVENT_BUS_NAME=chat-events",
}

// lambdaEnv is what the Lambda runtime sets for a provided.al2023 function.
func lambdaEnv(fn, api string) []string {
	return []string{
		"AWS_LAMBDA_RUNTIME_API=" + api,
		"AWS_LAMBDA_FUNCTION_NAME=" + fn,
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/" + fn,
		"AWS_LAMBDA_LOG_STREAM_NAME=2026/11/29/[$LATEST]0123456789abcdef",
		"AWS_LAMBDA_INITIALIZATION_TYPE=on-demand",
		"AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=AKIDEXAMPLE",
		"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
		"AWS_SESSION_TOKEN=session",
		"AWS_EXECUTION_ENV=AWS_Lambda_provided.al2023",
		"LAMBDA_TASK_ROOT=/var/task",
		"LAMBDA_RUNTIME_DIR=/var/runtime",
		"TZ=:UTC",
		"LANG=en_US.UTF-8",
		"PATH=/usr/local/bin:/usr/bin/:/bin:/opt/bin",
		"LD_LIBRARY_PATH=/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib",
	}
}

func main() {
	runs := flag.Int("n", 30, "runs of each binary")
	fn := flag.String("fn", "", "function name of every binary (default: from its path)")
	inittrace := flag.Bool("inittrace", false, "also run with GODEBUG=inittrace=1 and sum the initializers' times")
	timeout := flag.Duration("timeout", 10*time.Second, "longest wait for one run's first /next")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: coldstart [-n runs] [-inittrace] [-fn name] binary...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 || *runs < 1 {
		flag.Usage()
		os.Exit(2)
	}
	api, err := startRuntimeAPI()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bins := make([]*binary, flag.NArg())
	for i, path := range flag.Args() {
		bins[i] = &binary{path: path, fn: *fn}
		if bins[i].fn == "" {
			bins[i].fn = functionName(path)
		}
	}
	for i := range *runs {
		for _, b := range bins {
			d, _, err := api.run(b, false, *timeout)
			if err != nil {
				fmt.Fprintf(os.Stderr, "%s, run %d: %v\n", b.path, i+1, err)
				os.Exit(1)
			}
			b.init = append(b.init, d)
			if *inittrace {
				_, trace, err := api.run(b, true, *timeout)
				if err != nil {
					fmt.Fprintf(os.Stderr, "%s, traced run %d: %v\n", b.path, i+1, err)
					os.Exit(1)
				}
				total, pkgs := sumInitTrace(trace)
				b.trace = append(b.trace, total)
				b.tracedPkgs = pkgs
			}
		}
	}
	report(os.Stdout, bins, *inittrace)
}

// binary is one function binary and its measurements.
type binary struct {
	path, fn   string
	init       []time.Duration // exec to first /next
	trace      []time.Duration // sum of inittrace clock times
	tracedPkgs int             // packages with an initializer
}

func functionName(path string) string {
	if filepath.Base(path) == "bootstrap" {
		return filepath.Base(filepath.Dir(path))
	}
	return filepath.Base(path)
}

// runtimeAPI is the fake Lambda runtime API: it notes when /next is asked
// for and never answers (the run is over by then).
type runtimeAPI struct {
	addr string
	next chan time.Time
}

func startRuntimeAPI() (*runtimeAPI, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	api := &runtimeAPI{addr: ln.Addr().String(), next: make(chan time.Time, 1)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", func(w http.ResponseWriter, r *http.Request) {
		at := time.Now()
		select {
		case api.next <- at:
		default:
		}
		<-r.Context().Done() // the process is killed while it waits
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		// Init errors and anything else: the run fails on the process's exit.
		w.WriteHeader(http.StatusAccepted)
	})
	go func() { _ = http.Serve(ln, mux) }()
	return api, nil
}

// run execs b once and returns the time to its first /next, and its
// standard error.
func (api *runtimeAPI) run(b *binary, inittrace bool, timeout time.Duration) (time.Duration, string, error) {
	select { // a late /next of a previous run
	case <-api.next:
	default:
	}
	cmd := exec.Command(b.path)
	cmd.Env = append(lambdaEnv(b.fn, api.addr), functionEnv...)
	if inittrace {
		cmd.Env = append(cmd.Env, "GODEBUG=inittrace=1")
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	exited := make(chan error, 1)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, "", err
	}
	go func() { exited <- cmd.Wait() }()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	select {
	case at := <-api.next:
		_ = cmd.Process.Kill()
		<-exited
		return at.Sub(start), stderr.String(), nil
	case err := <-exited:
		return 0, "", fmt.Errorf("exited before asking for an event (%v): %s", err, strings.TrimSpace(stderr.String()))
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		<-exited
		return 0, "", errors.New("no /next within the timeout")
	}
}

// sumInitTrace adds up the clock times of the lines GODEBUG=inittrace=1
// prints: "init internal/bytealg @0.008 ms, 0 ms clock, 0 bytes, 0 allocs".
func sumInitTrace(trace string) (time.Duration, int) {
	var total float64
	pkgs := 0
	sc := bufio.NewScanner(strings.NewReader(trace))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 7 || f[0] != "init" || f[6] != "clock," {
			continue
		}
		ms, err := strconv.ParseFloat(f[4], 64)
		if err != nil {
			continue
		}
		total += ms
		pkgs++
	}
	return time.Duration(total * float64(time.Millisecond)), pkgs
}

func report(w *os.File, bins []*binary, inittrace bool) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	header := "binary\tfunction\truns\tmedian ms\tp90 ms\tmin ms\t"
	if inittrace {
		header += "inittrace ms (median)\tinits\t"
	}
	fmt.Fprintln(tw, header)
	for _, b := range bins {
		line := fmt.Sprintf("%s\t%s\t%d\t%s\t%s\t%s\t", b.path, b.fn, len(b.init),
			ms(quantile(b.init, 0.5)), ms(quantile(b.init, 0.9)), ms(quantile(b.init, 0)))
		if inittrace {
			line += fmt.Sprintf("%s\t%d\t", ms(quantile(b.trace, 0.5)), b.tracedPkgs)
		}
		fmt.Fprintln(tw, line)
	}
	_ = tw.Flush()
}

// quantile is the nearest-rank quantile q of ds.
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(q*float64(len(s))+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64)
}
