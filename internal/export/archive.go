// Package export writes a person's data export (issue 15, "Export my
// data"): one zip archive of JSON files and the person's files themselves,
// written by the export worker (functions/export) from a job on the export
// queue, uploaded to the files bucket under exports/<userId>/<id>.zip.
//
// What goes in (README.txt in the archive says the same to the person):
//
//	profile.json       the profile (+ the email address when the worker can read it), memberships
//	rooms.json         every room they are in: id, name, kind, role, joined, read position; and
//	                   the rooms they have left (left: true, leftAt)
//	messages.json      every message they sent, in each of those rooms, with its room (id + name),
//	                   time, edits (earlier texts and when), thread parent, attachments, GIF, poll
//	reactions.json     their reactions: room, message seq, emoji
//	poll_votes.json    their votes: room, message seq, question, the options they chose
//	files.json         their files: name, type, size, room, message, path in the archive
//	files/...          the files' bytes (files/<roomId>/<fileId>-<name>; the avatar as files/avatar-<name>)
//	preferences.json   notification, appearance and per-room preferences
//	saved.json         saved messages (room, seq, when: references only)
//	scheduled.json     scheduled messages and reminders
//	threads.json       followed threads
//	devices.json       Web Push subscriptions (device label, created, push service host)
//	terms.json         the terms they accepted: version and when (accepted: false if never)
//	bots.json          the bot accounts they created (bots.go): id, name, when; no tokens
//	support.json       customer support (support.go): a visitor's conversations as it sees them;
//	                   an agent's teams, availability and the canned answers they wrote
//	analytics.json     the days usage analytics counted them active, and the rooms they sent in
//	webhooks.json      the incoming webhooks they created: room, name, picture, created/rotated/revoked
//	integrations.json  slash commands and outgoing webhooks they registered (never the secrets)
//	reports.json       the reports they filed: room, message seq, reason, when, the outcome
//	                   (not the reported message's text nor who resolved it: others' data)
//	audit.json         audit log entries about them or by them: when, action, room, reason;
//	                   other people's ids replaced by "other", details naming others left out
//	encryption.json    end-to-end encryption (e2ee.go): identity key, devices, the key backup
//	                   (sealed), backed-up room keys (sealed); not the proof's hash
//
// Messages others sent are not included, in direct rooms neither: they are
// the other people's data (they stay readable in the app). What the person
// did to others' messages (reactions, votes, saves) is included as
// references (room, seq) without the others' text.
//
// Nothing is held in memory as a whole: rooms are read a page at a time
// (RoomMessagesAfter, PageSize messages), each JSON list is streamed to its
// own temporary file, each file streamed from S3 into the zip, and the zip
// itself is a temporary file uploaded from disk.
package export

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// PageSize is how many messages one read of a room returns.
const PageSize = 100

// Source is what the archive reads of the chat (internal/dynamo.Store).
type Source interface {
	GetProfile(ctx context.Context, userID string) (chat.Profile, error)
	GetProfiles(ctx context.Context, userIDs []string) ([]chat.Profile, error)
	UserRooms(ctx context.Context, userID string) ([]chat.Member, error)
	GetRoom(ctx context.Context, roomID string) (chat.Room, error)
	RoomMessagesAfter(ctx context.Context, roomID string, after int64, limit int) ([]chat.Message, bool, error)
	MessageVersions(ctx context.Context, roomID string, seq int64) ([]chat.MessageVersion, error)
	GetPreferences(ctx context.Context, userID string) (chat.Preferences, error)
	ListSaved(ctx context.Context, userID, cursor string, limit int) ([]chat.SavedItem, string, error)
	ListScheduled(ctx context.Context, userID string) ([]chat.ScheduledItem, error)
	PushSubscriptions(ctx context.Context, userID string) ([]chat.PushSubscription, error)
	FollowedThreads(ctx context.Context, userID string) ([]chat.ThreadFollow, error)
	LeftRooms(ctx context.Context, userID string) ([]chat.LeftRoom, error)
	TermsAcceptance(ctx context.Context, userID string) (chat.TermsAcceptance, error)
	// RoomReports and ListAudit: the reports the person filed (in their
	// rooms, current and left) and the audit entries about or by them.
	RoomReports(ctx context.Context, roomID string) ([]chat.Report, error)
	ListAudit(ctx context.Context, cursor string, limit int) ([]chat.AuditEntry, string, error)
}

