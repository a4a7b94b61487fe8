package integration

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/s3blob"
)

// staff puts u in workspace groups (AdminAddUserToGroup, as an operator
// would) and signs in again: the new ID token carries cognito:groups.
func (s *stack) staff(u user, groups ...string) user {
	s.t.Helper()
	ctx := context.Background()
	client := cip.NewFromConfig(s.awsCfg)
	email := u.name + "@example.com"
	for _, g := range groups {
		if _, err := client.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{
			UserPoolId: aws.String(s.pool.ID), Username: aws.String(email), GroupName: aws.String(g),
		}); err != nil {
			s.t.Fatalf("add %s to %s: %v", u.name, g, err)
		}
	}
	out, err := client.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId: aws.String(s.pool.ClientID), AuthFlow: ciptypes.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": testPassword},
	})
	if err != nil || out.AuthenticationResult == nil {
		s.t.Fatalf("sign in %s again: %v", u.name, err)
	}
	u.token = aws.ToString(out.AuthenticationResult.IdToken)
	return u
}

func isRoom(id string) func(frame) bool {
	return func(f frame) bool {
		if f.fields["roomId"] == id {
			return true
		}
		r, ok := f.fields["room"].(map[string]any)
		return ok && r["roomId"] == id
	}
}

// TestModerationOverTheGateway runs every moderation action over real
// sockets through the local gateway: a workspace moderator removes a
// message, the owner mutes, unmutes and gives roles, a room moderator
// removes and bans, bans keep people out until lifted, a member reports
// and a moderator resolves from the queue, archiving makes the channel
// read-only, and an admin reads the audit log.
func TestModerationOverTheGateway(t *testing.T) {
	tr := newTrio(t, generousLimits)
	s := tr.s
	mo := s.staff(s.newUser("mo", "Mo Moderator"), chat.GroupModerators)
	adm := s.staff(s.newUser("adm", "Ad Min"), chat.GroupAdmins)
	m, st := s.online(mo)
	if !slices.Contains(st.Groups, chat.GroupModerators) {
		t.Fatalf("state groups = %v", st.Groups)
	}
	ad, _ := s.online(adm)

	ch := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionCreateChannel, map[string]any{"name": "town"}, protocol.EventRoom)).Room.ID
	tr.b.call(protocol.ActionJoinChannel, room(ch), protocol.EventRoom)
	tr.c.call(protocol.ActionJoinChannel, room(ch), protocol.EventRoom)
	tr.a.drain()
	tr.b.drain()
	tr.c.drain()

	// A plain member may not change the channel.
	tr.b.callError(protocol.ActionUpdateChannel, map[string]any{"roomId": ch, "topic": "phish"}, "forbidden")

	// A workspace moderator, not even a member, removes Bob's message;
	// both sides see who removed it.
	spam := decode[protocol.AckEvent](t, tr.b.call(protocol.ActionSendMessage, message(ch, "s-1", "cheap pills"), protocol.EventAck)).Message
	del := decode[protocol.MessageEvent](t, m.call(protocol.ActionDeleteMessage, map[string]any{"roomId": ch, "seq": spam.Seq}, protocol.EventMessageUpdated))
	if !del.Message.Deleted || del.Message.DeletedBy != mo.id {
		t.Fatalf("tombstone = %+v", del.Message)
	}
	for _, c := range []*client{tr.a, tr.b} {
		got := decode[protocol.MessageEvent](t, c.expectEvent(protocol.EventMessageUpdated, isMessage(t, ch, spam.Seq)))
		if got.Message.DeletedBy != mo.id {
			t.Errorf("%s saw %+v", c.name, got.Message)
		}
	}
	// A plain member may not remove someone else's.
	own := decode[protocol.AckEvent](t, tr.a.call(protocol.ActionSendMessage, message(ch, "a-1", "welcome"), protocol.EventAck)).Message
	tr.b.callError(protocol.ActionDeleteMessage, map[string]any{"roomId": ch, "seq": own.Seq}, "forbidden")

	// The owner mutes Bob: he hears it, and his sends are refused naming
	// when the mute ends, until unmuted.
	tr.a.call(protocol.ActionMuteMember, map[string]any{"roomId": ch, "userId": tr.bob.id, "minutes": 5, "reason": "cool off"}, protocol.EventMembers)
	upd := decode[protocol.MemberUpdatedEvent](t, tr.b.expectEvent(protocol.EventMemberUpdated, isRoom(ch)))
	if upd.Member.UserID != tr.bob.id || upd.Member.MutedUntil.IsZero() {
		t.Fatalf("memberUpdated = %+v", upd)
	}
	refused := tr.b.callError(protocol.ActionSendMessage, message(ch, "s-2", "but"), "forbidden")
	if msg, _ := refused.fields["message"].(string); !strings.Contains(msg, upd.Member.MutedUntil.UTC().Format(time.RFC3339)) {
		t.Errorf("refusal %q does not name the end", msg)
	}
	if until := decode[protocol.ErrorEvent](t, refused).Until; until == nil || !until.Equal(upd.Member.MutedUntil) {
		t.Errorf("refusal's until = %v, want %v", until, upd.Member.MutedUntil)
	}
	tr.a.call(protocol.ActionUnmuteMember, map[string]any{"roomId": ch, "userId": tr.bob.id}, protocol.EventMembers)
	tr.b.call(protocol.ActionSendMessage, message(ch, "s-3", "sorry"), protocol.EventAck)

	// Roles: Cyd becomes a room moderator; she removes Bob, who may come
	// back, then bans him, who may not, nor be invited, until unbanned.
	tr.a.call(protocol.ActionSetMemberRole, map[string]any{"roomId": ch, "userId": tr.cyd.id, "role": "moderator"}, protocol.EventMembers)
	tr.c.expectEvent(protocol.EventMemberUpdated, isRoom(ch))
	tr.b.drain()
	tr.c.call(protocol.ActionRemoveMember, map[string]any{"roomId": ch, "userId": tr.bob.id}, protocol.EventMembers)
	tr.b.expectEvent(protocol.EventRoomRemoved, isRoom(ch))
	tr.b.callError(protocol.ActionHistory, room(ch), "forbidden")
	tr.b.call(protocol.ActionJoinChannel, room(ch), protocol.EventRoom)
	bans := decode[protocol.BansEvent](t, tr.c.call(protocol.ActionBanMember, map[string]any{"roomId": ch, "userId": tr.bob.id, "reason": "again"}, protocol.EventBans))
	if len(bans.Bans) != 1 || bans.Bans[0].UserID != tr.bob.id || bans.Bans[0].Reason != "again" {
		t.Fatalf("bans = %+v", bans.Bans)
	}
	tr.b.expectEvent(protocol.EventRoomRemoved, isRoom(ch))
	tr.b.callError(protocol.ActionJoinChannel, room(ch), "forbidden")
	tr.a.callError(protocol.ActionInviteToChannel, map[string]any{"roomId": ch, "userIds": []string{tr.bob.id}}, "forbidden")
	tr.b.callError(protocol.ActionListBans, room(ch), "forbidden")
	tr.c.call(protocol.ActionListBans, room(ch), protocol.EventBans)
	tr.c.call(protocol.ActionUnbanMember, map[string]any{"roomId": ch, "userId": tr.bob.id}, protocol.EventBans)
	tr.b.call(protocol.ActionJoinChannel, room(ch), protocol.EventRoom)

	// The last owner cannot leave before handing ownership on.
	tr.a.callError(protocol.ActionLeaveChannel, room(ch), "invalid")

	// Reports: Bob reports Ann's message; the queue is for moderators; Mo
	// dismisses it, once.
	rep := decode[protocol.ReportEvent](t, tr.b.call(protocol.ActionReportMessage, map[string]any{"roomId": ch, "seq": own.Seq, "reason": "rude"}, protocol.EventReport))
	tr.b.callError(protocol.ActionListReports, nil, "forbidden")
	q := decode[protocol.ReportsEvent](t, m.call(protocol.ActionListReports, nil, protocol.EventReports))
	if !slices.ContainsFunc(q.Reports, func(r protocol.ReportInfo) bool {
		return r.ID == rep.Report.ID && r.Message.Text == "welcome" && len(r.Context) > 0
	}) {
		t.Fatalf("queue = %+v", q.Reports)
	}
	m.call(protocol.ActionResolveReport, map[string]any{"reportId": rep.Report.ID, "resolution": "dismiss"}, protocol.EventReport)
	m.callError(protocol.ActionResolveReport, map[string]any{"reportId": rep.Report.ID, "resolution": "delete"}, "conflict")

	// Archiving: read-only, out of the browser, back again.
	tr.b.drain()
	tr.a.call(protocol.ActionArchiveChannel, room(ch), protocol.EventRoom)
	archived := decode[protocol.RoomEvent](t, tr.b.expectEvent(protocol.EventRoomUpdated, isRoom(ch)))
	if !archived.Room.Archived {
		t.Errorf("roomUpdated = %+v", archived.Room)
	}
	tr.b.callError(protocol.ActionSendMessage, message(ch, "s-4", "hello?"), "forbidden")
	list := decode[protocol.ChannelsEvent](t, m.call(protocol.ActionListChannels, nil, protocol.EventChannels))
	if slices.ContainsFunc(list.Rooms, func(r chat.Room) bool { return r.ID == ch }) {
		t.Error("archived channel listed")
	}
	tr.a.call(protocol.ActionUnarchiveChannel, room(ch), protocol.EventRoom)
	tr.b.call(protocol.ActionSendMessage, message(ch, "s-5", "back"), protocol.EventAck)

	// The timeline has the system lines.
	hist := decode[protocol.HistoryEvent](t, tr.a.call(protocol.ActionHistory, map[string]any{"roomId": ch, "limit": 100}, protocol.EventHistory))
	var kinds []chat.SystemKind
	for _, msg := range hist.Messages {
		if msg.System != nil {
			kinds = append(kinds, msg.System.Kind)
		}
	}
	for _, k := range []chat.SystemKind{chat.SystemJoined, chat.SystemRole, chat.SystemRemoved, chat.SystemBanned, chat.SystemArchived, chat.SystemUnarchived} {
		if !slices.Contains(kinds, k) {
			t.Errorf("no %s line: %v", k, kinds)
		}
	}

	// The audit log, for admins only.
	m.callError(protocol.ActionListAudit, nil, "forbidden")
	audit := decode[protocol.AuditEvent](t, ad.call(protocol.ActionListAudit, nil, protocol.EventAudit))
	var actions []string
	for _, e := range audit.Entries {
		actions = append(actions, e.Action)
	}
	for _, a := range []string{"deleteMessage", "muteMember", "unmuteMember", "setMemberRole", "removeMember", "banMember", "unbanMember", "resolveReport", "archiveChannel", "unarchiveChannel"} {
		if !slices.Contains(actions, a) {
			t.Errorf("audit has no %s: %v", a, actions)
		}
	}
}

