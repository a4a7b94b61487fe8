package service

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Roles and moderation: the use cases that manage a room's members
// (roles, mutes, removals, bans), archive channels, and the report queue
// and audit log. Every one asks the access policy first (chat.Authorize,
// with the target's role for actions on a member) and records what it did
// in the audit log.

// DefaultAuditRetention is how long audit entries are kept unless
// Config.AuditRetention says otherwise.
const DefaultAuditRetention = 365 * 24 * time.Hour

// newID returns 16 random bytes, URL-safe: report and audit ids.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// reason validates a moderator's or reporter's free-text reason.
func reason(raw string) (string, error) {
	r := strings.TrimSpace(raw)
	if !utf8.ValidString(r) || hasControl(r) {
		return "", chat.Errorf(chat.Invalid, "reason must be plain text")
	}
	if utf8.RuneCountInString(r) > protocol.MaxReasonRunes {
		return "", chat.Errorf(chat.Invalid, "reason is too long: at most %d characters", protocol.MaxReasonRunes)
	}
	return r, nil
}

// authorizeOn asks the policy whether c may do a moderation action on
// userID in roomID, reading the target's membership first (the policy
// protects owners). The target is nil when userID is not a member.
func (s *Chat) authorizeOn(ctx context.Context, c chat.Connection, action chat.Action, roomID, userID string) (roomAccess, error) {
	if err := checkUserID(userID); err != nil {
		return roomAccess{}, err
	}
	return s.authorizeWith(ctx, c, action, roomID, true, func(ra *roomAccess) error {
		m, err := s.store.GetMember(ctx, roomID, userID)
		switch {
		case err == nil:
			ra.target = &m
		case chat.ErrorCode(err) != chat.NotFound:
			return storeErr(err, "get membership")
		}
		return nil
	})
}

// needTarget refuses an action on someone who is not a member, or on
// oneself.
func needTarget(ra roomAccess, c chat.Connection, userID, verb string) error {
	if userID == c.UserID {
		return chat.Errorf(chat.Invalid, "you cannot %s yourself", verb)
	}
	if ra.target == nil {
		return chat.Errorf(chat.NotFound, "that person is not a member of this room")
	}
	return nil
}

// audit records one moderation or administration action. A failure is
// logged, not returned: the action is done and stored by then.
func (s *Chat) audit(ctx context.Context, c chat.Connection, action chat.Action, roomID, target string, seq int64, why, detail string) {
	now := s.clock()
	e := chat.AuditEntry{
		ID: newID(), At: now, ActorID: c.UserID, Action: string(action),
		RoomID: roomID, TargetID: target, Seq: seq, Reason: why, Detail: detail,
		ExpiresAt: now.Add(s.auditRetention),
	}
	if err := s.store.PutAudit(ctx, e); err != nil {
		s.log.ErrorContext(ctx, "audit entry not stored", slog.String("action", e.Action),
			slog.String("actorId", c.UserID), slog.String("roomId", roomID), slog.Any("error", err))
	}
}

// SetMemberRole makes a member an owner, a moderator or a plain member
// (owners and admins only). Ownership is handed on by making someone else
// an owner; the last owner cannot step down.
func (s *Chat) SetMemberRole(ctx context.Context, c chat.Connection, r protocol.SetMemberRoleRequest) (protocol.MembersEvent, error) {
	switch r.Role {
	case chat.RoleOwner, chat.RoleModerator, chat.RoleMember:
	default:
		return protocol.MembersEvent{}, chat.Errorf(chat.Invalid, "role must be owner, moderator or member")
	}
	ra, err := s.authorizeOn(ctx, c, chat.ActSetMemberRole, r.RoomID, r.UserID)
	if err != nil {
		return protocol.MembersEvent{}, err
	}
	if ra.target == nil {
		return protocol.MembersEvent{}, chat.Errorf(chat.NotFound, "that person is not a member of this room")
	}
	if ra.target.Role == r.Role {
		return s.membersEvent(ctx, r.RoomID, c.UserID)
	}
	if ra.target.Role == chat.RoleOwner {
		owners, err := s.owners(ctx, r.RoomID)
		if err != nil {
			return protocol.MembersEvent{}, err
		}
		if owners <= 1 {
			return protocol.MembersEvent{}, chat.Errorf(chat.Invalid, "a channel needs an owner: make someone else an owner first")
		}
	}
	role := r.Role
	m, err := s.store.UpdateMember(ctx, r.RoomID, r.UserID, &role, nil)
	if err != nil {
		return protocol.MembersEvent{}, storeErr(err, "set role")
	}
	s.publish(ctx, chat.MemberUpdated{Actor: chat.Actor{UserID: c.UserID, ConnectionID: c.ID}, Member: m})
	s.systemLine(ctx, ra.room.ID, chat.Actor{UserID: c.UserID, ConnectionID: c.ID}, chat.SystemLine{Kind: chat.SystemRole, UserIDs: []string{r.UserID}, Role: role}, s.profileOrStub(ctx, r.UserID).DisplayName)
	s.audit(ctx, c, chat.ActSetMemberRole, r.RoomID, r.UserID, 0, "", string(role))
	return s.membersEvent(ctx, r.RoomID, c.UserID)
}