// Files reads the person's files (internal/s3blob.Store).
type Files interface {
	Open(ctx context.Context, key string) (io.ReadCloser, chat.BlobInfo, error)
}

// Stats is what an archive holds.
type Stats struct {
	Messages, Files int
}

// Entry names in the archive.
const (
	EntryReadme      = "README.txt"
	EntryProfile     = "profile.json"
	EntryRooms       = "rooms.json"
	EntryMessages    = "messages.json"
	EntryReactions   = "reactions.json"
	EntryVotes       = "poll_votes.json"
	EntryFiles       = "files.json"
	EntryPreferences = "preferences.json"
	EntrySaved       = "saved.json"
	EntryScheduled   = "scheduled.json"
	EntryThreads     = "threads.json"
	EntryDevices     = "devices.json"
	EntryTerms       = "terms.json"
	EntryAnalytics   = "analytics.json"
	// EntryIntegrations lists the slash commands and outgoing webhooks
	// the person registered (chat.Integration without its secret).
	EntryIntegrations = "integrations.json"
	EntryReports      = "reports.json"
	EntryAudit        = "audit.json"
	FilesDir          = "files/"
)

// Profile is profile.json.
type Profile struct {
	chat.Profile
	Email      string    `json:"email,omitempty"`
	ExportedAt time.Time `json:"exportedAt"`
}

// Room is one row of rooms.json: a room the person is in, or one they
// have left (Left; no role, joined or read position then).
type Room struct {
	RoomID string        `json:"roomId"`
	Name   string        `json:"name"`
	Kind   chat.RoomKind `json:"kind"`
	// Encrypted: an end-to-end encrypted room (its messages are ciphertext).
	Encrypted bool      `json:"encrypted,omitempty"`
	Role      chat.Role `json:"role,omitempty"`
	JoinedAt  time.Time `json:"joinedAt,omitzero"`
	ReadSeq   int64     `json:"readSeq,omitempty"`
	Left      bool      `json:"left,omitempty"`
	LeftAt    time.Time `json:"leftAt,omitzero"`
}

// Terms is terms.json: the version of the terms the person last accepted
// and when.
type Terms struct {
	Accepted   bool      `json:"accepted"`
	Version    string    `json:"version,omitempty"`
	AcceptedAt time.Time `json:"acceptedAt,omitzero"`
}

// Message is one row of messages.json: a message the person sent.
type Message struct {
	RoomID    string    `json:"roomId"`
	RoomName  string    `json:"roomName"`
	Seq       int64     `json:"seq"`
	CreatedAt time.Time `json:"createdAt"`
	EditedAt  time.Time `json:"editedAt,omitzero"`
	Text      string    `json:"text,omitempty"`
	// Encrypted is the ciphertext of a message of an end-to-end encrypted
	// room, as stored: the server cannot decrypt it (the person's devices
	// and key backup can; docs/E2EE.md).
	Encrypted   *chat.EncryptedContent `json:"encrypted,omitempty"`
	ParentSeq   int64                  `json:"parentSeq,omitempty"`
	ToRoom      bool                   `json:"toRoom,omitempty"`
	Deleted     bool                   `json:"deleted,omitempty"`
	Attachments []FileRef              `json:"attachments,omitempty"`
	Gif         *chat.Gif              `json:"gif,omitempty"`
	Poll        *PollSummary           `json:"poll,omitempty"`
	// Edits are the earlier texts, oldest first, each with since when it
	// was the text.
	Edits []chat.MessageVersion `json:"edits,omitempty"`
}

// PollSummary is a poll the person created.
type PollSummary struct {
	Question string    `json:"question"`
	Options  []string  `json:"options"`
	ClosedAt time.Time `json:"closedAt,omitzero"`
}

// FileRef is an attachment of theirs: metadata and where its bytes are.
type FileRef struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Size int64  `json:"size"`
	Path string `json:"path"`
}

// File is one row of files.json.
type File struct {
	FileRef
	RoomID string `json:"roomId,omitempty"`
	Seq    int64  `json:"seq,omitempty"`
	Avatar bool   `json:"avatar,omitempty"`
}