// TestDeletedMessageFilesLeaveTheBucket: a moderator deletes a message
// with a file; the stream pipeline (DynamoDB Local's stream, polled as
// Lambda would, into the stream function streamapp.Build wires, as
// functions/stream and make dev run it: the publisher and the file
// sweeper) deletes the file from S3, so a
// member who kept its key gets no URL that works.
func TestDeletedMessageFilesLeaveTheBucket(t *testing.T) {
	bucket := newFilesBucket(t)
	tr := newTrioWithFiles(t, generousLimits, bucket)
	s := tr.s
	blobs, err := s3blob.New(s.awsCfg, s3blob.Config{Bucket: bucket, UsePathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	s.startEventsWithFiles(bucket) // the stream function as deployed and as make dev runs it

	ch := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionCreateChannel, map[string]any{"name": "files"}, protocol.EventRoom)).Room.ID
	tr.b.call(protocol.ActionJoinChannel, room(ch), protocol.EventRoom)
	file := []byte("a file that must go")
	ticket := decode[protocol.UploadTicketEvent](t, tr.b.call(protocol.ActionRequestUpload,
		map[string]any{"roomId": ch, "name": "note.txt", "size": len(file), "type": "text/plain", "sha256": chat.SHA256Base64(file)}, protocol.EventUploadTicket))
	uploadByTicket(t, ticket, file)
	att := map[string]any{"key": ticket.Key, "name": "note.txt", "size": len(file), "type": "text/plain"}
	ack := decode[protocol.AckEvent](t, tr.b.call(protocol.ActionSendMessage,
		map[string]any{"roomId": ch, "clientId": "f-1", "text": "see file", "attachments": []any{att}}, protocol.EventAck))
	if _, err := blobs.Stat(context.Background(), ticket.Key); err != nil {
		t.Fatalf("file not stored: %v", err)
	}
	start := time.Now()
	tr.a.call(protocol.ActionDeleteMessage, map[string]any{"roomId": ch, "seq": ack.Message.Seq}, protocol.EventMessageUpdated)
	deadline := start.Add(10 * time.Second)
	for {
		_, err := blobs.Stat(context.Background(), ticket.Key)
		if chat.ErrorCode(err) == chat.NotFound {
			t.Logf("file deleted %s after the message", time.Since(start).Round(time.Millisecond))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("file still in the bucket 10 s after the delete (%v)", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Bob kept the key: the server no longer signs it (the message has no
	// attachment now).
	tr.b.callError(protocol.ActionRequestDownload, map[string]any{"roomId": ch, "seq": ack.Message.Seq, "key": ticket.Key}, "not_found")
}

// TestDeleteChannelOverTheGateway: an admin deletes a channel with a file
// in it. Its members' open sockets get roomRemoved (deleted) and drop it;
// the owner cannot (only admins may); its history is gone; its name is
// free; its open report leaves the moderation queue (resolved as
// channelDeleted); and its file leaves the bucket through the stream
// pipeline (message removed -> message.deleted -> file sweeper), not in
// the request.
func TestDeleteChannelOverTheGateway(t *testing.T) {
	bucket := newFilesBucket(t)
	tr := newTrioWithFiles(t, generousLimits, bucket)
	s := tr.s
	adm := s.staff(s.newUser("adm", "Ad Min"), chat.GroupAdmins)
	ad, _ := s.online(adm)
	blobs, err := s3blob.New(s.awsCfg, s3blob.Config{Bucket: bucket, UsePathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	s.startEventsWithFiles(bucket) // the stream function as deployed and as make dev runs it

	ch := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionCreateChannel, map[string]any{"name": "doomed"}, protocol.EventRoom)).Room.ID
	tr.b.call(protocol.ActionJoinChannel, room(ch), protocol.EventRoom)
	file := []byte("a file that goes with its channel")
	ticket := decode[protocol.UploadTicketEvent](t, tr.b.call(protocol.ActionRequestUpload,
		map[string]any{"roomId": ch, "name": "note.txt", "size": len(file), "type": "text/plain", "sha256": chat.SHA256Base64(file)}, protocol.EventUploadTicket))
	uploadByTicket(t, ticket, file)
	att := map[string]any{"key": ticket.Key, "name": "note.txt", "size": len(file), "type": "text/plain"}
	sent := decode[protocol.AckEvent](t, tr.b.call(protocol.ActionSendMessage, map[string]any{"roomId": ch, "clientId": "f-1", "text": "see file", "attachments": []any{att}}, protocol.EventAck))
	tr.a.call(protocol.ActionSendMessage, map[string]any{"roomId": ch, "clientId": "t-1", "text": "plain words"}, protocol.EventAck)
	// An open report of the channel: it leaves the queue with the channel.
	rep := decode[protocol.ReportEvent](t, tr.a.call(protocol.ActionReportMessage, map[string]any{"roomId": ch, "seq": sent.Message.Seq, "reason": "spam"}, protocol.EventReport))
	tr.a.drain()
	tr.b.drain()

	// The owner may not; the admin, not a member, may.
	tr.a.callError(protocol.ActionDeleteChannel, room(ch), "forbidden")
	start := time.Now()
	reply := decode[protocol.RoomRemovedEvent](t, ad.call(protocol.ActionDeleteChannel, room(ch), protocol.EventRoomRemoved))
	if reply.RoomID != ch || !reply.Deleted {
		t.Errorf("reply = %+v", reply)
	}
	for _, c := range []*client{tr.a, tr.b} {
		ev := decode[protocol.RoomRemovedEvent](t, c.expectEvent(protocol.EventRoomRemoved, isRoom(ch)))
		if !ev.Deleted {
			t.Errorf("roomRemoved without deleted: %+v", ev)
		}
	}
	tr.b.callError(protocol.ActionHistory, map[string]any{"roomId": ch}, "not_found")
	tr.b.callError(protocol.ActionSendMessage, map[string]any{"roomId": ch, "clientId": "late", "text": "anyone?"}, "not_found")
	// The name is free again.
	decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionCreateChannel, map[string]any{"name": "doomed"}, protocol.EventRoom))

	deadline := start.Add(10 * time.Second)
	for {
		_, err := blobs.Stat(context.Background(), ticket.Key)
		if chat.ErrorCode(err) == chat.NotFound {
			t.Logf("file deleted %s after the channel", time.Since(start).Round(time.Millisecond))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("file still in the bucket 10 s after the channel was deleted (%v)", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	queue := decode[protocol.ReportsEvent](t, ad.call(protocol.ActionListReports, nil, protocol.EventReports))
	if len(queue.Reports) != 0 {
		t.Errorf("queue after deleting the channel = %+v", queue.Reports)
	}
	ad.callError(protocol.ActionResolveReport, map[string]any{"reportId": rep.Report.ID, "resolution": "dismiss"}, "conflict")
	audit := decode[protocol.AuditEvent](t, ad.call(protocol.ActionListAudit, nil, protocol.EventAudit))
	if len(audit.Entries) == 0 || audit.Entries[0].Action != "deleteChannel" || audit.Entries[0].RoomID != ch {
		t.Errorf("audit = %+v", audit.Entries)
	}
}
