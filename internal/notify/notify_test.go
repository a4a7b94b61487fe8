package notify_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/notify"
)

type store struct {
	*chattest.Store
	all map[string][]string
}

func (s store) RoomNotifyAll(_ context.Context, roomID string) ([]string, error) {
	return s.all[roomID], nil
}

type queue struct {
	mu   sync.Mutex
	jobs []notify.Job
}

func (q *queue) Enqueue(_ context.Context, js []notify.Job) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.jobs = append(q.jobs, js...)
	return nil
}

type missed struct{ calls []string }

func (m *missed) Missed(_ context.Context, userID, roomID string, seq int64, reason string) error {
	m.calls = append(m.calls, userID+"/"+roomID+"/"+reason)
	return nil
}

func setup(t *testing.T) (store, *queue, *missed, *notify.Notifier) {
	t.Helper()
	ctx := context.Background()
	s := store{Store: chattest.NewStore(), all: map[string][]string{}}
	now := time.Now()
	for _, u := range []string{"ana", "bo", "cy"} {
		if _, _, err := s.EnsureProfile(ctx, chat.Profile{UserID: u, Username: u, DisplayName: strings.ToUpper(u[:1]) + u[1:], CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateRoom(ctx, chat.Room{ID: "d1", Kind: chat.KindDirect, MemberIDs: []string{"ana", "bo"}, CreatedAt: now},
		[]chat.Member{{RoomID: "d1", UserID: "ana"}, {RoomID: "d1", UserID: "bo"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateRoom(ctx, chat.Room{ID: "c1", Kind: chat.KindPublic, Name: "ops", CreatedAt: now},
		[]chat.Member{{RoomID: "c1", UserID: "ana"}, {RoomID: "c1", UserID: "bo"}, {RoomID: "c1", UserID: "cy"}}); err != nil {
		t.Fatal(err)
	}
	q, m := &queue{}, &missed{}
	n, err := notify.New(notify.Config{Store: s, Queue: q, Missed: m, Previews: true})
	if err != nil {
		t.Fatal(err)
	}
	return s, q, m, n
}

func send(t *testing.T, n *notify.Notifier, m chat.Message) {
	t.Helper()
	m.SenderID, m.SenderName, m.CreatedAt = "ana", "Ana", time.Now()
	if err := n.Consume(context.Background(), []chat.Event{chat.MessageCreated{Message: m}}); err != nil {
		t.Fatal(err)
	}
}

func TestDMToAbsentPersonIsPushedAndMissed(t *testing.T) {
	_, q, m, n := setup(t)
	send(t, n, chat.Message{RoomID: "d1", Seq: 3, Text: "are you coming to the standup?"})
	if len(q.jobs) != 1 || q.jobs[0].UserID != "bo" || q.jobs[0].Room != "Ana" || q.jobs[0].Preview != "are you coming to the standup?" || q.jobs[0].Reason != "dm" {
		t.Fatalf("jobs = %+v", q.jobs)
	}
	if len(m.calls) != 1 || m.calls[0] != "bo/d1/dm" {
		t.Fatalf("missed = %v", m.calls)
	}
}

func TestVisibleConnectionSuppressesPushHiddenDoesNot(t *testing.T) {
	s, q, m, n := setup(t)
	ctx := context.Background()
	if err := s.PutConnection(ctx, chat.Connection{ID: "b1", Identity: chat.Identity{UserID: "bo"}}, nil); err != nil {
		t.Fatal(err)
	}
	send(t, n, chat.Message{RoomID: "d1", Seq: 3, Text: "hi"})
	if len(q.jobs) != 0 || len(m.calls) != 0 {
		t.Fatalf("visible: jobs %+v, missed %v", q.jobs, m.calls)
	}
	if err := s.SetConnectionVisible(ctx, "bo", "b1", false); err != nil {
		t.Fatal(err)
	}
	send(t, n, chat.Message{RoomID: "d1", Seq: 4, Text: "hi"})
	if len(q.jobs) != 1 || len(m.calls) != 0 {
		t.Fatalf("hidden: jobs %+v, missed %v (a connection: not missed)", q.jobs, m.calls)
	}
}

func TestChannelNotifiesMentionsAndAll(t *testing.T) {
	s, q, _, n := setup(t)
	send(t, n, chat.Message{RoomID: "c1", Seq: 1, Text: "plain"})
	if len(q.jobs) != 0 {
		t.Fatalf("plain channel message: %+v", q.jobs)
	}
	send(t, n, chat.Message{RoomID: "c1", Seq: 2, Text: "@cy look", Mentions: []string{"cy"}})
	if len(q.jobs) != 1 || q.jobs[0].UserID != "cy" || q.jobs[0].Room != "ops" || q.jobs[0].Reason != "mention" {
		t.Fatalf("mention: %+v", q.jobs)
	}
	if _, err := s.UpdatePreferences(context.Background(), "bo", func(p *chat.Preferences) error {
		p.Rooms["c1"] = chat.RoomNotify{Level: chat.LevelAll}
		p.Notify.Previews = false
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	s.all["c1"] = []string{"bo", "gone"}
	q.jobs = nil
	send(t, n, chat.Message{RoomID: "c1", Seq: 3, Text: "news"})
	if len(q.jobs) != 1 || q.jobs[0].UserID != "bo" || q.jobs[0].Preview != "" {
		t.Fatalf("all, previews off: %+v", q.jobs)
	}
}

func TestSystemLinesAndOwnMessagesNotifyNobody(t *testing.T) {
	_, q, m, n := setup(t)
	send(t, n, chat.Message{RoomID: "d1", Seq: 1, System: &chat.SystemLine{Kind: chat.SystemJoined}})
	if len(q.jobs)+len(m.calls) != 0 {
		t.Fatalf("system line: %+v %v", q.jobs, m.calls)
	}
}

func TestPreview(t *testing.T) {
	long := strings.Repeat("é", 200)
	if p := notify.Preview(chat.Message{Text: long}); len([]rune(p)) != notify.MaxPreviewRunes || !strings.HasSuffix(p, "…") {
		t.Errorf("Preview = %q (%d runes)", p, len([]rune(p)))
	}
	if p := notify.Preview(chat.Message{Gif: &chat.Gif{URL: "https://media.tenor.com/a/b.gif"}}); p != "sent a GIF" {
		t.Errorf("gif preview %q", p)
	}
	if p := notify.Preview(chat.Message{Attachments: []chat.Attachment{{Name: "a.pdf"}}}); p != "sent a file: a.pdf" {
		t.Errorf("Preview = %q", p)
	}
}
