package export

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"testing"
)

// analyticsSource is a fakeSource that also keeps usage analytics.
type analyticsSource struct {
	fakeSource
	days map[string][]string
}

func (a *analyticsSource) AnalyticsDaysOf(context.Context, string) (map[string][]string, error) {
	return a.days, nil
}

// TestAnalyticsEntry: analytics.json lists the days and rooms, sorted;
// a source without analytics writes no entry.
func TestAnalyticsEntry(t *testing.T) {
	write := func(src Source) *zip.Reader {
		var buf bytes.Buffer
		if _, err := (&Writer{Source: src, Files: noFiles{}, TempDir: t.TempDir()}).Write(context.Background(), "u1", &buf); err != nil {
			t.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		return zr
	}
	src := &analyticsSource{days: map[string][]string{"2026-11-30": {"r2", "r1"}, "2026-11-29": {}}}
	f, err := write(src).Open(EntryAnalytics)
	if err != nil {
		t.Fatal(err)
	}
	var rows []AnalyticsDay
	if err := json.NewDecoder(f).Decode(&rows); err != nil {
		t.Fatal(err)
	}
	want := []AnalyticsDay{{Day: "2026-11-29", Rooms: []string{}}, {Day: "2026-11-30", Rooms: []string{"r1", "r2"}}}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("analytics.json %+v, want %+v", rows, want)
	}
	if _, err := write(&fakeSource{}).Open(EntryAnalytics); err == nil {
		t.Error("a source without analytics wrote analytics.json")
	}
}
