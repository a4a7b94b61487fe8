package chattest

import (
	"context"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// contractSupport: customer support's store (chat.SupportStore): teams,
// the agents' conditional open count, conversations read with their room
// (GetRoom), the optimistic lock, the queues by state, a visitor's
// conversations, canned answers with unique shortcuts per team.
func contractSupport(t *testing.T, st chat.Store) {
	s, ok := st.(chat.SupportStore)
	if !ok {
		t.Skip("the store keeps no support data")
	}
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	teamID := uniq("team_")
	team := chat.SupportTeam{ID: teamID, Name: "Billing " + teamID, Topics: []string{"billing"}, Agents: []string{"a1"}, Leads: []string{"l1"},
		Hours: &chat.BusinessHours{TZ: "Europe/Berlin", Days: [7][]chat.Span{1: {{From: "09:00", To: "17:00"}}}}, Capacity: 2, AutoAssign: true}
	if err := s.PutSupportTeam(ctx, team); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetSupportTeam(ctx, teamID)
	if err != nil || got.Name != team.Name || got.Hours == nil || got.Hours.Days[1][0].To != "17:00" || !got.AutoAssign {
		t.Fatalf("team: %+v %v", got, err)
	}
	list, err := s.ListSupportTeams(ctx)
	if err != nil || !containsTeam(list, teamID) {
		t.Fatalf("list teams: %v %v", list, err)
	}
	_, err = s.GetSupportTeam(ctx, uniq("team_"))
	wantCode(t, "missing team", err, chat.NotFound)

	// Agents: away until set; AssignAgent counts while online and under
	// the limit; a negative limit counts regardless; release never < 0.
	agent := uniq("ag")
	if a, err := s.GetAgentStatus(ctx, agent); err != nil || a.Availability != chat.AgentAway || a.Open != 0 {
		t.Fatalf("fresh agent: %+v %v", a, err)
	}
	_, err = s.AssignAgent(ctx, agent, 2, now)
	wantCode(t, "assign an away agent", err, chat.Conflict)
	if _, err := s.SetAgentAvailability(ctx, agent, chat.AgentOnline, 0, now); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if _, err := s.AssignAgent(ctx, agent, 2, now.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatalf("assign %d: %v", i, err)
		}
	}
	_, err = s.AssignAgent(ctx, agent, 2, now)
	wantCode(t, "assign at capacity", err, chat.Conflict)
	a, err := s.AssignAgent(ctx, agent, -1, now.Add(time.Minute))
	if err != nil || a.Open != 3 || !a.LastAssignedAt.Equal(now.Add(time.Minute)) {
		t.Fatalf("forced assign: %+v %v", a, err)
	}
	for range 5 {
		if err := s.ReleaseAgent(ctx, agent); err != nil {
			t.Fatal(err)
		}
	}
	if a, _ := s.GetAgentStatus(ctx, agent); a.Open != 0 || a.Availability != chat.AgentOnline {
		t.Fatalf("after releases: %+v", a)
	}

	// A conversation: created with its room and visitor, read with GetRoom.
	visitor := "vis_" + "abcdefghijklmnopqrstuvwxyz"
	roomID := uniq("sup_")
	room := chat.Room{ID: roomID, Kind: chat.KindSupport, Name: "Dana", CreatedBy: visitor, CreatedAt: now}
	conv := chat.SupportConversation{RoomID: roomID, Visitor: chat.SupportVisitor{ID: visitor, Name: "Dana", Email: "dana@example.org"},
		TeamID: teamID, State: chat.SupportQueued, Priority: chat.PriorityNormal, Channel: chat.ChannelChat, CreatedAt: now, QueuedAt: now}
	if err := s.CreateSupportConversation(ctx, room, conv, chat.Member{RoomID: roomID, UserID: visitor, Role: chat.RoleMember, JoinedAt: now}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "the same conversation again", s.CreateSupportConversation(ctx, room, conv, chat.Member{RoomID: roomID, UserID: visitor, Role: chat.RoleMember, JoinedAt: now}), chat.Conflict)
	r, err := st.GetRoom(ctx, roomID)
	if err != nil || r.Kind != chat.KindSupport || r.Support == nil || r.Support.Visitor.Email != "dana@example.org" || r.MemberCount != 1 {
		t.Fatalf("room: %+v %v", r, err)
	}
	if _, err := st.GetMember(ctx, roomID, visitor); err != nil {
		t.Fatalf("the visitor's membership: %v", err)
	}
	c, err := s.GetSupportConversation(ctx, roomID)
	if err != nil || c.Version != 1 {
		t.Fatalf("conversation: %+v %v", c, err)
	}
	q, err := s.ListSupportQueue(ctx, teamID, chat.SupportQueued, 0)
	if err != nil || len(q) != 1 || q[0].RoomID != roomID {
		t.Fatalf("queue: %+v %v", q, err)
	}
	c.State, c.AssigneeID, c.AssignedAt = chat.SupportOpen, agent, now.Add(time.Minute)
	c2, err := s.UpdateSupportConversation(ctx, c)
	if err != nil || c2.Version != 2 {
		t.Fatalf("update: %+v %v", c2, err)
	}
	_, err = s.UpdateSupportConversation(ctx, c) // the old version
	wantCode(t, "a stale update", err, chat.Conflict)
	if q, _ := s.ListSupportQueue(ctx, teamID, chat.SupportQueued, 0); len(q) != 0 {
		t.Errorf("still queued: %+v", q)
	}
	if open, _ := s.ListSupportQueue(ctx, teamID, chat.SupportOpen, 0); len(open) != 1 || open[0].AssigneeID != agent {
		t.Errorf("open: %+v", open)
	}
	vs, err := s.ListVisitorConversations(ctx, visitor, 10)
	if err != nil || len(vs) == 0 || vs[0].RoomID != roomID {
		t.Fatalf("visitor's conversations: %+v %v", vs, err)
	}
	_, err = s.GetSupportConversation(ctx, uniq("sup_"))
	wantCode(t, "missing conversation", err, chat.NotFound)

	// Canned answers: a shortcut is unique per team; moving frees it.
	id1, id2 := uniq("can_"), uniq("can_")
	sc := uniq("s")
	if err := s.PutCannedAnswer(ctx, chat.CannedAnswer{ID: id1, TeamID: teamID, Shortcut: sc, Title: "T", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "a taken shortcut", s.PutCannedAnswer(ctx, chat.CannedAnswer{ID: id2, TeamID: teamID, Shortcut: sc, Title: "T", Text: "y"}), chat.Conflict)
	if err := s.PutCannedAnswer(ctx, chat.CannedAnswer{ID: id2, Shortcut: sc, Title: "T", Text: "y"}); err != nil {
		t.Fatalf("the same shortcut for every team: %v", err)
	}
	if err := s.PutCannedAnswer(ctx, chat.CannedAnswer{ID: id1, TeamID: teamID, Shortcut: sc + "b", Title: "T2", Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutCannedAnswer(ctx, chat.CannedAnswer{ID: uniq("can_"), TeamID: teamID, Shortcut: sc, Title: "T", Text: "z"}); err != nil {
		t.Fatalf("the freed shortcut: %v", err)
	}
	if got, err := s.GetCannedAnswer(ctx, id1); err != nil || got.Title != "T2" {
		t.Fatalf("canned: %+v %v", got, err)
	}
	if err := s.DeleteCannedAnswer(ctx, id1); err != nil {
		t.Fatal(err)
	}
	_, err = s.GetCannedAnswer(ctx, id1)
	wantCode(t, "a deleted answer", err, chat.NotFound)
	all, err := s.ListCannedAnswers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range all {
		if a.ID == id1 {
			t.Error("the deleted answer is listed")
		}
	}
	if err := s.DeleteSupportTeam(ctx, teamID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "a deleted team", s.DeleteSupportTeam(ctx, teamID), chat.NotFound)
}

func containsTeam(ts []chat.SupportTeam, id string) bool {
	for _, t := range ts {
		if t.ID == id {
			return true
		}
	}
	return false
}

// contractSupportTouch: lastMessageAt moves forward only, outside the lock.
func contractSupportTouch(t *testing.T, st chat.Store) {
	s, ok := st.(chat.SupportStore)
	if !ok {
		t.Skip("the store keeps no support data")
	}
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	roomID, visitor := uniq("sup_"), "vis_"+"zyxwvutsrqponmlkjihgfedcba"
	conv := chat.SupportConversation{RoomID: roomID, Visitor: chat.SupportVisitor{ID: visitor}, TeamID: "team_t", State: chat.SupportQueued, CreatedAt: now}
	if err := s.CreateSupportConversation(ctx, chat.Room{ID: roomID, Kind: chat.KindSupport, Name: "support", CreatedAt: now}, conv,
		chat.Member{RoomID: roomID, UserID: visitor, Role: chat.RoleMember, JoinedAt: now}); err != nil {
		t.Fatal(err)
	}
	if c, err := s.TouchSupportConversation(ctx, roomID, now.Add(time.Minute)); err != nil || !c.LastMessageAt.Equal(now.Add(time.Minute)) || c.Version != 1 {
		t.Fatalf("touch: %+v %v", c, err)
	}
	if c, err := s.TouchSupportConversation(ctx, roomID, now); err != nil || !c.LastMessageAt.Equal(now.Add(time.Minute)) {
		t.Fatalf("touch backwards: %+v %v", c, err)
	}
	c, err := s.GetSupportConversation(ctx, roomID)
	if err != nil || c.Version != 1 || !c.LastMessageAt.Equal(now.Add(time.Minute)) {
		t.Fatalf("after touches: %+v %v", c, err)
	}
	c.State = chat.SupportOpen
	if _, err := s.UpdateSupportConversation(ctx, c); err != nil {
		t.Fatalf("an update after a touch: %v", err)
	}
	_, err = s.TouchSupportConversation(ctx, uniq("sup_"), now)
	wantCode(t, "touch a missing conversation", err, chat.NotFound)
}