// owners counts a room's owners.
func (s *Chat) owners(ctx context.Context, roomID string) (int, error) {
	ms, err := s.store.ListMembers(ctx, roomID)
	if err != nil {
		return 0, storeErr(err, "list members")
	}
	n := 0
	for _, m := range ms {
		if m.Role == chat.RoleOwner {
			n++
		}
	}
	return n, nil
}

// MuteMember stops a member from sending in a room for r.Minutes. Their
// sends are refused (forbidden, naming when the mute ends) and their
// clients show a banner (memberUpdated).
func (s *Chat) MuteMember(ctx context.Context, c chat.Connection, r protocol.MuteMemberRequest) (protocol.MembersEvent, error) {
	if r.Minutes < 1 || r.Minutes > protocol.MaxMuteMinutes {
		return protocol.MembersEvent{}, chat.Errorf(chat.Invalid, "minutes must be between 1 and %d", protocol.MaxMuteMinutes)
	}
	why, err := reason(r.Reason)
	if err != nil {
		return protocol.MembersEvent{}, err
	}
	ra, err := s.authorizeOn(ctx, c, chat.ActMuteMember, r.RoomID, r.UserID)
	if err != nil {
		return protocol.MembersEvent{}, err
	}
	if err := needTarget(ra, c, r.UserID, "mute"); err != nil {
		return protocol.MembersEvent{}, err
	}
	until := ra.now.Add(time.Duration(r.Minutes) * time.Minute)
	return s.setMute(ctx, c, chat.ActMuteMember, r.RoomID, r.UserID, until, why)
}

// UnmuteMember lifts a mute.
func (s *Chat) UnmuteMember(ctx context.Context, c chat.Connection, r protocol.MemberActionRequest) (protocol.MembersEvent, error) {
	why, err := reason(r.Reason)
	if err != nil {
		return protocol.MembersEvent{}, err
	}
	ra, err := s.authorizeOn(ctx, c, chat.ActUnmuteMember, r.RoomID, r.UserID)
	if err != nil {
		return protocol.MembersEvent{}, err
	}
	if err := needTarget(ra, c, r.UserID, "unmute"); err != nil {
		return protocol.MembersEvent{}, err
	}
	if !ra.target.MutedAt(ra.now) {
		return s.membersEvent(ctx, r.RoomID, c.UserID)
	}
	return s.setMute(ctx, c, chat.ActUnmuteMember, r.RoomID, r.UserID, time.Time{}, why)
}

func (s *Chat) setMute(ctx context.Context, c chat.Connection, action chat.Action, roomID, userID string, until time.Time, why string) (protocol.MembersEvent, error) {
	m, err := s.store.UpdateMember(ctx, roomID, userID, nil, &until)
	if err != nil {
		return protocol.MembersEvent{}, storeErr(err, "mute member")
	}
	s.publish(ctx, chat.MemberUpdated{Actor: chat.Actor{UserID: c.UserID, ConnectionID: c.ID}, Member: m})
	detail := ""
	if !until.IsZero() {
		detail = "until " + until.Format(time.RFC3339)
	}
	s.audit(ctx, c, action, roomID, userID, 0, why, detail)
	return s.membersEvent(ctx, roomID, c.UserID)
}

