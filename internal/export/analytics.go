package export

import (
	"archive/zip"
	"context"
	"fmt"
	"sort"
)

// AnalyticsSource is the usage analytics' side of a Source (issue 16):
// the days the person was counted active (a pseudonym of their id in the
// day's sets) and the rooms they sent in on each. A Source without it
// writes no analytics.json.
type AnalyticsSource interface {
	AnalyticsDaysOf(ctx context.Context, userID string) (map[string][]string, error)
}

// AnalyticsDay is one row of analytics.json.
type AnalyticsDay struct {
	Day   string   `json:"day"`
	Rooms []string `json:"rooms"` // the rooms they sent in (empty: connected only)
}

func writeAnalytics(ctx context.Context, zw *zip.Writer, src Source, userID string) error {
	as, ok := src.(AnalyticsSource)
	if !ok {
		return nil
	}
	days, err := as.AnalyticsDaysOf(ctx, userID)
	if err != nil {
		return fmt.Errorf("analytics: %w", err)
	}
	rows := []AnalyticsDay{}
	for d, rooms := range days {
		sort.Strings(rooms)
		rows = append(rows, AnalyticsDay{Day: d, Rooms: rooms})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Day < rows[j].Day })
	return writeJSON(zw, EntryAnalytics, rows)
}