// Reaction is one row of reactions.json.
type Reaction struct {
	RoomID string `json:"roomId"`
	Seq    int64  `json:"seq"`
	Emoji  string `json:"emoji"`
}

// Vote is one row of poll_votes.json.
type Vote struct {
	RoomID   string   `json:"roomId"`
	Seq      int64    `json:"seq"`
	Question string   `json:"question"`
	Chosen   []string `json:"chosen"`
}

// Device is one row of devices.json.
type Device struct {
	Device       string    `json:"device,omitempty"`
	CreatedAt    time.Time `json:"createdAt"`
	EndpointHost string    `json:"endpointHost"`
}

// Writer builds one person's archive.
type Writer struct {
	Source Source
	Files  Files
	// Email, if set, finds the person's address for profile.json.
	Email func(ctx context.Context, userID string) (string, error)
	// TempDir holds the spooled lists ("" is os.TempDir()).
	TempDir string
	Now     func() time.Time
}

// list streams a JSON array to a temporary file.
type list struct {
	f *os.File
	n int
}

func (w *Writer) newList(dir, name string) (*list, error) {
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	if _, err := f.WriteString("["); err != nil {
		return nil, err
	}
	return &list{f: f}, nil
}

func (l *list) add(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	sep := ",\n  "
	if l.n == 0 {
		sep = "\n  "
	}
	l.n++
	if _, err := l.f.WriteString(sep); err != nil {
		return err
	}
	_, err = l.f.Write(b)
	return err
}

// copyTo ends the array and copies it into the zip as name.
func (l *list) copyTo(zw *zip.Writer, name string) error {
	end := "\n]\n"
	if l.n == 0 {
		end = "]\n"
	}
	if _, err := l.f.WriteString(end); err != nil {
		return err
	}
	if _, err := l.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	dst, err := zw.Create(name)
	if err != nil {
		return err
	}
	_, err = io.Copy(dst, l.f)
	return err
}