// RemoveMember removes (kicks) a member from a channel. They may rejoin a
// public channel (ban to keep them out).
func (s *Chat) RemoveMember(ctx context.Context, c chat.Connection, r protocol.MemberActionRequest) (protocol.MembersEvent, error) {
	why, err := reason(r.Reason)
	if err != nil {
		return protocol.MembersEvent{}, err
	}
	ra, err := s.authorizeOn(ctx, c, chat.ActRemoveMember, r.RoomID, r.UserID)
	if err != nil {
		return protocol.MembersEvent{}, err
	}
	if err := needTarget(ra, c, r.UserID, "remove"); err != nil {
		return protocol.MembersEvent{}, err
	}
	if err := s.removeFromRoom(ctx, c, ra.room, r.UserID); err != nil {
		return protocol.MembersEvent{}, err
	}
	s.systemLine(ctx, ra.room.ID, chat.Actor{UserID: c.UserID, ConnectionID: c.ID}, chat.SystemLine{Kind: chat.SystemRemoved, UserIDs: []string{r.UserID}}, s.profileOrStub(ctx, r.UserID).DisplayName)
	s.audit(ctx, c, chat.ActRemoveMember, r.RoomID, r.UserID, 0, why, "")
	return s.membersEvent(ctx, r.RoomID, c.UserID)
}

// removeFromRoom deletes userID's membership, unindexes their connections,
// publishes MemberLeft (c acting) and tells their connections the room is
// gone. A membership gone already is not an error.
func (s *Chat) removeFromRoom(ctx context.Context, c chat.Connection, room chat.Room, userID string) error {
	err := s.store.RemoveMember(ctx, room.ID, userID)
	if chat.ErrorCode(err) == chat.NotFound {
		return nil
	}
	if err != nil {
		return storeErr(err, "remove member")
	}
	conns, err := s.store.UserConnections(ctx, userID)
	if err != nil {
		return storeErr(err, "list connections")
	}
	if len(conns) > 0 {
		if err := s.store.RemoveRoomConnections(ctx, room.ID, conns); err != nil {
			return storeErr(err, "unindex room connections")
		}
	}
	s.publish(ctx, chat.MemberLeft{Actor: chat.Actor{UserID: c.UserID, ConnectionID: c.ID}, RoomID: room.ID, UserID: userID, At: s.clock()})
	if room.Encrypted { // who was removed reads nothing new (e2ee_rotate.go)
		s.rotateAfterMemberChange(ctx, chat.Actor{UserID: c.UserID, ConnectionID: c.ID}, room)
	}
	s.push.send(ctx, without(conns, c.ID), protocol.RoomRemovedEvent{Head: protocol.Head{Type: protocol.EventRoomRemoved}, RoomID: room.ID})
	return nil
}

// BanMember removes a member (or keeps out a non-member) until unbanned:
// they cannot rejoin a public channel or be invited back.
func (s *Chat) BanMember(ctx context.Context, c chat.Connection, r protocol.MemberActionRequest) (protocol.BansEvent, error) {
	why, err := reason(r.Reason)
	if err != nil {
		return protocol.BansEvent{}, err
	}
	ra, err := s.authorizeOn(ctx, c, chat.ActBanMember, r.RoomID, r.UserID)
	if err != nil {
		return protocol.BansEvent{}, err
	}
	if r.UserID == c.UserID {
		return protocol.BansEvent{}, chat.Errorf(chat.Invalid, "you cannot ban yourself")
	}
	if ra.target == nil {
		if _, err := s.requireProfiles(ctx, []string{r.UserID}); err != nil {
			return protocol.BansEvent{}, err
		}
	}
	if err := s.store.PutBan(ctx, chat.Ban{RoomID: r.RoomID, UserID: r.UserID, By: c.UserID, Reason: why, BannedAt: ra.now}); err != nil {
		return protocol.BansEvent{}, storeErr(err, "ban")
	}
	if ra.target != nil {
		if err := s.removeFromRoom(ctx, c, ra.room, r.UserID); err != nil {
			return protocol.BansEvent{}, err
		}
		s.systemLine(ctx, ra.room.ID, chat.Actor{UserID: c.UserID, ConnectionID: c.ID}, chat.SystemLine{Kind: chat.SystemBanned, UserIDs: []string{r.UserID}}, s.profileOrStub(ctx, r.UserID).DisplayName)
	}
	s.audit(ctx, c, chat.ActBanMember, r.RoomID, r.UserID, 0, why, "")
	return s.bansEvent(ctx, r.RoomID)
}

