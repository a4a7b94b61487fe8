package chat

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Preferences are a person's settings, kept on the server so they follow
// the person to every device (issue #13): how and when they are notified,
// and how the app looks. The JSON names are the protocol's (the state
// event's `preferences` and the `preferences` event).
type Preferences struct {
	Notify     NotifyPrefs           `json:"notify"`
	Appearance Appearance            `json:"appearance"`
	Rooms      map[string]RoomNotify `json:"rooms"`
	// Privacy and Blocked: the person's privacy controls and the user ids
	// they blocked (privacy.go). Blocked is changed only by blockUser and
	// unblockUser, never by setPreferences.
	Privacy Privacy  `json:"privacy"`
	Blocked []string `json:"blocked"`
	// PushKey is the deployment's VAPID public key (base64url, uncompressed
	// P-256), which a client passes to PushManager.subscribe. The service
	// fills it in from its configuration; it is never stored per person.
	PushKey string `json:"pushKey,omitempty"`
}

// NotifyPrefs say how a person is notified.
type NotifyPrefs struct {
	// Previews: a push shows a short preview of the text (the deployment
	// may turn previews off for everyone).
	Previews bool `json:"previews"`
	// Email: a digest of missed DMs and mentions, sent after
	// EmailDelayMinutes without a connection.
	Email             bool `json:"email"`
	EmailDelayMinutes int  `json:"emailDelayMinutes"`
	DND               DND  `json:"dnd"`
}

// DND is a weekly do-not-disturb schedule: from Start to End (local times
// "HH:MM" in TZ) on Days (ISO weekdays, 1 = Monday … 7 = Sunday, the day
// the window starts). A window whose End is not after its Start runs over
// midnight into the next day; Start == End is the whole day.
type DND struct {
	Enabled bool   `json:"enabled"`
	Start   string `json:"start"`
	End     string `json:"end"`
	TZ      string `json:"tz"`
	Days    []int  `json:"days"`
}

// Appearance is how the app looks, on every device.
type Appearance struct {
	Theme  string `json:"theme"`  // system, light, dark
	Accent string `json:"accent"` // #rrggbb
	Layout string `json:"layout"` // compact, bubble
	Lang   string `json:"lang"`   // en, de; "": not chosen, each device uses its browser's
	Sound  bool   `json:"sound"`
}

// NotifyLevel is what a room notifies about.
type NotifyLevel string

const (
	// LevelDefault ("") is the room kind's default: LevelAll for direct
	// rooms, LevelMentions for channels.
	LevelDefault  NotifyLevel = ""
	LevelAll      NotifyLevel = "all"
	LevelMentions NotifyLevel = "mentions"
	LevelNothing  NotifyLevel = "nothing"
)

// RoomNotify is one room's setting. A zero RoomNotify is the default and
// is not stored.
type RoomNotify struct {
	Level     NotifyLevel `json:"level,omitempty"`
	MuteUntil time.Time   `json:"muteUntil,omitzero"`
}

// Limits and enums of the preferences.
var (
	Themes  = []string{"system", "light", "dark"}
	Layouts = []string{"compact", "bubble"}
	Langs   = []string{"en", "de"}
	// MaxEmailDelayMinutes bounds notify.emailDelayMinutes (one day).
	MaxEmailDelayMinutes = 24 * 60
	// MinEmailDelayMinutes: an email for what was missed waits at least
	// this long, so a reconnect in between cancels it.
	MinEmailDelayMinutes = 5
	// MaxMuteAhead bounds a room's muteUntil, except MuteForever.
	MaxMuteAhead = 366 * 24 * time.Hour
	// MuteForever is "muted until I turn it back on".
	MuteForever = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
)

// DefaultAccent is the accent colour of a person who chose none.
const DefaultAccent = "#3b6fd8"

// DefaultPreferences are a new person's settings.
func DefaultPreferences() Preferences {
	return Preferences{
		Notify: NotifyPrefs{
			Previews: true, Email: true, EmailDelayMinutes: 15,
			DND: DND{Start: "22:00", End: "07:00", TZ: "UTC", Days: []int{1, 2, 3, 4, 5, 6, 7}},
		},
		Appearance: Appearance{Theme: "system", Accent: DefaultAccent, Layout: "compact", Lang: "", Sound: true},
		Rooms:      map[string]RoomNotify{},
		Privacy:    Privacy{DMFrom: DMEveryone},
		Blocked:    []string{},
	}
}

