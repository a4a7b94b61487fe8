package main

import (
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// selfTest is the function name under which the test binary plays a
// Lambda: it asks the runtime API for its first event, as lambda.Start does.
const selfTest = "coldstart-selftest"

func TestMain(m *testing.M) {
	if os.Getenv("AWS_LAMBDA_FUNCTION_NAME") == selfTest {
		resp, err := http.Get("http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/invocation/next")
		if err == nil {
			resp.Body.Close()
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestRunTimesTheFirstNext(t *testing.T) {
	api, err := startRuntimeAPI()
	if err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b := &binary{path: exe, fn: selfTest}
	for range 3 {
		d, trace, err := api.run(b, true, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if d <= 0 || d > 10*time.Second {
			t.Errorf("init took %v", d)
		}
		if total, pkgs := sumInitTrace(trace); pkgs == 0 || total < 0 {
			t.Errorf("inittrace: %v over %d packages in %q", total, pkgs, trace)
		}
	}
	// A binary that exits without asking for an event is an error.
	if _, _, err := api.run(&binary{path: "/bin/true", fn: "true"}, false, 10*time.Second); err == nil {
		t.Error("a binary that never asked for an event was timed")
	}
}

func TestSumInitTrace(t *testing.T) {
	trace := strings.Join([]string{
		"init internal/bytealg @0 ms, 0 ms clock, 0 bytes, 0 allocs",
		"init runtime @0.025 ms, 0.083 ms clock, 0 bytes, 0 allocs",
		"something else",
		"init net/http @1.5 ms, 0.040 ms clock, 1024 bytes, 12 allocs",
	}, "\n")
	total, pkgs := sumInitTrace(trace)
	if pkgs != 3 || total != 123*time.Microsecond {
		t.Errorf("sum = %v over %d packages, want 123µs over 3", total, pkgs)
	}
}

func TestQuantile(t *testing.T) {
	var ds []time.Duration
	for i := 10; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	if got := quantile(ds, 0.5); got != 5*time.Millisecond {
		t.Errorf("median = %v", got)
	}
	if got := quantile(ds, 0.9); got != 9*time.Millisecond {
		t.Errorf("p90 = %v", got)
	}
	if got := quantile(ds, 0); got != time.Millisecond {
		t.Errorf("min = %v", got)
	}
	if ds[0] != 10*time.Millisecond {
		t.Error("quantile sorted its argument")
	}
}

func TestFunctionName(t *testing.T) {
	for path, want := range map[string]string{"/tmp/after/authorizer": "authorizer", "build/actions/bootstrap": "actions"} {
		if got := functionName(path); got != want {
			t.Errorf("functionName(%q) = %q, want %q", path, got, want)
		}
	}
}
