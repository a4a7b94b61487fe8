package chattest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// RunStoreContract checks the behaviour internal/chat/store.go documents
// against any chat.Store, so the fake and the DynamoDB adapter are held to
// the same rules. newStore may return a fresh store or a shared one: every
// subtest uses ids of its own and tolerates other data in listings.
// Times are compared at millisecond precision.
func RunStoreContract(t *testing.T, newStore func(t *testing.T) chat.Store) {
	t.Run("connections", func(t *testing.T) { contractConnections(t, newStore(t)) })
	t.Run("profiles", func(t *testing.T) { contractProfiles(t, newStore(t)) })
	t.Run("rooms", func(t *testing.T) { contractRooms(t, newStore(t)) })
	t.Run("channel names", func(t *testing.T) { contractChannelNames(t, newStore(t)) })
	t.Run("handles", func(t *testing.T) { contractHandles(t, newStore(t)) })
	t.Run("people search", func(t *testing.T) { contractPeopleSearch(t, newStore(t)) })
	t.Run("last room", func(t *testing.T) { contractLastRoom(t, newStore(t)) })
	t.Run("messages", func(t *testing.T) { contractMessages(t, newStore(t)) })
	t.Run("rate limiter", func(t *testing.T) { contractRateLimiter(t, newStore(t)) })
	t.Run("moderation", func(t *testing.T) { contractModeration(t, newStore(t)) })
	t.Run("preferences", func(t *testing.T) { contractPreferences(t, newStore(t)) })
	t.Run("push subscriptions", func(t *testing.T) { contractPushSubscriptions(t, newStore(t)) })
	t.Run("visibility", func(t *testing.T) { contractVisibility(t, newStore(t)) })
	t.Run("conversations", func(t *testing.T) { contractConversations(t, newStore(t)) })
	t.Run("polls", func(t *testing.T) { contractPolls(t, newStore(t)) })
	t.Run("widgets", func(t *testing.T) { contractWidgets(t, newStore(t)) })
	t.Run("threads", func(t *testing.T) { contractThreads(t, newStore(t)) })
	t.Run("link previews", func(t *testing.T) { contractLinkPreviews(t, newStore(t)) })
	t.Run("scheduled", func(t *testing.T) {
		ss, ok := newStore(t).(chat.ScheduledStore)
		if !ok {
			t.Skip("the store keeps no scheduled items")
		}
		contractScheduled(t, ss)
	})
	t.Run("calls", func(t *testing.T) {
		cs, ok := newStore(t).(chat.CallStore)
		if !ok {
			t.Skip("the store keeps no calls")
		}
		contractCalls(t, cs)
	})
	t.Run("gifs", func(t *testing.T) { contractGifs(t, newStore(t)) })
	t.Run("terms", func(t *testing.T) { contractTerms(t, newStore(t)) })
	t.Run("support", func(t *testing.T) { contractSupport(t, newStore(t)) }) // contract_support.go
	t.Run("support touch", func(t *testing.T) { contractSupportTouch(t, newStore(t)) })
	t.Run("room keys", func(t *testing.T) { contractRoomKeys(t, newStore(t)) }) // contract_e2ee_roomkeys.go
}

