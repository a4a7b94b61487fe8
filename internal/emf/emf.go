// Package emf writes CloudWatch Embedded Metric Format (EMF) documents: one
// JSON object per line, which CloudWatch Logs turns into metrics when a
// Lambda function prints it to stdout. Specification:
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
package emf

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"
)

// Limits from the specification.
const (
	maxNameLen    = 255
	maxDimensions = 30
	maxMetrics    = 100
)

// Units CloudWatch accepts (MetricDatum.Unit).
const (
	Count        = "Count"
	Milliseconds = "Milliseconds"
	Bytes        = "Bytes"
	Percent      = "Percent"
	CountPerSec  = "Count/Second"
	None         = "None"
)

var validUnits = map[string]bool{
	"Seconds": true, "Microseconds": true, "Milliseconds": true,
	"Bytes": true, "Kilobytes": true, "Megabytes": true, "Gigabytes": true, "Terabytes": true,
	"Bits": true, "Kilobits": true, "Megabits": true, "Gigabits": true, "Terabits": true,
	"Percent": true, "Count": true,
	"Bytes/Second": true, "Kilobytes/Second": true, "Megabytes/Second": true,
	"Gigabytes/Second": true, "Terabytes/Second": true, "Bits/Second": true,
	"Kilobits/Second": true, "Megabits/Second": true, "Gigabits/Second": true,
	"Terabits/Second": true, "Count/Second": true, "None": true,
}

// Metric is one value to publish.
type Metric struct {
	Name  string
	Unit  string // one of the CloudWatch units; "" means None
	Value float64
}

// Writer emits EMF documents to w. It is safe for concurrent use: each
// document is written with a single Write so lines never interleave.
type Writer struct {
	mu        sync.Mutex
	w         io.Writer
	namespace string
	now       func() time.Time
}

// New returns a Writer publishing under namespace (1 to 255 characters).
func New(w io.Writer, namespace string) (*Writer, error) {
	if w == nil {
		return nil, fmt.Errorf("emf: nil writer")
	}
	if namespace == "" || len(namespace) > maxNameLen {
		return nil, fmt.Errorf("emf: namespace must be 1 to %d characters, got %d", maxNameLen, len(namespace))
	}
	return &Writer{w: w, namespace: namespace, now: time.Now}, nil
}

type metricDefinition struct {
	Name string `json:"Name"`
	Unit string `json:"Unit,omitempty"`
}

type metricDirective struct {
	Namespace  string             `json:"Namespace"`
	Dimensions [][]string         `json:"Dimensions"`
	Metrics    []metricDefinition `json:"Metrics"`
}

type metadata struct {
	Timestamp         int64             `json:"Timestamp"`
	CloudWatchMetrics []metricDirective `json:"CloudWatchMetrics"`
}

// Emit writes one document: the metrics under one dimension set made of
// every key of dimensions (no dimensions is allowed and publishes the
// metrics without any), plus properties as extra searchable fields that
// are not metric dimensions (put request ids and other high-cardinality
// values there, never in dimensions).
func (e *Writer) Emit(dimensions map[string]string, metrics []Metric, properties map[string]any) error {
	if len(metrics) == 0 || len(metrics) > maxMetrics {
		return fmt.Errorf("emf: need 1 to %d metrics, got %d", maxMetrics, len(metrics))
	}
	if len(dimensions) > maxDimensions {
		return fmt.Errorf("emf: at most %d dimensions, got %d", maxDimensions, len(dimensions))
	}
	doc := make(map[string]any, 1+len(dimensions)+len(metrics)+len(properties))
	claim := func(name, what string) error {
		if name == "" || len(name) > maxNameLen {
			return fmt.Errorf("emf: %s name must be 1 to %d characters: %q", what, maxNameLen, name)
		}
		if name == "_aws" {
			return fmt.Errorf("emf: %s name %q is reserved", what, name)
		}
		if _, taken := doc[name]; taken {
			return fmt.Errorf("emf: %s name %q used twice", what, name)
		}
		return nil
	}

	keys := make([]string, 0, len(dimensions))
	for k, v := range dimensions {
		if err := claim(k, "dimension"); err != nil {
			return err
		}
		doc[k] = v
		keys = append(keys, k)
	}
	slices.Sort(keys) // stable output: same dimensions, same document

	defs := make([]metricDefinition, 0, len(metrics))
	for _, m := range metrics {
		if err := claim(m.Name, "metric"); err != nil {
			return err
		}
		if m.Unit != "" && !validUnits[m.Unit] {
			return fmt.Errorf("emf: metric %q has unknown unit %q", m.Name, m.Unit)
		}
		doc[m.Name] = m.Value
		defs = append(defs, metricDefinition{Name: m.Name, Unit: m.Unit})
	}
	for k, v := range properties {
		if err := claim(k, "property"); err != nil {
			return err
		}
		doc[k] = v
	}

	doc["_aws"] = metadata{
		Timestamp: e.now().UnixMilli(),
		CloudWatchMetrics: []metricDirective{{
			Namespace:  e.namespace,
			Dimensions: [][]string{keys}, // one set; an empty set is valid
			Metrics:    defs,
		}},
	}
	line, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("emf: encode: %w", err)
	}
	line = append(line, '\n')

	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.w.Write(line); err != nil {
		return fmt.Errorf("emf: write: %w", err)
	}
	return nil
}