func writeJSON(zw *zip.Writer, name string, v any) error {
	dst, err := zw.Create(name)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(dst)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// Write writes userID's archive to out.
func (w *Writer) Write(ctx context.Context, userID string, out io.Writer) (Stats, error) {
	var st Stats
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	dir, err := os.MkdirTemp(w.TempDir, "export-")
	if err != nil {
		return st, err
	}
	defer os.RemoveAll(dir)

	src := w.Source
	profile, err := src.GetProfile(ctx, userID)
	if err != nil {
		return st, fmt.Errorf("profile: %w", err)
	}
	zw := zip.NewWriter(out)
	lists := map[string]*list{}
	for _, name := range []string{EntryMessages, EntryReactions, EntryVotes, EntryFiles} {
		l, err := w.newList(dir, name)
		if err != nil {
			return st, err
		}
		defer l.f.Close()
		lists[name] = l
	}
	if err := w.writeReadme(zw, profile, now()); err != nil {
		return st, err
	}
	p := Profile{Profile: profile, ExportedAt: now().UTC()}
	p.Online = false
	if w.Email != nil {
		if email, err := w.Email(ctx, userID); err == nil {
			p.Email = email
		}
	}
	if err := writeJSON(zw, EntryProfile, p); err != nil {
		return st, err
	}
	if profile.AvatarKey != "" {
		name := FilesDir + "avatar-" + safeName(path.Base(profile.AvatarKey))
		size, ctype, err := w.copyFile(ctx, zw, profile.AvatarKey, name)
		if err != nil && chat.ErrorCode(err) != chat.NotFound {
			return st, fmt.Errorf("avatar: %w", err)
		}
		if err == nil {
			st.Files++
			if err := lists[EntryFiles].add(File{FileRef: FileRef{Name: path.Base(profile.AvatarKey), Type: ctype, Size: size, Path: name}, Avatar: true}); err != nil {
				return st, err
			}
		}
	}

	members, err := src.UserRooms(ctx, userID)
	if err != nil {
		return st, fmt.Errorf("rooms: %w", err)
	}
	slices.SortFunc(members, func(a, b chat.Member) int { return strings.Compare(a.RoomID, b.RoomID) })
	var rooms []Room
	in := map[string]bool{}
	for _, m := range members {
		in[m.RoomID] = true
		room, err := src.GetRoom(ctx, m.RoomID)
		if chat.ErrorCode(err) == chat.NotFound {
			continue // deleted meanwhile
		}
		if err != nil {
			return st, fmt.Errorf("room %s: %w", m.RoomID, err)
		}
		name := w.roomName(ctx, room, userID)
		rooms = append(rooms, Room{RoomID: room.ID, Name: name, Kind: room.Kind, Encrypted: room.Encrypted, Role: m.Role, JoinedAt: m.JoinedAt, ReadSeq: m.ReadSeq})
		if err := w.room(ctx, zw, room.ID, name, userID, lists, &st); err != nil {
			return st, err
		}
	}
	// The rooms they have left (the store's markers): their own messages
	// there, listed as left. A room they are in again is listed once, above.
	left, err := src.LeftRooms(ctx, userID)
	if err != nil {
		return st, fmt.Errorf("left rooms: %w", err)
	}
	slices.SortFunc(left, func(a, b chat.LeftRoom) int { return strings.Compare(a.RoomID, b.RoomID) })
	for _, l := range left {
		if in[l.RoomID] {
			continue
		}
		in[l.RoomID] = true
		room, err := src.GetRoom(ctx, l.RoomID)
		if chat.ErrorCode(err) == chat.NotFound {
			continue // deleted, its messages with it
		}
		if err != nil {
			return st, fmt.Errorf("left room %s: %w", l.RoomID, err)
		}
		name := w.roomName(ctx, room, userID)
		rooms = append(rooms, Room{RoomID: room.ID, Name: name, Kind: room.Kind, Encrypted: room.Encrypted, Left: true, LeftAt: l.LeftAt})
		if err := w.room(ctx, zw, room.ID, name, userID, lists, &st); err != nil {
			return st, err
		}
	}
	if rooms == nil {
		rooms = []Room{}
	}
	if err := writeJSON(zw, EntryRooms, rooms); err != nil {
		return st, err
	}
	if err := w.webhooks(ctx, zw, userID, rooms); err != nil { // webhooks.go
		return st, err
	}
	for _, name := range []string{EntryMessages, EntryReactions, EntryVotes, EntryFiles} {
		if err := lists[name].copyTo(zw, name); err != nil {
			return st, err
		}
	}
	if err := w.small(ctx, zw, userID); err != nil {
		return st, err
	}
	if err := w.bots(ctx, zw, userID); err != nil { // bots.go
		return st, err
	}
	if err := w.support(ctx, zw, userID); err != nil { // support.go
		return st, err
	}
	if err := w.encryption(ctx, zw, userID); err != nil { // e2ee.go
		return st, err
	}
	ids := make([]string, 0, len(in))
	for id := range in {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	if err := w.reportsAndAudit(ctx, zw, userID, ids); err != nil { // moderation.go
		return st, err
	}
	return st, zw.Close()
}

// roomName is a channel's name, or for a direct room who it is with.
func (w *Writer) roomName(ctx context.Context, room chat.Room, userID string) string {
	if room.Kind != chat.KindDirect {
		return room.Name
	}
	others := slices.DeleteFunc(slices.Clone(room.MemberIDs), func(id string) bool { return id == userID })
	if len(others) == 0 {
		return "Direct message (just you)"
	}
	ps, err := w.Source.GetProfiles(ctx, others)
	names := make([]string, 0, len(ps))
	if err == nil {
		for _, p := range ps {
			names = append(names, p.DisplayName)
		}
	}
	slices.Sort(names)
	if len(names) == 0 {
		return "Direct message"
	}
	return "Direct message with " + strings.Join(names, ", ")
}

// room pages through one room's messages: the person's own messages (with
// their edits and files), their reactions and votes on any.
func (w *Writer) room(ctx context.Context, zw *zip.Writer, roomID, roomName, userID string, lists map[string]*list, st *Stats) error {
	var after int64
	for {
		page, more, err := w.Source.RoomMessagesAfter(ctx, roomID, after, PageSize)
		if err != nil {
			return fmt.Errorf("messages of %s: %w", roomID, err)
		}
		for _, m := range page {
			after = m.Seq
			if err := w.reactionsAndVotes(m, userID, lists); err != nil {
				return err
			}
			if m.SenderID != userID || m.System != nil {
				continue
			}
			if err := w.message(ctx, zw, m, roomName, lists, st); err != nil {
				return err
			}
		}
		if !more || len(page) == 0 {
			return nil
		}
	}
}

func (w *Writer) reactionsAndVotes(m chat.Message, userID string, lists map[string]*list) error {
	for _, r := range m.Reactions {
		if slices.Contains(r.UserIDs, userID) {
			if err := lists[EntryReactions].add(Reaction{RoomID: m.RoomID, Seq: m.Seq, Emoji: r.Emoji}); err != nil {
				return err
			}
		}
	}
	if m.Poll != nil {
		if chosen, ok := m.Poll.Votes[userID]; ok {
			v := Vote{RoomID: m.RoomID, Seq: m.Seq, Question: m.Poll.Question, Chosen: []string{}}
			for _, i := range chosen {
				if i >= 0 && i < len(m.Poll.Options) {
					v.Chosen = append(v.Chosen, m.Poll.Options[i].Text)
				}
			}
			if err := lists[EntryVotes].add(v); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *Writer) message(ctx context.Context, zw *zip.Writer, m chat.Message, roomName string, lists map[string]*list, st *Stats) error {
	out := Message{RoomID: m.RoomID, RoomName: roomName, Seq: m.Seq, CreatedAt: m.CreatedAt.UTC(), EditedAt: m.EditedAt,
		Text: m.Text, Encrypted: m.Encrypted, ParentSeq: m.ParentSeq, ToRoom: m.ToRoom, Deleted: m.Deleted, Gif: m.Gif}
	if m.Poll != nil {
		ps := &PollSummary{Question: m.Poll.Question, ClosedAt: m.Poll.ClosedAt}
		for _, o := range m.Poll.Options {
			ps.Options = append(ps.Options, o.Text)
		}
		out.Poll = ps
	}
	if !m.EditedAt.IsZero() {
		vs, err := w.Source.MessageVersions(ctx, m.RoomID, m.Seq)
		if err != nil {
			return fmt.Errorf("edits of %s/%d: %w", m.RoomID, m.Seq, err)
		}
		out.Edits = vs
	}
	for _, a := range m.Attachments {
		fk, _ := chat.ParseFileKey(a.Key)
		name := FilesDir + safeName(m.RoomID) + "/" + safeName(fk.FileID) + "-" + safeName(a.Name)
		_, _, err := w.copyFile(ctx, zw, a.Key, name)
		if chat.ErrorCode(err) == chat.NotFound {
			name = "" // listed, its bytes are gone
		} else if err != nil {
			return fmt.Errorf("file %s: %w", a.Key, err)
		} else {
			st.Files++
		}
		ref := FileRef{Name: a.Name, Type: a.Type, Size: a.Size, Path: name}
		out.Attachments = append(out.Attachments, ref)
		if err := lists[EntryFiles].add(File{FileRef: ref, RoomID: m.RoomID, Seq: m.Seq}); err != nil {
			return err
		}
	}
	st.Messages++
	return lists[EntryMessages].add(out)
}

// copyFile streams key from the bucket into the zip as name.
func (w *Writer) copyFile(ctx context.Context, zw *zip.Writer, key, name string) (int64, string, error) {
	rc, info, err := w.Files.Open(ctx, key)
	if err != nil {
		return 0, "", err
	}
	defer rc.Close()
	dst, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: time.Now()})
	if err != nil {
		return 0, "", err
	}
	n, err := io.Copy(dst, rc)
	return n, info.ContentType, err
}

// small writes the per-person lists that are one read each.
func (w *Writer) small(ctx context.Context, zw *zip.Writer, userID string) error {
	src := w.Source
	prefs, err := src.GetPreferences(ctx, userID)
	if err != nil {
		return fmt.Errorf("preferences: %w", err)
	}
	if err := writeJSON(zw, EntryPreferences, prefs); err != nil {
		return err
	}
	saved := []chat.SavedItem{}
	cursor := ""
	for {
		page, next, err := src.ListSaved(ctx, userID, cursor, 100)
		if err != nil {
			return fmt.Errorf("saved: %w", err)
		}
		saved = append(saved, page...)
		if next == "" || len(page) == 0 {
			break
		}
		cursor = next
	}
	if err := writeJSON(zw, EntrySaved, saved); err != nil {
		return err
	}
	sched, err := src.ListScheduled(ctx, userID)
	if err != nil {
		return fmt.Errorf("scheduled: %w", err)
	}
	if err := writeJSON(zw, EntryScheduled, orEmpty(sched)); err != nil {
		return err
	}
	threads, err := src.FollowedThreads(ctx, userID)
	if err != nil {
		return fmt.Errorf("threads: %w", err)
	}
	if err := writeJSON(zw, EntryThreads, orEmpty(threads)); err != nil {
		return err
	}
	terms, err := src.TermsAcceptance(ctx, userID)
	if err != nil {
		return fmt.Errorf("terms: %w", err)
	}
	if err := writeJSON(zw, EntryTerms, Terms{Accepted: terms.Version != "", Version: terms.Version, AcceptedAt: terms.AcceptedAt}); err != nil {
		return err
	}
	if err := writeAnalytics(ctx, zw, src, userID); err != nil {
		return err
	}
	if is, ok := src.(interface {
		IntegrationsBy(ctx context.Context, userID string) ([]chat.Integration, error)
	}); ok {
		regs, err := is.IntegrationsBy(ctx, userID)
		if err != nil {
			return fmt.Errorf("integrations: %w", err)
		}
		if err := writeJSON(zw, EntryIntegrations, orEmpty(regs)); err != nil {
			return err
		}
	}
	subs, err := src.PushSubscriptions(ctx, userID)
	if err != nil {
		return fmt.Errorf("devices: %w", err)
	}
	devices := []Device{}
	for _, s := range subs {
		host := ""
		if u, err := url.Parse(s.Endpoint); err == nil {
			host = u.Host
		}
		devices = append(devices, Device{Device: s.Device, CreatedAt: s.CreatedAt, EndpointHost: host})
	}
	return writeJSON(zw, EntryDevices, devices)
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// safeName keeps a name usable as one path element of the archive.
func safeName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r < 0x20 {
			return '_'
		}
		return r
	}, s)
	if s == "" || s == "." || s == ".." {
		return "_"
	}
	return s
}

