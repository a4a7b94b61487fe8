package analytics

import (
	"math"
	"sort"
	"time"
)

// Stored is what the table holds for a range of days.
type Stored struct {
	Rooms []RoomDay
	Days  []DayTotal
}

// DayRow is one day of the series.
type DayRow struct {
	Day               string
	Messages          int64
	ActivePeople      int64
	NewMembers        int64
	Files             int64
	FileBytes         int64
	Connections       int64
	ConnectionMinutes int64
	CostUSD           float64
}

// PeriodRow is the distinct active people of an ISO week or a month (the
// part of it inside the range).
type PeriodRow struct {
	Period       string
	ActivePeople int64
}

// RoomRow is one room over the whole range.
type RoomRow struct {
	RoomID       string
	Messages     int64
	ActivePeople int64
	NewMembers   int64
	Files        int64
	FileBytes    int64
	CostUSD      float64
}

// Report is the series of a range of days.
type Report struct {
	From, To string
	Days     []DayRow // every day of the range, zero when nothing happened
	Weeks    []PeriodRow
	Months   []PeriodRow
	Rooms    []RoomRow // by messages, most first
	Totals   RoomRow   // RoomID empty; ActivePeople distinct over the range
	// ConnectionCostUSD is the connection minutes' cost (not per room).
	ConnectionCostUSD float64
}

// Build makes the report of days from..to (inclusive, YYYY-MM-DD) from the
// stored aggregates. With roomID set, only that room counts (its senders
// are the active people; connections are not per room and stay out).
func Build(from, to, roomID string, st Stored) Report {
	rep := Report{From: from, To: to}
	byDay := map[string]*DayRow{}
	daySets := map[string]map[string]bool{}
	start, err1 := time.Parse(time.DateOnly, from)
	end, err2 := time.Parse(time.DateOnly, to)
	if err1 != nil || err2 != nil || end.Before(start) {
		return rep
	}
	for t := start; !t.After(end); t = t.AddDate(0, 0, 1) {
		d := Day(t)
		rep.Days = append(rep.Days, DayRow{Day: d})
		daySets[d] = map[string]bool{}
	}
	for i := range rep.Days {
		byDay[rep.Days[i].Day] = &rep.Days[i]
	}
	rooms := map[string]*RoomRow{}
	roomSets := map[string]map[string]bool{}
	for _, r := range st.Rooms {
		row := byDay[r.Day]
		if row == nil || (roomID != "" && r.RoomID != roomID) {
			continue
		}
		row.Messages += r.Messages
		row.NewMembers += r.Members
		row.Files += r.Files
		row.FileBytes += r.FileBytes
		row.CostUSD += r.Cost()
		rr := rooms[r.RoomID]
		if rr == nil {
			rr = &RoomRow{RoomID: r.RoomID}
			rooms[r.RoomID], roomSets[r.RoomID] = rr, map[string]bool{}
		}
		rr.Messages += r.Messages
		rr.NewMembers += r.Members
		rr.Files += r.Files
		rr.FileBytes += r.FileBytes
		rr.CostUSD += r.Cost()
		for _, p := range r.Senders {
			roomSets[r.RoomID][p] = true
			daySets[r.Day][p] = true
		}
	}
	if roomID == "" {
		for _, t := range st.Days {
			row := byDay[t.Day]
			if row == nil {
				continue
			}
			row.Connections += t.Connections
			row.ConnectionMinutes += int64(math.Round(float64(t.ConnSeconds) / 60))
			for _, p := range t.People {
				daySets[t.Day][p] = true
			}
		}
	}
	weeks, months := map[string]map[string]bool{}, map[string]map[string]bool{}
	all := map[string]bool{}
	var weekOrder, monthOrder []string
	for i := range rep.Days {
		row := &rep.Days[i]
		set := daySets[row.Day]
		row.ActivePeople = int64(len(set))
		w, m := Week(row.Day), row.Day[:7]
		if weeks[w] == nil {
			weeks[w] = map[string]bool{}
			weekOrder = append(weekOrder, w)
		}
		if months[m] == nil {
			months[m] = map[string]bool{}
			monthOrder = append(monthOrder, m)
		}
		for p := range set {
			weeks[w][p], months[m][p], all[p] = true, true, true
		}
		rep.Totals.Messages += row.Messages
		rep.Totals.NewMembers += row.NewMembers
		rep.Totals.Files += row.Files
		rep.Totals.FileBytes += row.FileBytes
		rep.Totals.CostUSD += row.CostUSD
		rep.ConnectionCostUSD += float64(row.ConnectionMinutes) * USDPerConnMinute
	}
	rep.Totals.ActivePeople = int64(len(all))
	for _, w := range weekOrder {
		rep.Weeks = append(rep.Weeks, PeriodRow{Period: w, ActivePeople: int64(len(weeks[w]))})
	}
	for _, m := range monthOrder {
		rep.Months = append(rep.Months, PeriodRow{Period: m, ActivePeople: int64(len(months[m]))})
	}
	for id, rr := range rooms {
		rr.ActivePeople = int64(len(roomSets[id]))
		rep.Rooms = append(rep.Rooms, *rr)
	}
	sort.Slice(rep.Rooms, func(i, j int) bool {
		if rep.Rooms[i].Messages != rep.Rooms[j].Messages {
			return rep.Rooms[i].Messages > rep.Rooms[j].Messages
		}
		return rep.Rooms[i].RoomID < rep.Rooms[j].RoomID
	})
	return rep
}