func uniq(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

func wantCode(t *testing.T, what string, err error, code chat.Code) {
	t.Helper()
	if got := chat.ErrorCode(err); got != code {
		t.Fatalf("%s: error %v (code %q), want code %q", what, err, got, code)
	}
}

func ms(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

func connIDs(rcs []chat.RoomConnection) []string {
	var ids []string
	for _, rc := range rcs {
		ids = append(ids, rc.ConnectionID)
	}
	sort.Strings(ids)
	return ids
}

func contractConnections(t *testing.T, s chat.Store) {
	ctx := context.Background()
	user, r1, r2 := uniq("u"), uniq("r"), uniq("r")
	now := ms(time.Now())
	c := chat.Connection{
		ID: uniq("conn"), ConnectedAt: now, ExpiresAt: now.Add(3 * time.Hour),
		Identity: chat.Identity{UserID: user, Username: "ann", DisplayName: "Ann", Email: "ann@example.com", Groups: []string{"admins"}},
	}
	_, err := s.GetConnection(ctx, c.ID)
	wantCode(t, "GetConnection before Put", err, chat.NotFound)
	if err := s.PutConnection(ctx, c, []string{r1, r2}); err != nil {
		t.Fatalf("PutConnection: %v", err)
	}
	got, err := s.GetConnection(ctx, c.ID)
	if err != nil {
		t.Fatalf("GetConnection: %v", err)
	}
	if got.ID != c.ID || got.UserID != user || got.Username != "ann" || got.DisplayName != "Ann" ||
		!slices.Equal(got.Groups, c.Groups) || !got.ConnectedAt.Equal(now) {
		t.Errorf("GetConnection = %+v, want %+v", got, c)
	}
	// Data minimisation (issue #15): the connection keeps no email; only
	// whether the display name is its local part.
	if got.Email != "" || got.NameFromEmail {
		t.Errorf("GetConnection kept email %q / nameFromEmail %v; want neither", got.Email, got.NameFromEmail)
	}
	cp := chat.Connection{ID: uniq("conn"), ConnectedAt: now, ExpiresAt: now.Add(3 * time.Hour),
		Identity: chat.Identity{UserID: uniq("u"), Username: "bo", DisplayName: "bo", Email: "bo@example.com"}}
	if err := s.PutConnection(ctx, cp, nil); err != nil {
		t.Fatalf("PutConnection: %v", err)
	}
	if got, err := s.GetConnection(ctx, cp.ID); err != nil || got.Email != "" || !got.NameFromEmail {
		t.Errorf("GetConnection of a placeholder name = %+v, %v; want no email, nameFromEmail", got, err)
	}
	if ids, err := s.UserConnections(ctx, user); err != nil || !slices.Equal(ids, []string{c.ID}) {
		t.Errorf("UserConnections = %v, %v", ids, err)
	}
	rcs, err := s.RoomConnections(ctx, r1)
	if err != nil || len(rcs) != 1 || rcs[0] != (chat.RoomConnection{RoomID: r1, ConnectionID: c.ID, UserID: user}) {
		t.Errorf("RoomConnections(r1) = %+v, %v", rcs, err)
	}

	r3 := uniq("r")
	c2 := uniq("conn")
	if err := s.AddRoomConnections(ctx, r3, user, []string{c.ID, c2}); err != nil {
		t.Fatalf("AddRoomConnections: %v", err)
	}
	if rcs, _ := s.RoomConnections(ctx, r3); !slices.Equal(connIDs(rcs), sorted(c.ID, c2)) {
		t.Errorf("RoomConnections(r3) = %v", connIDs(rcs))
	}
	if err := s.RemoveRoomConnections(ctx, r3, []string{c2}); err != nil {
		t.Fatalf("RemoveRoomConnections: %v", err)
	}
	if rcs, _ := s.RoomConnections(ctx, r3); !slices.Equal(connIDs(rcs), []string{c.ID}) {
		t.Errorf("after remove RoomConnections(r3) = %v", connIDs(rcs))
	}

	// DeleteConnection removes the items of the rooms it is given, only.
	if err := s.DeleteConnection(ctx, c, []string{r1, r3}); err != nil {
		t.Fatalf("DeleteConnection: %v", err)
	}
	_, err = s.GetConnection(ctx, c.ID)
	wantCode(t, "GetConnection after Delete", err, chat.NotFound)
	if ids, _ := s.UserConnections(ctx, user); len(ids) != 0 {
		t.Errorf("UserConnections after delete = %v", ids)
	}
	for _, r := range []string{r1, r3} {
		if rcs, _ := s.RoomConnections(ctx, r); len(rcs) != 0 {
			t.Errorf("RoomConnections(%s) after delete = %v", r, connIDs(rcs))
		}
	}
	if rcs, _ := s.RoomConnections(ctx, r2); !slices.Equal(connIDs(rcs), []string{c.ID}) {
		t.Errorf("RoomConnections(r2), not listed in the delete, = %v; want it kept", connIDs(rcs))
	}
	if err := s.DeleteConnection(ctx, c, []string{r1}); err != nil {
		t.Errorf("deleting a missing connection: %v", err)
	}
}

func sorted(ids ...string) []string {
	slices.Sort(ids)
	return ids
}

func contractProfiles(t *testing.T, s chat.Store) {
	ctx := context.Background()
	a, b, missing := uniq("u"), uniq("u"), uniq("u")
	created := ms(time.Now())
	pa := chat.Profile{UserID: a, Username: "a", DisplayName: "A", AvatarColor: "#112233", CreatedAt: created}
	got, ok, err := s.EnsureProfile(ctx, pa)
	if err != nil || !ok || got.DisplayName != "A" {
		t.Fatalf("EnsureProfile new = %+v, %v, %v", got, ok, err)
	}
	got, ok, err = s.EnsureProfile(ctx, chat.Profile{UserID: a, Username: "a", DisplayName: "Other"})
	if err != nil || ok || got.DisplayName != "A" || !got.CreatedAt.Equal(created) {
		t.Errorf("EnsureProfile existing = %+v, created %v, %v; want the first kept", got, ok, err)
	}
	_, err = s.GetProfile(ctx, missing)
	wantCode(t, "GetProfile missing", err, chat.NotFound)
	if _, _, err := s.EnsureProfile(ctx, chat.Profile{UserID: b, DisplayName: "B"}); err != nil {
		t.Fatal(err)
	}
	ps, err := s.GetProfiles(ctx, []string{b, missing, a})
	if err != nil {
		t.Fatalf("GetProfiles: %v", err)
	}
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.UserID)
	}
	if !slices.Equal(sorted(ids...), sorted(a, b)) {
		t.Errorf("GetProfiles ids = %v, want %v (missing left out)", ids, sorted(a, b))
	}

	name := "A2"
	p, err := s.UpdateProfile(ctx, a, &name, nil, nil)
	if err != nil || p.DisplayName != "A2" || p.AvatarColor != "#112233" {
		t.Errorf("UpdateProfile name only = %+v, %v", p, err)
	}
	key := "avatars/" + a + "/x.png"
	if p, err := s.UpdateProfile(ctx, a, nil, nil, &key); err != nil || p.AvatarKey != key || p.DisplayName != "A2" {
		t.Errorf("UpdateProfile key only = %+v, %v", p, err)
	}
	_, err = s.UpdateProfile(ctx, missing, &name, nil, nil)
	wantCode(t, "UpdateProfile missing", err, chat.NotFound)
	seen := ms(time.Now().Add(time.Minute))
	if err := s.SetLastSeen(ctx, a, seen); err != nil {
		t.Fatalf("SetLastSeen: %v", err)
	}
	if p, _ := s.GetProfile(ctx, a); !p.LastSeen.Equal(seen) || p.DisplayName != "A2" {
		t.Errorf("after SetLastSeen = %+v", p)
	}
	// The privacy mirrors (issue #15): set, kept by a rename, cleared.
	if err := s.SetProfilePrivacy(ctx, a, true, true); err != nil {
		t.Fatalf("SetProfilePrivacy: %v", err)
	}
	rename := "A3"
	if p, err := s.UpdateProfile(ctx, a, &rename, nil, nil); err != nil || !p.HidePresence || !p.HideReceipts {
		t.Errorf("after a rename the privacy mirrors = %+v, %v", p, err)
	}
	if ps, _ := s.GetProfiles(ctx, []string{a}); len(ps) != 1 || !ps[0].HidePresence || !ps[0].HideReceipts {
		t.Errorf("GetProfiles privacy mirrors = %+v", ps)
	}
	if err := s.SetProfilePrivacy(ctx, a, false, true); err != nil {
		t.Fatalf("SetProfilePrivacy: %v", err)
	}
	if p, _ := s.GetProfile(ctx, a); p.HidePresence || !p.HideReceipts {
		t.Errorf("after clearing hidePresence = %+v", p)
	}
	if h, err := s.ReceiptHiders(ctx); err != nil || !h[a] {
		t.Errorf("ReceiptHiders = %v, %v; want %s in it", h, err, a)
	}
	if err := s.SetProfilePrivacy(ctx, a, false, false); err != nil {
		t.Fatalf("SetProfilePrivacy: %v", err)
	}
	if h, err := s.ReceiptHiders(ctx); err != nil || h[a] {
		t.Errorf("ReceiptHiders after clearing = %v, %v", h, err)
	}
	wantCode(t, "SetProfilePrivacy missing", s.SetProfilePrivacy(ctx, missing, true, false), chat.NotFound)
	if _, err := s.UpdateProfile(ctx, a, &name, nil, nil); err != nil {
		t.Fatalf("rename back: %v", err)
	}

	// ListProfiles: ordered by id, every user exactly once, "" ends.
	var all []string
	cursor := ""
	for range 1000 {
		page, next, err := s.ListProfiles(ctx, cursor, 1)
		if err != nil {
			t.Fatalf("ListProfiles: %v", err)
		}
		for _, p := range page {
			all = append(all, p.UserID)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if !slices.IsSorted(all) || !slices.Contains(all, a) || !slices.Contains(all, b) || len(slices.Compact(slices.Clone(all))) != len(all) {
		t.Errorf("ListProfiles paged %v", all)
	}
}

func contractRooms(t *testing.T, s chat.Store) {
	ctx := context.Background()
	owner, other := uniq("u"), uniq("u")
	now := ms(time.Now())
	room := chat.Room{ID: uniq("c_"), Kind: chat.KindPublic, Name: uniq("zz-"), Topic: "t", CreatedBy: owner, CreatedAt: now, MemberCount: 1}
	ownerM := chat.Member{RoomID: room.ID, UserID: owner, Role: chat.RoleOwner, JoinedAt: now}
	_, err := s.GetRoom(ctx, room.ID)
	wantCode(t, "GetRoom missing", err, chat.NotFound)
	if err := s.CreateRoom(ctx, room, []chat.Member{ownerM}); err != nil {
		t.Fatalf("CreateRoom: %v", err)
	}
	wantCode(t, "CreateRoom twice", s.CreateRoom(ctx, room, []chat.Member{ownerM}), chat.Conflict)
	got, err := s.GetRoom(ctx, room.ID)
	if err != nil || got.Name != room.Name || got.Kind != chat.KindPublic || got.MemberCount != 1 || got.LastSeq != 0 || !got.CreatedAt.Equal(now) {
		t.Errorf("GetRoom = %+v, %v", got, err)
	}
	if m, err := s.GetMember(ctx, room.ID, owner); err != nil || m.Role != chat.RoleOwner {
		t.Errorf("GetMember owner = %+v, %v", m, err)
	}
	_, err = s.GetMember(ctx, room.ID, other)
	wantCode(t, "GetMember non-member", err, chat.NotFound)

	m := chat.Member{RoomID: room.ID, UserID: other, Role: chat.RoleMember, JoinedAt: now, ReadSeq: 3}
	if err := s.AddMember(ctx, m); err != nil {
		t.Fatalf("AddMember: %v", err)
	}
	wantCode(t, "AddMember twice", s.AddMember(ctx, m), chat.Conflict)
	if got, _ := s.GetRoom(ctx, room.ID); got.MemberCount != 2 {
		t.Errorf("MemberCount after AddMember = %d, want 2", got.MemberCount)
	}
	ms, err := s.ListMembers(ctx, room.ID)
	if err != nil || len(ms) != 2 {
		t.Errorf("ListMembers = %+v, %v", ms, err)
	}
	ur, err := s.UserRooms(ctx, other)
	if err != nil || len(ur) != 1 || ur[0].RoomID != room.ID || ur[0].ReadSeq != 3 {
		t.Errorf("UserRooms = %+v, %v", ur, err)
	}

	if ok, err := s.AdvanceReadSeq(ctx, room.ID, other, 5); err != nil || !ok {
		t.Errorf("AdvanceReadSeq 3->5 = %v, %v", ok, err)
	}
	for _, seq := range []int64{5, 4} {
		if ok, err := s.AdvanceReadSeq(ctx, room.ID, other, seq); err != nil || ok {
			t.Errorf("AdvanceReadSeq 5->%d = %v, %v; want false", seq, ok, err)
		}
	}
	if got, _ := s.GetMember(ctx, room.ID, other); got.ReadSeq != 5 {
		t.Errorf("ReadSeq = %d, want 5", got.ReadSeq)
	}

	if err := s.RemoveMember(ctx, room.ID, other); err != nil {
		t.Fatalf("RemoveMember: %v", err)
	}
	wantCode(t, "RemoveMember twice", s.RemoveMember(ctx, room.ID, other), chat.NotFound)
	if ur, _ := s.UserRooms(ctx, other); len(ur) != 0 {
		t.Errorf("UserRooms after remove = %+v", ur)
	}

	topic := "new topic"
	upd, err := s.UpdateRoom(ctx, room.ID, nil, &topic)
	if err != nil || upd.Topic != topic || upd.Name != room.Name {
		t.Errorf("UpdateRoom topic only = %+v, %v", upd, err)
	}
	_, err = s.UpdateRoom(ctx, uniq("c_"), nil, &topic)
	wantCode(t, "UpdateRoom missing", err, chat.NotFound)

	direct := chat.Room{ID: uniq("d_"), Kind: chat.KindDirect, CreatedBy: owner, CreatedAt: now, MemberCount: 2, MemberIDs: sorted(owner, other)}
	if err := s.CreateRoom(ctx, direct, []chat.Member{
		{RoomID: direct.ID, UserID: owner, Role: chat.RoleMember, JoinedAt: now},
		{RoomID: direct.ID, UserID: other, Role: chat.RoleMember, JoinedAt: now},
	}); err != nil {
		t.Fatalf("CreateRoom direct: %v", err)
	}
	if got, _ := s.GetRoom(ctx, direct.ID); !slices.Equal(got.MemberIDs, direct.MemberIDs) {
		t.Errorf("direct MemberIDs = %v", got.MemberIDs)
	}
	private := chat.Room{ID: uniq("c_"), Kind: chat.KindPrivate, Name: uniq("aa-private-"), CreatedBy: owner, CreatedAt: now, MemberCount: 1}
	if err := s.CreateRoom(ctx, private, []chat.Member{{RoomID: private.ID, UserID: owner, Role: chat.RoleOwner, JoinedAt: now}}); err != nil {
		t.Fatal(err)
	}
	second := chat.Room{ID: uniq("c_"), Kind: chat.KindPublic, Name: "aa-" + room.Name, CreatedBy: owner, CreatedAt: now, MemberCount: 1}
	if err := s.CreateRoom(ctx, second, []chat.Member{{RoomID: second.ID, UserID: owner, Role: chat.RoleOwner, JoinedAt: now}}); err != nil {
		t.Fatal(err)
	}
	var names []string
	cursor := ""
	for range 1000 {
		page, next, err := s.ListPublicRooms(ctx, cursor, 1)
		if err != nil {
			t.Fatalf("ListPublicRooms: %v", err)
		}
		for _, r := range page {
			if r.Kind != chat.KindPublic {
				t.Errorf("ListPublicRooms listed %s room %s", r.Kind, r.ID)
			}
			names = append(names, r.Name)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if !slices.IsSorted(names) || !slices.Contains(names, room.Name) || !slices.Contains(names, second.Name) {
		t.Errorf("ListPublicRooms paged %v", names)
	}
}

func contractMessages(t *testing.T, s chat.Store) {
	ctx := context.Background()
	user := uniq("u")
	now := ms(time.Now())
	room := chat.Room{ID: uniq("c_"), Kind: chat.KindPublic, Name: uniq("m-"), CreatedBy: user, CreatedAt: now, MemberCount: 1}
	if err := s.CreateRoom(ctx, room, []chat.Member{{RoomID: room.ID, UserID: user, Role: chat.RoleOwner, JoinedAt: now}}); err != nil {
		t.Fatal(err)
	}
	msg := chat.Message{RoomID: room.ID, ClientID: "k1", SenderID: user, SenderName: "U", Text: "one", CreatedAt: now,
		Mentions: []string{user}, Attachments: []chat.Attachment{{Key: "files/x", Name: "x", Size: 1}}}
	first, created, err := s.AppendMessage(ctx, msg)
	if err != nil || !created || first.Seq != 1 || first.Text != "one" {
		t.Fatalf("AppendMessage = %+v, %v, %v", first, created, err)
	}
	for i := 2; i <= 5; i++ {
		m := chat.Message{RoomID: room.ID, ClientID: "k" + string(rune('0'+i)), SenderID: user, Text: "n", CreatedAt: now}
		if got, _, err := s.AppendMessage(ctx, m); err != nil || got.Seq != int64(i) {
			t.Fatalf("AppendMessage %d = seq %d, %v", i, got.Seq, err)
		}
	}
	msg.Text = "retry"
	again, created, err := s.AppendMessage(ctx, msg)
	if err != nil || created || again.Seq != 1 || again.Text != "one" {
		t.Errorf("AppendMessage retry = %+v, %v, %v; want the first, created=false", again, created, err)
	}
	// The retry took a seq it does not use: seqs may have gaps.
	if got, _ := s.GetRoom(ctx, room.ID); got.LastSeq != 6 {
		t.Errorf("LastSeq = %d, want 6 (5 messages and the retry's unused seq)", got.LastSeq)
	}
	got, err := s.GetMessage(ctx, room.ID, 1)
	if err != nil || got.Text != "one" || !slices.Equal(got.Mentions, []string{user}) || len(got.Attachments) != 1 || !got.CreatedAt.Equal(now) {
		t.Errorf("GetMessage = %+v, %v", got, err)
	}
	_, err = s.GetMessage(ctx, room.ID, 99)
	wantCode(t, "GetMessage missing", err, chat.NotFound)

	got.Text, got.Deleted, got.Attachments, got.Mentions, got.EditedAt = "", true, nil, nil, now.Add(time.Second)
	if err := s.ReplaceMessage(ctx, got); err != nil {
		t.Fatalf("ReplaceMessage: %v", err)
	}
	if m, _ := s.GetMessage(ctx, room.ID, 1); !m.Deleted || m.Text != "" || len(m.Attachments) != 0 || !m.EditedAt.Equal(got.EditedAt) {
		t.Errorf("after ReplaceMessage = %+v", m)
	}
	// A tombstone is final: an edit that read the message before the
	// delete must not bring the text back.
	edit := got
	edit.Text, edit.Deleted, edit.EditedAt = "resurrected", false, now.Add(2*time.Second)
	wantCode(t, "ReplaceMessage of a deleted message", s.ReplaceMessage(ctx, edit), chat.Conflict)
	wantCode(t, "ReplaceMessage deleting a deleted message", s.ReplaceMessage(ctx, got), chat.Conflict)
	if m, _ := s.GetMessage(ctx, room.ID, 1); !m.Deleted || m.Text != "" || !m.EditedAt.Equal(got.EditedAt) {
		t.Errorf("refused ReplaceMessage changed the tombstone: %+v", m)
	}
	ghost := got
	ghost.Seq, ghost.Deleted = 99, false
	wantCode(t, "ReplaceMessage missing", s.ReplaceMessage(ctx, ghost), chat.NotFound)
	edited, _ := s.GetMessage(ctx, room.ID, 2)
	edited.Text, edited.EditedAt = "edited", now.Add(time.Second)
	if err := s.ReplaceMessage(ctx, edited); err != nil {
		t.Errorf("ReplaceMessage edit: %v", err)
	}
	if m, _ := s.GetMessage(ctx, room.ID, 2); m.Text != "edited" || m.Deleted {
		t.Errorf("after edit = %+v", m)
	}

	seqs := func(ms []chat.Message) []int64 {
		var out []int64
		for _, m := range ms {
			out = append(out, m.Seq)
		}
		return out
	}
	cases := []struct {
		name string
		call func() ([]chat.Message, bool, error)
		want []int64
		more bool
	}{
		{"before 0", func() ([]chat.Message, bool, error) { return s.MessagesBefore(ctx, room.ID, 0, 2) }, []int64{5, 4}, true},
		{"before 3", func() ([]chat.Message, bool, error) { return s.MessagesBefore(ctx, room.ID, 3, 2) }, []int64{2, 1}, false},
		{"before 2", func() ([]chat.Message, bool, error) { return s.MessagesBefore(ctx, room.ID, 2, 5) }, []int64{1}, false},
		{"after 0", func() ([]chat.Message, bool, error) { return s.MessagesAfter(ctx, room.ID, 0, 3) }, []int64{1, 2, 3}, true},
		{"after 2", func() ([]chat.Message, bool, error) { return s.MessagesAfter(ctx, room.ID, 2, 3) }, []int64{3, 4, 5}, false},
		{"after 5", func() ([]chat.Message, bool, error) { return s.MessagesAfter(ctx, room.ID, 5, 3) }, nil, false},
	}
	for _, tc := range cases {
		ms, more, err := tc.call()
		if err != nil || !slices.Equal(seqs(ms), tc.want) || more != tc.more {
			t.Errorf("%s = %v more %v, %v; want %v more %v", tc.name, seqs(ms), more, err, tc.want, tc.more)
		}
	}
}

func contractRateLimiter(t *testing.T, s chat.Store) {
	ctx := context.Background()
	key, other := uniq("rl:"), uniq("rl:")
	// A day-long window: the test cannot straddle a window boundary in practice.
	for i := range 3 {
		if ok, err := s.Allow(ctx, key, 3, 24*time.Hour); err != nil || !ok {
			t.Fatalf("Allow %d = %v, %v", i, ok, err)
		}
	}
	if ok, err := s.Allow(ctx, key, 3, 24*time.Hour); err != nil || ok {
		t.Errorf("Allow over the limit = %v, %v", ok, err)
	}
	if ok, err := s.Allow(ctx, other, 3, 24*time.Hour); err != nil || !ok {
		t.Errorf("another key was limited: %v, %v", ok, err)
	}
}
