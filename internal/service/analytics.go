package service

import (
	"context"
	"time"

	"github.com/backchannel-chat/backchannel/internal/analytics"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// analyticsStore is the store's side of usage analytics (internal/dynamo
// implements it; a store without it answers unavailable).
type analyticsStore interface {
	AnalyticsRange(ctx context.Context, from, to string) (analytics.Stored, error)
}

// GetAnalytics is the usage series of days from..to (admins).
func (s *Chat) GetAnalytics(ctx context.Context, c chat.Connection, r protocol.GetAnalyticsRequest) (protocol.AnalyticsEvent, error) {
	if err := chat.Authorize(chat.ActGetAnalytics, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.AnalyticsEvent{}, err
	}
	from, err1 := time.Parse(time.DateOnly, r.From)
	to, err2 := time.Parse(time.DateOnly, r.To)
	switch {
	case err1 != nil || err2 != nil:
		return protocol.AnalyticsEvent{}, chat.Errorf(chat.Invalid, "from and to must be days (YYYY-MM-DD)")
	case to.Before(from):
		return protocol.AnalyticsEvent{}, chat.Errorf(chat.Invalid, "to is before from")
	case to.Sub(from) >= protocol.AnalyticsMaxDays*24*time.Hour:
		return protocol.AnalyticsEvent{}, chat.Errorf(chat.Invalid, "at most %d days", protocol.AnalyticsMaxDays)
	}
	if r.RoomID != "" {
		if err := checkRoomID(r.RoomID); err != nil {
			return protocol.AnalyticsEvent{}, err
		}
	}
	var stored analytics.Stored
	if st, ok := s.store.(analyticsStore); ok { // a store that keeps none answers zeros
		var err error
		if stored, err = st.AnalyticsRange(ctx, r.From, r.To); err != nil {
			return protocol.AnalyticsEvent{}, storeErr(err, "analytics")
		}
	}
	rep := analytics.Build(r.From, r.To, r.RoomID, stored)
	ev := protocol.AnalyticsEvent{
		Head: protocol.Head{Type: protocol.EventAnalytics}, From: r.From, To: r.To, RoomID: r.RoomID,
		Days: []protocol.AnalyticsDay{}, Weeks: []protocol.AnalyticsPeriod{}, Months: []protocol.AnalyticsPeriod{},
		Rooms: []protocol.AnalyticsRoom{}, ConnectionCostUSD: rep.ConnectionCostUSD,
		Totals: analyticsRoom(rep.Totals),
	}
	for _, d := range rep.Days {
		ev.Days = append(ev.Days, protocol.AnalyticsDay(d))
	}
	for _, p := range rep.Weeks {
		ev.Weeks = append(ev.Weeks, protocol.AnalyticsPeriod(p))
	}
	for _, p := range rep.Months {
		ev.Months = append(ev.Months, protocol.AnalyticsPeriod(p))
	}
	for _, rr := range rep.Rooms {
		row := analyticsRoom(rr)
		if room, err := s.store.GetRoom(ctx, rr.RoomID); err == nil {
			row.Name = room.Name
		}
		ev.Rooms = append(ev.Rooms, row)
	}
	return ev, nil
}

func analyticsRoom(r analytics.RoomRow) protocol.AnalyticsRoom {
	return protocol.AnalyticsRoom{RoomID: r.RoomID, Messages: r.Messages, ActivePeople: r.ActivePeople,
		NewMembers: r.NewMembers, Files: r.Files, FileBytes: r.FileBytes, CostUSD: r.CostUSD}
}

// analyticsEraser removes a person's pseudonym from the aggregates.
type analyticsEraser interface {
	EraseAnalyticsPerson(ctx context.Context, userID string) (int, error)
}

// eraseAnalytics is erasure's step for usage analytics: the person's
// pseudonym leaves every day's sets (the counts stay).
func (s *Chat) eraseAnalytics(ctx context.Context, userID string) error {
	e, ok := s.store.(analyticsEraser)
	if !ok {
		return nil
	}
	if _, err := e.EraseAnalyticsPerson(ctx, userID); err != nil {
		return storeErr(err, "erase analytics")
	}
	return nil
}
