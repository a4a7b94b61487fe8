package export

import (
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
	src := &analyticsSource{days: map[string][]string{"2026-11-30": {"r2", "r1"}, "2026-11-29": {}}}
	var rows []AnalyticsDay
	if err := json.Unmarshal(entryOf(t, writeArchive(t, src), EntryAnalytics), &rows); err != nil {
		t.Fatal(err)
	}
	want := []AnalyticsDay{{Day: "2026-11-29", Rooms: []string{}}, {Day: "2026-11-30", Rooms: []string{"r1", "r2"}}}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("analytics.json %+v, want %+v", rows, want)
	}
	if _, err := writeArchive(t, &fakeSource{}).Open(EntryAnalytics); err == nil {
		t.Error("a source without analytics wrote analytics.json")
	}
}