// UnbanMember lifts a ban; the person may join or be invited again.
func (s *Chat) UnbanMember(ctx context.Context, c chat.Connection, r protocol.MemberActionRequest) (protocol.BansEvent, error) {
	why, err := reason(r.Reason)
	if err != nil {
		return protocol.BansEvent{}, err
	}
	if err := checkUserID(r.UserID); err != nil {
		return protocol.BansEvent{}, err
	}
	if _, err := s.authorize(ctx, c, chat.ActUnbanMember, r.RoomID, true); err != nil {
		return protocol.BansEvent{}, err
	}
	switch err := s.store.DeleteBan(ctx, r.RoomID, r.UserID); chat.ErrorCode(err) {
	case "":
		s.audit(ctx, c, chat.ActUnbanMember, r.RoomID, r.UserID, 0, why, "")
	case chat.NotFound:
		return protocol.BansEvent{}, chat.Errorf(chat.NotFound, "that person is not banned here")
	default:
		return protocol.BansEvent{}, storeErr(err, "unban")
	}
	return s.bansEvent(ctx, r.RoomID)
}

// ListBans lists who is banned from a room, for its moderators.
func (s *Chat) ListBans(ctx context.Context, c chat.Connection, r protocol.RoomRequest) (protocol.BansEvent, error) {
	if _, err := s.authorize(ctx, c, chat.ActListBans, r.RoomID, true); err != nil {
		return protocol.BansEvent{}, err
	}
	return s.bansEvent(ctx, r.RoomID)
}

func (s *Chat) bansEvent(ctx context.Context, roomID string) (protocol.BansEvent, error) {
	bans, err := s.store.ListBans(ctx, roomID)
	if err != nil {
		return protocol.BansEvent{}, storeErr(err, "list bans")
	}
	ids := make([]string, len(bans))
	for i, b := range bans {
		ids[i] = b.UserID
	}
	ps, err := s.profilesOf(ctx, ids)
	if err != nil {
		return protocol.BansEvent{}, err
	}
	byID := map[string]chat.Profile{}
	for _, p := range ps {
		byID[p.UserID] = p
	}
	ev := protocol.BansEvent{Head: protocol.Head{Type: protocol.EventBans}, RoomID: roomID, Bans: []protocol.BanInfo{}}
	for _, b := range bans {
		p, ok := byID[b.UserID]
		if !ok {
			p = chat.Profile{UserID: b.UserID}
		}
		ev.Bans = append(ev.Bans, protocol.BanInfo{Ban: b, User: p})
	}
	return ev, nil
}

// ArchiveChannel makes a channel read-only and hides it from browse. Its
// members keep it (and its history).
func (s *Chat) ArchiveChannel(ctx context.Context, c chat.Connection, r protocol.RoomRequest) (protocol.RoomEvent, error) {
	return s.setArchived(ctx, c, chat.ActArchiveChannel, r.RoomID, true)
}

// UnarchiveChannel makes an archived channel writable and browsable again.
func (s *Chat) UnarchiveChannel(ctx context.Context, c chat.Connection, r protocol.RoomRequest) (protocol.RoomEvent, error) {
	return s.setArchived(ctx, c, chat.ActUnarchiveChannel, r.RoomID, false)
}