func (w *Writer) writeReadme(zw *zip.Writer, p chat.Profile, at time.Time) error {
	dst, err := zw.Create(EntryReadme)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(dst, readme, p.DisplayName, p.UserID, at.UTC().Format(time.RFC3339))
	return err
}

const readme = `Backchannel data export
=======================

Person: %s (%s)
Written: %s

profile.json      your profile (name, handle, avatar colour, when you joined, your email address)
rooms.json        the rooms you are in: id, name, kind, your role, when you joined, how far you read;
                  and the rooms you have left ("left": true, when)
messages.json     every message you sent, with its room (id and name), time, edits, thread parent,
                  attachments, GIF or poll
reactions.json    your reactions (room, message number, emoji)
poll_votes.json   your poll votes (room, message number, question, what you chose)
files.json        your files (name, type, size, room, message, where in this archive)
files/            the files themselves; your profile picture as files/avatar-...
preferences.json  your notification, appearance and room settings
saved.json        the messages you saved (room and message number)
scheduled.json    your scheduled messages and reminders
threads.json      the threads you follow
devices.json      the devices you get push notifications on
terms.json        the version of the terms you accepted, and when
bots.json         the bot accounts you created (name and when; never their tokens)
support.json      customer support: your conversations with a support team (as a visitor),
                  or the teams you answer for and the canned answers you wrote (as an agent)
analytics.json    the days usage analytics counted you active, and the rooms you wrote in
webhooks.json     the incoming webhooks you created (room, name, picture, when; never a secret)
integrations.json the slash commands and outgoing webhooks you registered
reports.json      the messages you reported (room, message number, your reason, when, the outcome)
audit.json        the audit log's entries about you or by you (when, what, room, reason); other
                  people in them appear as "other"
encryption.json   your end-to-end encryption keys as the server keeps them: your public identity
                  key, your devices, your key backup and backed-up conversation keys (all sealed:
                  only your passphrase and your devices open them)

Messages other people sent, in channels and in direct messages, are theirs and are not in this
archive; you can still read them in the app.
`