var (
	hhmm      = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
	hexColour = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
)

// Validate checks the notify object: an *Error (Invalid) naming the field.
func (n NotifyPrefs) Validate() error {
	if n.EmailDelayMinutes < MinEmailDelayMinutes || n.EmailDelayMinutes > MaxEmailDelayMinutes {
		return Errorf(Invalid, "notify.emailDelayMinutes must be between %d and %d", MinEmailDelayMinutes, MaxEmailDelayMinutes)
	}
	d := n.DND
	if !hhmm.MatchString(d.Start) {
		return Errorf(Invalid, "notify.dnd.start must be a time HH:MM (00:00 to 23:59)")
	}
	if !hhmm.MatchString(d.End) {
		return Errorf(Invalid, "notify.dnd.end must be a time HH:MM (00:00 to 23:59)")
	}
	if d.TZ == "" || len(d.TZ) > 64 || strings.EqualFold(d.TZ, "local") {
		return Errorf(Invalid, "notify.dnd.tz must be an IANA time zone such as Europe/Berlin")
	}
	if _, err := time.LoadLocation(d.TZ); err != nil {
		return Errorf(Invalid, "notify.dnd.tz %q is not a known IANA time zone", d.TZ)
	}
	if len(d.Days) > 7 {
		return Errorf(Invalid, "notify.dnd.days lists each weekday (1 = Monday … 7 = Sunday) at most once")
	}
	seen := map[int]bool{}
	for _, day := range d.Days {
		if day < 1 || day > 7 || seen[day] {
			return Errorf(Invalid, "notify.dnd.days lists each weekday (1 = Monday … 7 = Sunday) at most once")
		}
		seen[day] = true
	}
	return nil
}

// Validate checks the appearance object.
func (a Appearance) Validate() error {
	switch {
	case !slices.Contains(Themes, a.Theme):
		return Errorf(Invalid, "appearance.theme must be one of %s", strings.Join(Themes, ", "))
	case !hexColour.MatchString(a.Accent):
		return Errorf(Invalid, "appearance.accent must look like #rrggbb")
	case !slices.Contains(Layouts, a.Layout):
		return Errorf(Invalid, "appearance.layout must be one of %s", strings.Join(Layouts, ", "))
	case a.Lang != "" && !slices.Contains(Langs, a.Lang):
		return Errorf(Invalid, "appearance.lang must be one of %s, or \"\" (each device its browser's)", strings.Join(Langs, ", "))
	}
	return nil
}

// ValidLevel reports whether l may be set on a room ("" resets it).
func ValidLevel(l NotifyLevel) bool {
	return l == LevelDefault || l == LevelAll || l == LevelMentions || l == LevelNothing
}

// Normalize fills what an older stored item lacks with the defaults and
// sorts the DND days; it never changes what the person set.
func (p Preferences) Normalize() Preferences {
	def := DefaultPreferences()
	if p.Notify.EmailDelayMinutes == 0 {
		p.Notify.EmailDelayMinutes = def.Notify.EmailDelayMinutes
	}
	if p.Notify.DND.Start == "" {
		p.Notify.DND.Start = def.Notify.DND.Start
	}
	if p.Notify.DND.End == "" {
		p.Notify.DND.End = def.Notify.DND.End
	}
	if p.Notify.DND.TZ == "" {
		p.Notify.DND.TZ = def.Notify.DND.TZ
	}
	if p.Notify.DND.Days == nil {
		p.Notify.DND.Days = def.Notify.DND.Days
	}
	p.Notify.DND.Days = slices.Sorted(slices.Values(p.Notify.DND.Days))
	if p.Appearance.Theme == "" {
		p.Appearance.Theme = def.Appearance.Theme
	}
	if p.Appearance.Accent == "" {
		p.Appearance.Accent = def.Appearance.Accent
	}
	p.Appearance.Accent = strings.ToLower(p.Appearance.Accent)
	if p.Appearance.Layout == "" {
		p.Appearance.Layout = def.Appearance.Layout
	}
	if p.Appearance.Lang == "" {
		p.Appearance.Lang = def.Appearance.Lang
	}
	if p.Rooms == nil {
		p.Rooms = map[string]RoomNotify{}
	}
	if p.Privacy.DMFrom == "" {
		p.Privacy.DMFrom = DMEveryone
	}
	if p.Blocked == nil {
		p.Blocked = []string{}
	}
	return p
}

