package analytics

import (
	"testing"
	"time"
)

// Bots and incoming webhooks send and connect; their messages and
// connections count, but they are not active people.
func TestBotsAndWebhooksAreNotActivePeople(t *testing.T) {
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	d := Aggregate([]Fact{
		{Kind: Message, At: at, RoomID: "c_ops", UserID: "ann"},
		{Kind: Message, At: at, RoomID: "c_ops", UserID: "bot_x1"},
		{Kind: Message, At: at, RoomID: "c_ops", UserID: "hook:wh_y2"},
		{Kind: Connected, At: at, UserID: "ann"},
		{Kind: Connected, At: at, UserID: "bot_x1"},
	}, nil)
	if len(d.Rooms) != 1 || d.Rooms[0].Messages != 3 || len(d.Rooms[0].Senders) != 1 || d.Rooms[0].Senders[0] != Pseudonym("ann") {
		t.Fatalf("rooms %+v", d.Rooms)
	}
	if len(d.Days) != 1 || d.Days[0].Connections != 2 || len(d.Days[0].People) != 1 {
		t.Fatalf("days %+v", d.Days)
	}
}