func (s *Chat) setArchived(ctx context.Context, c chat.Connection, action chat.Action, roomID string, archived bool) (protocol.RoomEvent, error) {
	ra, err := s.authorize(ctx, c, action, roomID, true)
	if err != nil {
		return protocol.RoomEvent{}, err
	}
	room := ra.room
	if room.Archived != archived {
		if room, err = s.store.SetArchived(ctx, roomID, archived); err != nil {
			return protocol.RoomEvent{}, storeErr(err, "archive channel")
		}
		kind := chat.SystemUnarchived
		if archived {
			kind = chat.SystemArchived
		} else {
			s.systemLine(ctx, room.ID, chat.Actor{UserID: c.UserID, ConnectionID: c.ID}, chat.SystemLine{Kind: kind})
		}
		s.publish(ctx, chat.RoomUpdated{Actor: chat.Actor{UserID: c.UserID, ConnectionID: c.ID}, Room: room})
		if archived { // written before the room turns read-only for clients
			s.systemLine(ctx, room.ID, chat.Actor{UserID: c.UserID, ConnectionID: c.ID}, chat.SystemLine{Kind: kind})
		}
		s.audit(ctx, c, action, roomID, "", 0, "", "")
	}
	st := protocol.RoomState{Room: room}
	if ra.member != nil {
		st.ReadSeq, st.Role = ra.member.ReadSeq, ra.member.Role
	}
	return protocol.RoomEvent{Head: protocol.Head{Type: protocol.EventRoom}, Room: st}, nil
}

// ReportMessage puts a message in the moderation queue. Any member may
// report someone else's message; the report keeps the message as it was.
func (s *Chat) ReportMessage(ctx context.Context, c chat.Connection, r protocol.ReportMessageRequest) (protocol.ReportEvent, error) {
	why, err := reason(r.Reason)
	if err != nil {
		return protocol.ReportEvent{}, err
	}
	ra, err := s.authorize(ctx, c, chat.ActReportMessage, r.RoomID, true)
	if err != nil {
		return protocol.ReportEvent{}, err
	}
	if r.Seq <= 0 {
		return protocol.ReportEvent{}, chat.Errorf(chat.Invalid, "seq must be positive")
	}
	msg, err := s.store.GetMessage(ctx, r.RoomID, r.Seq)
	if chat.ErrorCode(err) == chat.NotFound {
		return protocol.ReportEvent{}, chat.Errorf(chat.NotFound, "message not found")
	}
	if err != nil {
		return protocol.ReportEvent{}, storeErr(err, "get message")
	}
	switch {
	case msg.SenderID == c.UserID:
		return protocol.ReportEvent{}, chat.Errorf(chat.Invalid, "you cannot report your own message")
	case msg.Deleted || msg.System != nil:
		return protocol.ReportEvent{}, chat.Errorf(chat.Invalid, "only messages people wrote can be reported")
	}
	rep := chat.Report{ID: newID(), RoomID: r.RoomID, Seq: r.Seq, ReporterID: c.UserID, Reason: why, CreatedAt: s.clock(), Message: msg}
	if msg.Encrypted != nil {
		// The server cannot read it: the reporter's client sends what it
		// decrypted, shown to moderators as such (e2ee_rooms.go).
		if rep.DecryptedText, err = reportedPlaintext(r.Plaintext); err != nil {
			return protocol.ReportEvent{}, err
		}
	}
	if err := s.store.PutReport(ctx, rep); err != nil {
		return protocol.ReportEvent{}, storeErr(err, "store report")
	}
	return protocol.ReportEvent{Head: protocol.Head{Type: protocol.EventReport}, Report: protocol.ReportInfo{Report: rep, RoomName: ra.room.Name, Context: []chat.Message{}}}, nil
}

// ListReports pages through the open reports (workspace moderators and
// admins), each with its room's name and the messages around it now. A
// workspace moderator sees the reports of the rooms they may moderate.
func (s *Chat) ListReports(ctx context.Context, c chat.Connection, r protocol.ListReportsRequest) (protocol.ReportsEvent, error) {
	if len(r.Cursor) > maxCursorLen {
		return protocol.ReportsEvent{}, chat.Errorf(chat.Invalid, "cursor is malformed")
	}
	if err := chat.Authorize(chat.ActListReports, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.ReportsEvent{}, err
	}
	reps, next, err := s.store.ListOpenReports(ctx, r.Cursor, protocol.ReportsPageSize)
	if err != nil {
		return protocol.ReportsEvent{}, storeErr(err, "list reports")
	}
	ev := protocol.ReportsEvent{Head: protocol.Head{Type: protocol.EventReports}, Reports: []protocol.ReportInfo{}, Cursor: next}
	for _, rep := range reps {
		ra, err := s.authorize(ctx, c, chat.ActDeleteMessage, rep.RoomID, true)
		if err != nil {
			if code := chat.ErrorCode(err); code == chat.Internal {
				return protocol.ReportsEvent{}, err
			}
			continue // a room this moderator may not moderate
		}
		info := protocol.ReportInfo{Report: rep, RoomName: ra.room.Name}
		before, _, err := s.store.MessagesBefore(ctx, rep.RoomID, rep.Seq, protocol.ReportContextLen)
		if err != nil {
			return protocol.ReportsEvent{}, storeErr(err, "read context")
		}
		after, _, err := s.store.MessagesAfter(ctx, rep.RoomID, rep.Seq-1, protocol.ReportContextLen+1)
		if err != nil {
			return protocol.ReportsEvent{}, storeErr(err, "read context")
		}
		for i := len(before) - 1; i >= 0; i-- {
			info.Context = append(info.Context, before[i])
		}
		info.Context = append(info.Context, after...)
		if info.Context == nil {
			info.Context = []chat.Message{}
		}
		ev.Reports = append(ev.Reports, info)
	}
	return ev, nil
}