// RoomLevel is what the room notifies about: the person's setting for it,
// else all for direct rooms and mentions for channels.
func (p Preferences) RoomLevel(roomID string, isDM bool) NotifyLevel {
	if r, ok := p.Rooms[roomID]; ok && r.Level != LevelDefault {
		return r.Level
	}
	if isDM {
		return LevelAll
	}
	return LevelMentions
}

// RoomMuted says whether the person muted the room until after t.
func (p Preferences) RoomMuted(roomID string, t time.Time) bool {
	r, ok := p.Rooms[roomID]
	return ok && t.Before(r.MuteUntil)
}

// InDoNotDisturb says whether t falls in the person's do-not-disturb
// schedule. A zone that no longer loads counts as UTC.
func (p Preferences) InDoNotDisturb(t time.Time) bool {
	d := p.Notify.DND
	if !d.Enabled {
		return false
	}
	loc, err := time.LoadLocation(d.TZ)
	if err != nil {
		loc = time.UTC
	}
	start, ok1 := minutesOf(d.Start)
	end, ok2 := minutesOf(d.End)
	if !ok1 || !ok2 {
		return false
	}
	lt := t.In(loc)
	now := lt.Hour()*60 + lt.Minute()
	on := func(day time.Time) bool { return slices.Contains(d.Days, isoWeekday(day)) }
	switch {
	case start == end: // the whole day
		return on(lt)
	case start < end:
		return on(lt) && now >= start && now < end
	default: // over midnight: the evening of a listed day, or the morning after one
		return (now >= start && on(lt)) || (now < end && on(lt.AddDate(0, 0, -1)))
	}
}

func minutesOf(hm string) (int, bool) {
	if !hhmm.MatchString(hm) {
		return 0, false
	}
	return int(hm[0]-'0')*600 + int(hm[1]-'0')*60 + int(hm[3]-'0')*10 + int(hm[4]-'0'), true
}

func isoWeekday(t time.Time) int {
	if wd := int(t.Weekday()); wd != 0 {
		return wd
	}
	return 7
}

// NotifyReason says why a person is notified of a message.
type NotifyReason string

const (
	ReasonDM      NotifyReason = "dm"
	ReasonMention NotifyReason = "mention"
	ReasonAll     NotifyReason = "all"    // the room is set to "all"
	ReasonThread  NotifyReason = "thread" // a reply in a thread the person follows
)

// Recipient is a member of the room a message was sent to, as the
// notification decision sees them.
type Recipient struct {
	UserID      string
	Prefs       Preferences
	Deactivated bool
	// FollowsThread: the message is a reply in a thread the person
	// follows.
	FollowsThread bool
}

// Decision is the outcome for one recipient of one message.
type Decision struct {
	// Notify: the message is worth telling this person about (a badge, a
	// notification); Reason says why. False: nothing at all.
	Notify bool
	Reason NotifyReason
	// Interrupt: a push (and an email) may go out now; false during
	// do-not-disturb, when the message still counts as missed (the digest
	// sends it after the schedule ends).
	Interrupt bool
}

