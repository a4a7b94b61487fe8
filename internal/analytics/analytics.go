// Package analytics keeps the daily usage aggregates (issue 16): a
// consumer of the table's stream (Consumer, after every event consumer of
// internal/stream) turns message, membership and connection records into
// per-room and per-day counters in the one table, and Build turns the
// stored days into the series the admin dashboard, the CSV and the
// getAnalytics action show.
//
// What is counted: messages per room and day (not system lines), new
// members, files and their bytes, connections and their minutes, the
// estimated AWS cost per room (from the units a send meters and the API
// Gateway messages of its fan-out), and active people: the distinct
// senders and connectors of a day, week or month, counted EXACTLY as the
// union of per-day sets of pseudonyms (Pseudonym: 48 bits of a SHA-256 of
// the user id, never the id itself). No aggregate holds message text.
package analytics

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Kind is the kind of activity a stream record shows.
type Kind int

const (
	// Message is a stored message (not a system line).
	Message Kind = iota + 1
	// Joined is a new membership.
	Joined
	// Connected is a new WebSocket connection.
	Connected
	// Disconnected is a connection's end (its item removed).
	Disconnected
)

// Fact is what one stream record adds to the aggregates.
type Fact struct {
	Kind   Kind
	At     time.Time // when it happened (UTC): its day is the day counted
	RoomID string    // Message, Joined
	UserID string    // the sender, member or connector
	// Message: its attachments and the stored item's size (the units its
	// write metered).
	Files     int
	FileBytes int64
	ItemBytes int
	// Disconnected: how long the connection was open.
	Duration time.Duration
}

// TTL is how long an aggregate is kept.
const TTL = 400 * 24 * time.Hour

// Day is the UTC calendar day of t, as the aggregates key it.
func Day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// Week is the ISO week of a day ("2026-W48").
func Week(day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return ""
	}
	y, w := t.ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// Pseudonym is the non-reversible stand-in of a user id in the active
// sets: 12 hex digits (48 bits) of SHA-256 over a fixed prefix and the id.
// Collisions are negligible at chat sizes (one in 10^8 for 2,000 people in
// a day). It is pseudonymous (anyone holding the id can compute it), so
// export lists the days a person was counted and erasure removes their
// pseudonym (internal/erasure).
func Pseudonym(userID string) string {
	sum := sha256.Sum256([]byte("backchannel/analytics/v1\x00" + userID))
	return hex.EncodeToString(sum[:6])
}

// RoomDay is one room's aggregate of one day, as stored (and as a batch's
// increment of it).
type RoomDay struct {
	Day       string
	RoomID    string
	Messages  int64
	Files     int64
	FileBytes int64
	Members   int64 // new members
	// Estimated cost drivers of the room's messages.
	WriteUnits  int64 // WCU at real (on-demand) pricing
	ReadUnits2  int64 // RCU × 2 (half units are common)
	APIMessages int64 // API Gateway messages: the send plus its fan-out
	Senders     []string
}

// DayTotal is the room-independent aggregate of one day.
type DayTotal struct {
	Day         string
	Connections int64
	ConnSeconds int64
	People      []string // pseudonyms of connectors (senders are in the rooms' sets)
}

// Delta is what a run of records adds.
type Delta struct {
	Rooms []RoomDay
	Days  []DayTotal
}

// Empty reports whether the delta changes nothing.
func (d Delta) Empty() bool { return len(d.Rooms) == 0 && len(d.Days) == 0 }

// Items is how many table items the delta updates.
func (d Delta) Items() int { return len(d.Rooms) + len(d.Days) }

// Cost model: what a send meters, measured by the send benchmark
// (docs/ARCHITECTURE.md, "After moderation and the sharded index"): 3
// writes besides the message item (rate window, counter, client-id claim)
// and 7.5 RCU of reads; the message item meters one WCU per KB.
const (
	sendOtherWriteUnits = 3
	sendReadUnits2      = 15 // 7.5 RCU
)

// RoomSizer says how many members a room has (the fan-out's recipients;
// each is counted as one connection).
type RoomSizer func(roomID string) int64

// Aggregate sums facts into a delta. size may be nil (no fan-out
// estimate).
func Aggregate(facts []Fact, size RoomSizer) Delta {
	rooms := map[[2]string]*RoomDay{}
	days := map[string]*DayTotal{}
	room := func(day, id string) *RoomDay {
		k := [2]string{day, id}
		if rooms[k] == nil {
			rooms[k] = &RoomDay{Day: day, RoomID: id}
		}
		return rooms[k]
	}
	total := func(day string) *DayTotal {
		if days[day] == nil {
			days[day] = &DayTotal{Day: day}
		}
		return days[day]
	}
	for _, f := range facts {
		day := Day(f.At)
		switch f.Kind {
		case Message:
			r := room(day, f.RoomID)
			r.Messages++
			r.Files += int64(f.Files)
			r.FileBytes += f.FileBytes
			r.WriteUnits += sendOtherWriteUnits + int64(max(1, (f.ItemBytes+1023)/1024))
			r.ReadUnits2 += sendReadUnits2
			r.APIMessages++ // the send itself
			if size != nil {
				r.APIMessages += size(f.RoomID)
			}
			// The day's people are the union of its rooms' senders and its
			// connectors (Build): the total item is not written per message.
			if isPerson(f.UserID) {
				r.Senders = addSet(r.Senders, Pseudonym(f.UserID))
			}
		case Joined:
			room(day, f.RoomID).Members++
		case Connected:
			t := total(day)
			t.Connections++
			if isPerson(f.UserID) {
				t.People = addSet(t.People, Pseudonym(f.UserID))
			}
		case Disconnected:
			total(day).ConnSeconds += int64(f.Duration / time.Second)
		}
	}
	var d Delta
	for _, r := range rooms {
		d.Rooms = append(d.Rooms, *r)
	}
	for _, t := range days {
		d.Days = append(d.Days, *t)
	}
	sort.Slice(d.Rooms, func(i, j int) bool {
		if d.Rooms[i].Day != d.Rooms[j].Day {
			return d.Rooms[i].Day < d.Rooms[j].Day
		}
		return d.Rooms[i].RoomID < d.Rooms[j].RoomID
	})
	sort.Slice(d.Days, func(i, j int) bool { return d.Days[i].Day < d.Days[j].Day })
	return d
}

// isPerson: bots (bot_…) and incoming webhooks (hook:…) send and connect
// but are not people; their messages count, they are not active people.
func isPerson(userID string) bool {
	return !chat.IsBotID(userID) && !strings.HasPrefix(userID, chat.WebhookSenderPrefix)
}

func addSet(s []string, v string) []string {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

// Prices (us-east-1 list prices, November 2026, the ones docs/ARCHITECTURE.md
// uses): DynamoDB on demand, API Gateway WebSocket messages (first billion)
// and connection minutes, S3 PUT requests.
const (
	USDPerWriteUnit  = 0.625 / 1e6
	USDPerReadUnit   = 0.125 / 1e6
	USDPerAPIMessage = 1.00 / 1e6
	USDPerConnMinute = 0.25 / 1e6
	USDPerS3Put      = 0.005 / 1000
)

// Cost is the estimated cost of a room-day's activity in USD.
func (r RoomDay) Cost() float64 {
	return float64(r.WriteUnits)*USDPerWriteUnit + float64(r.ReadUnits2)/2*USDPerReadUnit +
		float64(r.APIMessages)*USDPerAPIMessage + float64(r.Files)*USDPerS3Put
}