// ResolveReport closes a report with one click: dismiss it, or delete the
// message, mute its sender (r.Minutes, default 60) or ban them from the
// room. The action is the same use case a moderator would call, so it is
// authorized and audited as such; the resolution is audited too.
func (s *Chat) ResolveReport(ctx context.Context, c chat.Connection, r protocol.ResolveReportRequest) (protocol.ReportEvent, error) {
	if err := chat.Authorize(chat.ActResolveReport, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.ReportEvent{}, err
	}
	if r.ReportID == "" || len(r.ReportID) > 64 {
		return protocol.ReportEvent{}, chat.Errorf(chat.Invalid, "reportId is required")
	}
	rep, err := s.store.GetReport(ctx, r.ReportID)
	if chat.ErrorCode(err) == chat.NotFound {
		return protocol.ReportEvent{}, chat.Errorf(chat.NotFound, "report not found")
	}
	if err != nil {
		return protocol.ReportEvent{}, storeErr(err, "get report")
	}
	if rep.Resolution != "" {
		return protocol.ReportEvent{}, chat.Errorf(chat.Conflict, "report was resolved already (%s)", rep.Resolution)
	}
	// Whoever resolves must be able to moderate the room.
	ra, err := s.authorize(ctx, c, chat.ActDeleteMessage, rep.RoomID, true)
	if err != nil {
		return protocol.ReportEvent{}, err
	}
	sender := rep.Message.SenderID
	switch r.Resolution {
	case protocol.ResolveDismiss:
	case protocol.ResolveDelete:
		_, err = s.DeleteMessage(ctx, c, protocol.MessageRef{RoomID: rep.RoomID, Seq: rep.Seq})
	case protocol.ResolveMute:
		minutes := r.Minutes
		if minutes == 0 {
			minutes = 60
		}
		_, err = s.MuteMember(ctx, c, protocol.MuteMemberRequest{RoomID: rep.RoomID, UserID: sender, Minutes: minutes, Reason: rep.Reason})
	case protocol.ResolveBan:
		_, err = s.BanMember(ctx, c, protocol.MemberActionRequest{RoomID: rep.RoomID, UserID: sender, Reason: rep.Reason})
	default:
		return protocol.ReportEvent{}, chat.Errorf(chat.Invalid, "resolution must be dismiss, delete, mute or ban")
	}
	if err != nil {
		return protocol.ReportEvent{}, err
	}
	rep, err = s.store.ResolveReport(ctx, rep.ID, r.Resolution, c.UserID, s.clock())
	if err != nil {
		if chat.ErrorCode(err) == chat.Conflict {
			return protocol.ReportEvent{}, chat.Errorf(chat.Conflict, "report was resolved already")
		}
		return protocol.ReportEvent{}, storeErr(err, "resolve report")
	}
	s.audit(ctx, c, chat.ActResolveReport, rep.RoomID, sender, rep.Seq, rep.Reason, r.Resolution)
	return protocol.ReportEvent{Head: protocol.Head{Type: protocol.EventReport}, Report: protocol.ReportInfo{Report: rep, RoomName: ra.room.Name, Context: []chat.Message{}}}, nil
}

