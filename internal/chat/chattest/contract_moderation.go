package chattest

import (
	"context"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// contractModeration: member roles and mutes, archived rooms, bans,
// reports and the audit log.
func contractModeration(t *testing.T, s chat.Store) {
	ctx := context.Background()
	now := ms(time.Now())
	room := chat.Room{ID: uniq("mod"), Kind: chat.KindPublic, Name: uniq("mod"), CreatedBy: "u1", CreatedAt: now}
	if err := s.CreateRoom(ctx, room, []chat.Member{{RoomID: room.ID, UserID: "u1", Role: chat.RoleOwner, JoinedAt: now}}); err != nil {
		t.Fatal(err)
	}
	// Roles and mutes.
	until := now.Add(time.Hour)
	mod := chat.RoleModerator
	m, err := s.UpdateMember(ctx, room.ID, "u1", &mod, &until)
	if err != nil || m.Role != chat.RoleModerator || !m.MutedUntil.Equal(until) {
		t.Fatalf("UpdateMember = %+v, %v", m, err)
	}
	if got, _ := s.GetMember(ctx, room.ID, "u1"); !got.MutedUntil.Equal(until) || got.Role != chat.RoleModerator {
		t.Errorf("GetMember after update = %+v", got)
	}
	var zero time.Time
	if m, err := s.UpdateMember(ctx, room.ID, "u1", nil, &zero); err != nil || !m.MutedUntil.IsZero() || m.Role != chat.RoleModerator {
		t.Errorf("unmute = %+v, %v", m, err)
	}
	_, err = s.UpdateMember(ctx, room.ID, "nobody", &mod, nil)
	wantCode(t, "UpdateMember of a non-member", err, chat.NotFound)

	// Archiving hides a public channel from the listing.
	listed := func() bool {
		cursor := ""
		for {
			rooms, next, err := s.ListPublicRooms(ctx, cursor, 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rooms {
				if r.ID == room.ID {
					return true
				}
			}
			if next == "" {
				return false
			}
			cursor = next
		}
	}
	if r, err := s.SetArchived(ctx, room.ID, true); err != nil || !r.Archived {
		t.Fatalf("SetArchived = %+v, %v", r, err)
	}
	if r, _ := s.GetRoom(ctx, room.ID); !r.Archived || listed() {
		t.Errorf("archived room %+v listed=%v", r, listed())
	}
	if r, err := s.SetArchived(ctx, room.ID, false); err != nil || r.Archived || !listed() {
		t.Errorf("unarchived %+v, %v, listed=%v", r, err, listed())
	}
	_, err = s.SetArchived(ctx, uniq("none"), true)
	wantCode(t, "SetArchived of a missing room", err, chat.NotFound)
	// Making it private takes it out of the listing; public again, back in.
	if r, err := s.SetKind(ctx, room.ID, chat.KindPrivate); err != nil || r.Kind != chat.KindPrivate || listed() {
		t.Errorf("private: %+v, %v, listed=%v", r, err, listed())
	}
	if r, _ := s.GetRoom(ctx, room.ID); r.Kind != chat.KindPrivate {
		t.Errorf("stored kind %q", r.Kind)
	}
	if r, err := s.SetKind(ctx, room.ID, chat.KindPublic); err != nil || r.Kind != chat.KindPublic || !listed() {
		t.Errorf("public: %+v, %v, listed=%v", r, err, listed())
	}

	// Bans.
	_, err = s.GetBan(ctx, room.ID, "u2")
	wantCode(t, "GetBan before", err, chat.NotFound)
	b := chat.Ban{RoomID: room.ID, UserID: "u2", By: "u1", Reason: "spam", BannedAt: now}
	if err := s.PutBan(ctx, b); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetBan(ctx, room.ID, "u2"); err != nil || got.Reason != "spam" || !got.BannedAt.Equal(now) {
		t.Errorf("GetBan = %+v, %v", got, err)
	}
	if bans, err := s.ListBans(ctx, room.ID); err != nil || len(bans) != 1 || bans[0].UserID != "u2" {
		t.Errorf("ListBans = %+v, %v", bans, err)
	}
	if ms, _ := s.ListMembers(ctx, room.ID); len(ms) != 1 {
		t.Errorf("a ban shows up as a member: %+v", ms)
	}
	if err := s.DeleteBan(ctx, room.ID, "u2"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "DeleteBan again", s.DeleteBan(ctx, room.ID, "u2"), chat.NotFound)

	// Invitations.
	_, err = s.GetInvite(ctx, room.ID, "u3")
	wantCode(t, "GetInvite before", err, chat.NotFound)
	inv := chat.Invite{RoomID: room.ID, UserID: "u3", InvitedBy: "u1", InvitedAt: now}
	if err := s.PutInvite(ctx, inv); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetInvite(ctx, room.ID, "u3"); err != nil || got.InvitedBy != "u1" || !got.InvitedAt.Equal(now) {
		t.Errorf("GetInvite = %+v, %v", got, err)
	}
	if ms, _ := s.ListMembers(ctx, room.ID); len(ms) != 1 {
		t.Errorf("an invitation shows up as a member: %+v", ms)
	}
	if got, err := s.UserInvites(ctx, "u3"); err != nil || len(got) != 1 || got[0].RoomID != room.ID {
		t.Errorf("UserInvites = %+v, %v", got, err)
	}
	if err := s.DeleteInvite(ctx, room.ID, "u3"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "DeleteInvite again", s.DeleteInvite(ctx, room.ID, "u3"), chat.NotFound)
	if got, _ := s.UserInvites(ctx, "u3"); len(got) != 0 {
		t.Errorf("UserInvites after delete = %+v", got)
	}

	// Reports: open ones newest first; resolving closes them once.
	msg := chat.Message{RoomID: room.ID, Seq: 3, SenderID: "u2", Text: "bad", CreatedAt: now}
	r1 := chat.Report{ID: uniq("r1"), RoomID: room.ID, Seq: 3, ReporterID: "u1", Reason: "spam", CreatedAt: now, Message: msg}
	r2 := r1
	r2.ID, r2.CreatedAt = uniq("r2"), now.Add(time.Second)
	for _, r := range []chat.Report{r1, r2} {
		if err := s.PutReport(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, "PutReport twice", s.PutReport(ctx, r1), chat.Conflict)
	open := func() []string {
		reps, _, err := s.ListOpenReports(ctx, "", 500)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range reps {
			if r.ID == r1.ID || r.ID == r2.ID {
				ids = append(ids, r.ID)
			}
		}
		return ids
	}
	if got := open(); len(got) != 2 || got[0] != r2.ID {
		t.Errorf("open reports = %v, want %s first", got, r2.ID)
	}
	if got, err := s.GetReport(ctx, r1.ID); err != nil || got.Message.Text != "bad" || got.Reason != "spam" {
		t.Errorf("GetReport = %+v, %v", got, err)
	}
	res, err := s.ResolveReport(ctx, r1.ID, "dismiss", "u9", now)
	if err != nil || res.Resolution != "dismiss" || res.ResolvedBy != "u9" || res.Message.Text != "bad" {
		t.Errorf("ResolveReport = %+v, %v", res, err)
	}
	_, err = s.ResolveReport(ctx, r1.ID, "delete", "u9", now)
	wantCode(t, "ResolveReport twice", err, chat.Conflict)
	_, err = s.ResolveReport(ctx, uniq("none"), "delete", "u9", now)
	wantCode(t, "ResolveReport of a missing report", err, chat.NotFound)
	if got := open(); len(got) != 1 || got[0] != r2.ID {
		t.Errorf("open reports after resolving = %v", got)
	}

	// The audit log: newest first, expired entries left out.
	a1 := chat.AuditEntry{ID: uniq("a1"), At: now, ActorID: "u1", Action: "muteMember", RoomID: room.ID, TargetID: "u2", Reason: "r", ExpiresAt: now.Add(time.Hour)}
	a2 := chat.AuditEntry{ID: uniq("a2"), At: now.Add(time.Second), ActorID: "u1", Action: "banMember", RoomID: room.ID, TargetID: "u2", ExpiresAt: now.Add(time.Hour)}
	gone := chat.AuditEntry{ID: uniq("a0"), At: now.Add(2 * time.Second), ActorID: "u1", Action: "old", ExpiresAt: now.Add(-time.Hour)}
	for _, e := range []chat.AuditEntry{a1, a2, gone} {
		if err := s.PutAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	es, _, err := s.ListAudit(ctx, "", 500)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range es {
		if e.ID == a1.ID || e.ID == a2.ID || e.ID == gone.ID {
			ids = append(ids, e.ID)
		}
	}
	if len(ids) != 2 || ids[0] != a2.ID || ids[1] != a1.ID {
		t.Errorf("audit = %v, want [%s %s]", ids, a2.ID, a1.ID)
	}

	// Deleting a channel deletes what is stored under it and frees its name.
	doomed := chat.Room{ID: uniq("doomed"), Kind: chat.KindPublic, Name: uniq("doomed"), CreatedBy: "u1", CreatedAt: now}
	if err := s.CreateRoom(ctx, doomed, []chat.Member{{RoomID: doomed.ID, UserID: "u1", Role: chat.RoleOwner, JoinedAt: now}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.AppendMessage(ctx, chat.Message{RoomID: doomed.ID, ClientID: "c1", SenderID: "u1", Text: "bye", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutBan(ctx, chat.Ban{RoomID: doomed.ID, UserID: "u9", By: "u1", BannedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteRoom(ctx, doomed.ID, "u1"); err != nil {
		t.Fatalf("DeleteRoom: %v", err)
	}
	_, err = s.GetRoom(ctx, doomed.ID)
	wantCode(t, "GetRoom of a deleted room", err, chat.NotFound)
	if ms, _ := s.ListMembers(ctx, doomed.ID); len(ms) != 0 {
		t.Errorf("members of a deleted room: %+v", ms)
	}
	wantCode(t, "AddMember to a deleted room", s.AddMember(ctx, chat.Member{RoomID: doomed.ID, UserID: "u2", Role: chat.RoleMember, JoinedAt: now}), chat.NotFound)
	// The rest goes with the purge (the stream drives it; here by hand,
	// in passes of 2 items, until nothing is left).
	for pass := 0; ; pass++ {
		more, err := s.PurgeRoom(ctx, doomed.ID, 2)
		if err != nil {
			t.Fatalf("PurgeRoom: %v", err)
		}
		if !more {
			break
		}
		if pass > 10 {
			t.Fatal("PurgeRoom never finished")
		}
	}
	if more, err := s.PurgeRoom(ctx, doomed.ID, 2); more || err != nil {
		t.Errorf("PurgeRoom of a purged room = %v, %v; want false, nil", more, err)
	}
	if msgs, _, _ := s.MessagesBefore(ctx, doomed.ID, 0, 10); len(msgs) != 0 {
		t.Errorf("messages of a deleted room: %+v", msgs)
	}
	_, err = s.GetBan(ctx, doomed.ID, "u9")
	wantCode(t, "GetBan in a deleted room", err, chat.NotFound)
	again := chat.Room{ID: uniq("again"), Kind: chat.KindPublic, Name: doomed.Name, CreatedBy: "u1", CreatedAt: now}
	if err := s.CreateRoom(ctx, again, nil); err != nil {
		t.Errorf("the deleted room's name is still taken: %v", err)
	}
	wantCode(t, "DeleteRoom of a missing room", s.DeleteRoom(ctx, doomed.ID, "u1"), chat.NotFound)
}
