package protocol

// Usage analytics (issue 16): the admins' getAnalytics.

const (
	ActionGetAnalytics = "getAnalytics"
	EventAnalytics     = "analytics"
)

// AnalyticsMaxDays is the longest range getAnalytics answers (the
// aggregates are kept 400 days).
const AnalyticsMaxDays = 400

// GetAnalyticsRequest asks for the days from..to (YYYY-MM-DD, UTC,
// inclusive), all rooms or one.
type GetAnalyticsRequest struct {
	From   string `json:"from"`
	To     string `json:"to"`
	RoomID string `json:"roomId,omitempty"`
}

// AnalyticsDay is one day of the series.
type AnalyticsDay struct {
	Day               string  `json:"day"`
	Messages          int64   `json:"messages"`
	ActivePeople      int64   `json:"activePeople"`
	NewMembers        int64   `json:"newMembers"`
	Files             int64   `json:"files"`
	FileBytes         int64   `json:"fileBytes"`
	Connections       int64   `json:"connections"`
	ConnectionMinutes int64   `json:"connectionMinutes"`
	CostUSD           float64 `json:"costUsd"`
}

// AnalyticsPeriod is the distinct active people of an ISO week or a month.
type AnalyticsPeriod struct {
	Period       string `json:"period"`
	ActivePeople int64  `json:"activePeople"`
}

// AnalyticsRoom is one room over the range.
type AnalyticsRoom struct {
	RoomID       string  `json:"roomId"`
	Name         string  `json:"name"`
	Messages     int64   `json:"messages"`
	ActivePeople int64   `json:"activePeople"`
	NewMembers   int64   `json:"newMembers"`
	Files        int64   `json:"files"`
	FileBytes    int64   `json:"fileBytes"`
	CostUSD      float64 `json:"costUsd"`
}

// AnalyticsEvent is getAnalytics's reply.
type AnalyticsEvent struct {
	Head
	From   string            `json:"from"`
	To     string            `json:"to"`
	RoomID string            `json:"roomId,omitempty"`
	Days   []AnalyticsDay    `json:"days"`
	Weeks  []AnalyticsPeriod `json:"weeks"`
	Months []AnalyticsPeriod `json:"months"`
	Rooms  []AnalyticsRoom   `json:"rooms"`
	Totals AnalyticsRoom     `json:"totals"`
	// ConnectionCostUSD is the connection minutes' cost (not per room).
	ConnectionCostUSD float64 `json:"connectionCostUsd"`
}