// ListAudit pages through the audit log, newest first (admins).
func (s *Chat) ListAudit(ctx context.Context, c chat.Connection, r protocol.ListAuditRequest) (protocol.AuditEvent, error) {
	if len(r.Cursor) > maxCursorLen {
		return protocol.AuditEvent{}, chat.Errorf(chat.Invalid, "cursor is malformed")
	}
	if err := chat.Authorize(chat.ActListAudit, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.AuditEvent{}, err
	}
	es, next, err := s.store.ListAudit(ctx, r.Cursor, protocol.AuditPageSize)
	if err != nil {
		return protocol.AuditEvent{}, storeErr(err, "list audit")
	}
	if es == nil {
		es = []chat.AuditEntry{}
	}
	return protocol.AuditEvent{Head: protocol.Head{Type: protocol.EventAudit}, Entries: es, Cursor: next}, nil
}

// DeleteChannel deletes a channel for everyone (workspace admins only; not
// #general, not direct rooms). In the request only the bounded part: the
// room is marked deleted (not_found to every action from now, out of
// browse), its name freed and its members removed (store.DeleteRoom). Its
// messages, files, bans, invitations and fan-out index go in the
// background: the room.deleted stream record drives the purger
// (internal/roompurge), and each removed message reaches the file sweeper
// (internal/filesweep). Every
// connection that had the room open gets roomRemoved with deleted set,
// and drops it; the reply is the same event.
func (s *Chat) DeleteChannel(ctx context.Context, c chat.Connection, r protocol.RoomRequest) (protocol.RoomRemovedEvent, error) {
	ra, err := s.authorize(ctx, c, chat.ActDeleteChannel, r.RoomID, true)
	if err != nil {
		return protocol.RoomRemovedEvent{}, err
	}
	// Who to tell, read before the index goes with the room.
	conns, err := s.store.RoomConnections(ctx, ra.room.ID)
	if err != nil {
		return protocol.RoomRemovedEvent{}, storeErr(err, "list room connections")
	}
	if err := s.store.DeleteRoom(ctx, ra.room.ID, c.UserID); err != nil {
		return protocol.RoomRemovedEvent{}, storeErr(err, "delete channel")
	}
	s.audit(ctx, c, chat.ActDeleteChannel, ra.room.ID, "", 0, "", "#"+ra.room.Name)
	s.closeReportsOf(ctx, c, ra.room.ID)
	ev := protocol.RoomRemovedEvent{Head: protocol.Head{Type: protocol.EventRoomRemoved}, RoomID: ra.room.ID, Deleted: true}
	ids := make([]string, 0, len(conns))
	for _, rc := range conns {
		ids = append(ids, rc.ConnectionID)
	}
	s.push.send(ctx, without(ids, c.ID), ev)
	return ev, nil
}

// closeReportsOf resolves the open reports of a deleted channel as
// channelDeleted (by the admin who deleted it), so they leave the
// moderation queue with their channel. The channel is gone already, so a
// failure is logged, not answered: such a report stays open but hidden
// (ListReports leaves out reports of rooms the caller cannot moderate, a
// deleted one included).
func (s *Chat) closeReportsOf(ctx context.Context, c chat.Connection, roomID string) {
	cursor, closed := "", 0
	for {
		reps, next, err := s.store.ListOpenReports(ctx, cursor, protocol.ReportsPageSize)
		if err != nil {
			s.log.WarnContext(ctx, "reports of a deleted channel not closed", slog.String("roomId", roomID), slog.Any("error", err))
			return
		}
		for _, rep := range reps {
			if rep.RoomID != roomID {
				continue
			}
			_, err := s.store.ResolveReport(ctx, rep.ID, protocol.ResolutionChannelDeleted, c.UserID, s.clock())
			if err != nil && chat.ErrorCode(err) != chat.Conflict { // Conflict: a moderator resolved it meanwhile
				s.log.WarnContext(ctx, "report of a deleted channel not closed", slog.String("reportId", rep.ID), slog.Any("error", err))
				continue
			}
			closed++
		}
		if next == "" || len(reps) == 0 {
			break
		}
		cursor = next
	}
	if closed > 0 {
		s.log.InfoContext(ctx, "reports of a deleted channel closed", slog.String("roomId", roomID), slog.Int("reports", closed))
	}
}
