package emf

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestEmitWritesOneSpecShapedLine(t *testing.T) {
	var buf bytes.Buffer
	w, err := New(&buf, "Backchannel")
	if err != nil {
		t.Fatal(err)
	}
	w.now = func() time.Time { return time.UnixMilli(1700000000123) }

	err = w.Emit(
		map[string]string{"Function": "actions", "Area": "fanout"},
		[]Metric{{Name: "Delivered", Unit: Count, Value: 7}, {Name: "Duration", Unit: Milliseconds, Value: 12.5}},
		map[string]any{"requestId": "r-1"},
	)
	if err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") {
		t.Fatalf("want exactly one newline-terminated line, got %q", out)
	}

	var doc struct {
		AWS struct {
			Timestamp         int64
			CloudWatchMetrics []struct {
				Namespace  string
				Dimensions [][]string
				Metrics    []struct{ Name, Unit string }
			}
		} `json:"_aws"`
		Function  string
		Area      string
		Delivered float64
		Duration  float64
		RequestID string `json:"requestId"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("line is not JSON: %v", err)
	}
	if doc.AWS.Timestamp != 1700000000123 {
		t.Errorf("Timestamp = %d", doc.AWS.Timestamp)
	}
	if len(doc.AWS.CloudWatchMetrics) != 1 {
		t.Fatalf("want one directive, got %d", len(doc.AWS.CloudWatchMetrics))
	}
	d := doc.AWS.CloudWatchMetrics[0]
	if d.Namespace != "Backchannel" {
		t.Errorf("Namespace = %q", d.Namespace)
	}
	if len(d.Dimensions) != 1 || strings.Join(d.Dimensions[0], ",") != "Area,Function" {
		t.Errorf("Dimensions = %v, want [[Area Function]]", d.Dimensions)
	}
	if len(d.Metrics) != 2 || d.Metrics[0] != (struct{ Name, Unit string }{"Delivered", "Count"}) ||
		d.Metrics[1] != (struct{ Name, Unit string }{"Duration", "Milliseconds"}) {
		t.Errorf("Metrics = %v", d.Metrics)
	}
	// Every reference must resolve to a root member of the right type.
	if doc.Function != "actions" || doc.Area != "fanout" {
		t.Errorf("dimension targets = %q %q", doc.Function, doc.Area)
	}
	if doc.Delivered != 7 || doc.Duration != 12.5 {
		t.Errorf("metric targets = %v %v", doc.Delivered, doc.Duration)
	}
	if doc.RequestID != "r-1" {
		t.Errorf("property requestId = %q", doc.RequestID)
	}
}

func TestEmitWithoutDimensionsUsesOneEmptySet(t *testing.T) {
	var buf bytes.Buffer
	w, err := New(&buf, "NS")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Emit(nil, []Metric{{Name: "Sent", Unit: Count, Value: 1}}, nil); err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(buf.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	// The spec requires at least one DimensionSet; an empty one is allowed
	// and means "no dimensions". null or [] would be rejected.
	if !strings.Contains(string(raw["_aws"]), `"Dimensions":[[]]`) {
		t.Errorf("want Dimensions [[]], got %s", raw["_aws"])
	}
}

func TestEmitRejectsInvalidDocuments(t *testing.T) {
	var buf bytes.Buffer
	w, err := New(&buf, "NS")
	if err != nil {
		t.Fatal(err)
	}
	one := []Metric{{Name: "M", Unit: Count, Value: 1}}
	many := make([]Metric, maxMetrics+1)
	for i := range many {
		many[i] = Metric{Name: strings.Repeat("m", i+1), Value: 1}
	}
	dims := map[string]string{}
	for i := 0; i <= maxDimensions; i++ {
		dims[strings.Repeat("d", i+1)] = "v"
	}
	cases := map[string]func() error{
		"no metrics":          func() error { return w.Emit(nil, nil, nil) },
		"too many metrics":    func() error { return w.Emit(nil, many, nil) },
		"too many dimensions": func() error { return w.Emit(dims, one, nil) },
		"unknown unit":        func() error { return w.Emit(nil, []Metric{{Name: "M", Unit: "Widgets"}}, nil) },
		"empty metric name":   func() error { return w.Emit(nil, []Metric{{Unit: Count}}, nil) },
		"metric = dimension":  func() error { return w.Emit(map[string]string{"M": "x"}, one, nil) },
		"property = metric":   func() error { return w.Emit(nil, one, map[string]any{"M": 1}) },
		"reserved _aws":       func() error { return w.Emit(nil, one, map[string]any{"_aws": 1}) },
	}
	for name, emit := range cases {
		if err := emit(); err == nil {
			t.Errorf("%s: want error", name)
		}
	}
	if buf.Len() != 0 {
		t.Errorf("invalid documents must not be written, got %q", buf.String())
	}
}

func TestNewValidatesNamespace(t *testing.T) {
	if _, err := New(&bytes.Buffer{}, ""); err == nil {
		t.Error("empty namespace: want error")
	}
	if _, err := New(&bytes.Buffer{}, strings.Repeat("n", 256)); err == nil {
		t.Error("256-char namespace: want error")
	}
	if _, err := New(nil, "NS"); err == nil {
		t.Error("nil writer: want error")
	}
}