// DecideNotify is the decision table of issue #13: whether recipient r is
// notified of message m in room, at now. Nobody is notified of system
// lines, deleted messages or their own messages, and deactivated people
// are never notified. Otherwise, in this order:
//
//	room level "nothing"                        -> no
//	room muted until after now, not a mention   -> no (a muted room notifies mentions only)
//	direct room                                 -> yes, "dm"
//	r is mentioned                              -> yes, "mention"
//	room level "all"                            -> yes, "all"
//	otherwise (a channel at "mentions")         -> no
//
// Do-not-disturb does not change whom: it turns Interrupt off. (Messages
// have no threads yet; a thread reply would be decided here too.)
func DecideNotify(m Message, room Room, r Recipient, now time.Time) Decision {
	if m.System != nil || m.Deleted || m.SenderID == r.UserID || r.Deactivated || r.UserID == "" {
		return Decision{}
	}
	if r.Prefs.Blocks(m.SenderID) {
		return Decision{} // a blocked person's messages never notify (issue #15)
	}
	// A support conversation notifies its assignee as a direct room does
	// (issue 17).
	isDM := room.Kind == KindDirect || (room.Kind == KindSupport && room.Support != nil && room.Support.AssigneeID == r.UserID)
	mentioned := slices.Contains(m.Mentions, r.UserID)
	level := r.Prefs.RoomLevel(room.ID, isDM)
	var reason NotifyReason
	switch {
	case level == LevelNothing:
		return Decision{}
	case r.Prefs.RoomMuted(room.ID, now) && !mentioned:
		return Decision{}
	case m.ParentSeq > 0 && !m.ToRoom:
		// A reply kept in its thread tells its followers and the
		// mentioned, never the whole room.
		switch {
		case mentioned:
			reason = ReasonMention
		case r.FollowsThread:
			reason = ReasonThread
		default:
			return Decision{}
		}
	case isDM:
		reason = ReasonDM
	case mentioned:
		reason = ReasonMention
	case level == LevelAll:
		reason = ReasonAll
	case m.ParentSeq > 0 && r.FollowsThread:
		reason = ReasonThread // also sent to the room
	default:
		return Decision{}
	}
	return Decision{Notify: true, Reason: reason, Interrupt: !r.Prefs.InDoNotDisturb(now)}
}

// PushSubscription is one device's Web Push subscription (RFC 8030): the
// push service's endpoint and the keys the payload is encrypted to
// (RFC 8291).
type PushSubscription struct {
	UserID    string    `json:"-"`
	Endpoint  string    `json:"endpoint"`
	P256dh    string    `json:"p256dh"` // base64url, 65-byte uncompressed P-256 point
	Auth      string    `json:"auth"`   // base64url, 16 bytes
	Device    string    `json:"device,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
}

// Push subscription limits.
const (
	MaxPushEndpointBytes = 1024
	MaxPushDeviceRunes   = 64
	// MaxPushSubscriptions per person: a new one past it drops the oldest.
	MaxPushSubscriptions = 10
)

// ValidatePushSubscription checks a subscription from a client: an https
// endpoint URL of at most 1 KB and base64url keys of the right lengths.
func ValidatePushSubscription(s PushSubscription) error {
	if len(s.Endpoint) == 0 || len(s.Endpoint) > MaxPushEndpointBytes {
		return Errorf(Invalid, "endpoint must be an https URL of at most %d bytes", MaxPushEndpointBytes)
	}
	u, err := url.Parse(s.Endpoint)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.Fragment != "" {
		return Errorf(Invalid, "endpoint must be an https URL of at most %d bytes", MaxPushEndpointBytes)
	}
	if n, ok := b64urlLen(s.P256dh); !ok || n != 65 || !strings.HasPrefix(mustB64(s.P256dh), "\x04") {
		return Errorf(Invalid, "keys.p256dh must be a base64url uncompressed P-256 public key (65 bytes)")
	}
	if n, ok := b64urlLen(s.Auth); !ok || n != 16 {
		return Errorf(Invalid, "keys.auth must be a base64url 16-byte secret")
	}
	if len([]rune(s.Device)) > MaxPushDeviceRunes {
		return Errorf(Invalid, "device must be at most %d characters", MaxPushDeviceRunes)
	}
	return nil
}

// String hides the keys.
func (s PushSubscription) String() string {
	return fmt.Sprintf("push subscription of %s at %s", s.UserID, s.Endpoint)
}

// DecodeB64URL decodes base64url with or without padding.
func DecodeB64URL(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}

func b64urlLen(s string) (int, bool) {
	b, err := DecodeB64URL(s)
	return len(b), err == nil
}

func mustB64(s string) string {
	b, _ := DecodeB64URL(s)
	return string(b)
}

// Clone copies p deeply (its room map and days).
func (p Preferences) Clone() Preferences {
	p.Notify.DND.Days = slices.Clone(p.Notify.DND.Days)
	rooms := make(map[string]RoomNotify, len(p.Rooms))
	for k, v := range p.Rooms {
		rooms[k] = v
	}
	p.Rooms = rooms
	p.Blocked = slices.Clone(p.Blocked)
	return p
}
