package dynamo

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Moderation items:
//
//	ban    pk ROOM#<roomId>, sk BAN#<userId>
//	report pk REPORT#<id>,   sk META; gsi1 (REPORTS, <newest first>#<id>) while open
//	audit  pk AUDIT#<id>,    sk META; gsi1 (AUDIT, <newest first>#<id>); ttl
//
// Reports and audit entries are rare (people act, not machines), so one
// gsi1 partition each is far from any partition limit.

type banItem struct {
	PK       string    `dynamo:"pk"`
	SK       string    `dynamo:"sk"`
	RoomID   string    `dynamo:"roomId"`
	UserID   string    `dynamo:"userId"`
	By       string    `dynamo:"by,omitempty"`
	Reason   string    `dynamo:"reason,omitempty"`
	BannedAt time.Time `dynamo:"bannedAt"`
}

type reportItem struct {
	PK         string    `dynamo:"pk"`
	SK         string    `dynamo:"sk"`
	GSI1PK     string    `dynamo:"gsi1pk,omitempty"`
	GSI1SK     string    `dynamo:"gsi1sk,omitempty"`
	ID         string    `dynamo:"reportId"`
	RoomID     string    `dynamo:"roomId"`
	Seq        int64     `dynamo:"seq"`
	ReporterID string    `dynamo:"reporterId"`
	Reason     string    `dynamo:"reason,omitempty"`
	CreatedAt  time.Time `dynamo:"createdAt"`
	Message    string    `dynamo:"message"` // JSON of the message as reported
	// DecryptedText: an encrypted message's text as the reporter's client
	// decrypted it (issue #19).
	DecryptedText string    `dynamo:"decryptedText,omitempty"`
	Resolution    string    `dynamo:"resolution,omitempty"`
	ResolvedBy    string    `dynamo:"resolvedBy,omitempty"`
	ResolvedAt    time.Time `dynamo:"resolvedAt,omitempty"`
}

type auditItem struct {
	PK       string    `dynamo:"pk"`
	SK       string    `dynamo:"sk"`
	GSI1PK   string    `dynamo:"gsi1pk"`
	GSI1SK   string    `dynamo:"gsi1sk"`
	ID       string    `dynamo:"auditId"`
	At       time.Time `dynamo:"at"`
	ActorID  string    `dynamo:"actorId"`
	Action   string    `dynamo:"action"`
	RoomID   string    `dynamo:"roomId,omitempty"`
	TargetID string    `dynamo:"targetId,omitempty"`
	Seq      int64     `dynamo:"seq,omitempty"`
	Reason   string    `dynamo:"reason,omitempty"`
	Detail   string    `dynamo:"detail,omitempty"`
	TTL      int64     `dynamo:"ttl,omitempty"`
}

// newestFirst is a sort key that orders later times first.
func newestFirst(t time.Time, id string) string {
	return fmt.Sprintf("%019d#%s", math.MaxInt64-t.UnixNano(), id)
}

func banSK(userID string) string { return prefixBan + userID }

// UpdateMember sets the non-nil fields of a membership; a zero mutedUntil
// removes the attribute.
func (s *Store) UpdateMember(ctx context.Context, roomID, userID string, role *chat.Role, mutedUntil *time.Time) (chat.Member, error) {
	ctx = withOp(ctx, "UpdateMember")
	u := s.table.Update(AttrPK, roomPK(roomID)).Range(AttrSK, memberSK(userID)).If("attribute_exists($)", AttrPK)
	if role != nil {
		u.Set("role", string(*role))
	}
	if mutedUntil != nil {
		if mutedUntil.IsZero() {
			u.Remove("mutedUntil")
		} else {
			u.Set("mutedUntil", mutedUntil.UTC())
		}
	}
	var it memberItem
	err := retryConflicts(ctx, func() error { return u.Value(ctx, &it) })
	if isCondFailed(err) {
		return chat.Member{}, chat.Errorf(chat.NotFound, "%s is not a member of %s", userID, roomID)
	}
	if err != nil {
		return chat.Member{}, internal(err, "update member")
	}
	return it.member(), nil
}

// SetArchived archives (out of the PUBLIC index) or unarchives (back into
// it, for a public channel) a room.
func (s *Store) SetArchived(ctx context.Context, roomID string, archived bool) (chat.Room, error) {
	ctx = withOp(ctx, "SetArchived")
	room, err := s.GetRoom(ctx, roomID)
	if err != nil {
		return chat.Room{}, err
	}
	u := s.table.Update(AttrPK, roomPK(roomID)).Range(AttrSK, skMeta).If("attribute_exists($)", AttrPK)
	if archived {
		u.Set("archived", true).Remove(AttrGSI1PK)
	} else {
		u.Remove("archived")
		if room.Kind == chat.KindPublic {
			u.Set(AttrGSI1PK, gsiPublic).Set(AttrGSI1SK, publicRoomGSISK(room.Name, roomID))
		}
	}
	err = retryConflicts(ctx, func() error { return u.Run(ctx) })
	if isCondFailed(err) {
		return chat.Room{}, chat.Errorf(chat.NotFound, "room %s not found", roomID)
	}
	if err != nil {
		return chat.Room{}, internal(err, "archive room")
	}
	room.Archived = archived
	return room, nil
}

func (s *Store) PutBan(ctx context.Context, b chat.Ban) error {
	ctx = withOp(ctx, "PutBan")
	it := banItem{PK: roomPK(b.RoomID), SK: banSK(b.UserID), RoomID: b.RoomID, UserID: b.UserID, By: b.By, Reason: b.Reason, BannedAt: utc(b.BannedAt)}
	if err := s.table.Put(it).Run(ctx); err != nil {
		return internal(err, "put ban")
	}
	return nil
}

// GetBan reads a ban with a strongly consistent read: it authorizes joins.
func (s *Store) GetBan(ctx context.Context, roomID, userID string) (chat.Ban, error) {
	ctx = withOp(ctx, "GetBan")
	var it banItem
	err := s.table.Get(AttrPK, roomPK(roomID)).Range(AttrSK, gdynamo.Equal, banSK(userID)).Consistent(true).One(ctx, &it)
	if isNotFound(err) {
		return chat.Ban{}, chat.Errorf(chat.NotFound, "%s is not banned from %s", userID, roomID)
	}
	if err != nil {
		return chat.Ban{}, internal(err, "get ban")
	}
	return it.ban(), nil
}

func (it banItem) ban() chat.Ban {
	return chat.Ban{RoomID: it.RoomID, UserID: it.UserID, By: it.By, Reason: it.Reason, BannedAt: it.BannedAt}
}

func (s *Store) DeleteBan(ctx context.Context, roomID, userID string) error {
	ctx = withOp(ctx, "DeleteBan")
	err := s.table.Delete(AttrPK, roomPK(roomID)).Range(AttrSK, banSK(userID)).If("attribute_exists($)", AttrPK).Run(ctx)
	if isCondFailed(err) {
		return chat.Errorf(chat.NotFound, "%s is not banned from %s", userID, roomID)
	}
	if err != nil {
		return internal(err, "delete ban")
	}
	return nil
}

func (s *Store) ListBans(ctx context.Context, roomID string) ([]chat.Ban, error) {
	ctx = withOp(ctx, "ListBans")
	var items []banItem
	err := s.table.Get(AttrPK, roomPK(roomID)).Range(AttrSK, gdynamo.BeginsWith, prefixBan).Consistent(true).All(ctx, &items)
	if err != nil {
		return nil, internal(err, "list bans")
	}
	out := make([]chat.Ban, 0, len(items))
	for _, it := range items {
		out = append(out, it.ban())
	}
	return out, nil
}

func (s *Store) PutReport(ctx context.Context, r chat.Report) error {
	ctx = withOp(ctx, "PutReport")
	msg, err := json.Marshal(r.Message)
	if err != nil {
		return internal(err, "encode reported message")
	}
	// The room's pointer to the report first (idempotent): the purge of a
	// deleted channel finds its reports by it (PurgeRoom).
	ref := reportRefItem{PK: roomPK(r.RoomID), SK: prefixReport + r.ID, ReportID: r.ID, Seq: r.Seq}
	if err := s.table.Put(ref).Run(ctx); err != nil {
		return internal(err, "put report reference")
	}
	it := reportItem{
		PK: prefixReport + r.ID, SK: skMeta, GSI1PK: gsiReports, GSI1SK: newestFirst(r.CreatedAt, r.ID),
		ID: r.ID, RoomID: r.RoomID, Seq: r.Seq, ReporterID: r.ReporterID, Reason: r.Reason,
		CreatedAt: utc(r.CreatedAt), Message: string(msg), DecryptedText: r.DecryptedText,
	}
	err = s.table.Put(it).If("attribute_not_exists($)", AttrPK).Run(ctx)
	if isCondFailed(err) {
		return chat.Errorf(chat.Conflict, "report %s exists", r.ID)
	}
	if err != nil {
		return internal(err, "put report")
	}
	return nil
}

func (it reportItem) report() (chat.Report, error) {
	r := chat.Report{
		ID: it.ID, RoomID: it.RoomID, Seq: it.Seq, ReporterID: it.ReporterID, Reason: it.Reason,
		CreatedAt: it.CreatedAt, Resolution: it.Resolution, ResolvedBy: it.ResolvedBy, ResolvedAt: it.ResolvedAt,
		DecryptedText: it.DecryptedText,
	}
	if err := json.Unmarshal([]byte(it.Message), &r.Message); err != nil {
		return chat.Report{}, internal(err, "decode reported message")
	}
	return r, nil
}

func (s *Store) GetReport(ctx context.Context, id string) (chat.Report, error) {
	ctx = withOp(ctx, "GetReport")
	var it reportItem
	err := s.table.Get(AttrPK, prefixReport+id).Range(AttrSK, gdynamo.Equal, skMeta).Consistent(true).One(ctx, &it)
	if isNotFound(err) {
		return chat.Report{}, chat.Errorf(chat.NotFound, "report not found")
	}
	if err != nil {
		return chat.Report{}, internal(err, "get report")
	}
	return it.report()
}

// ListOpenReports: one Query on gsi1 partition REPORTS (open reports
// only: resolving removes gsi1pk).
func (s *Store) ListOpenReports(ctx context.Context, cursor string, limit int) ([]chat.Report, string, error) {
	ctx = withOp(ctx, "ListOpenReports")
	items, next, err := pageGSI(ctx, s, gsiReports, cursor, limit, func(it reportItem) string { return it.GSI1SK })
	if err != nil {
		return nil, "", err
	}
	out := make([]chat.Report, 0, len(items))
	for _, it := range items {
		r, err := it.report()
		if err != nil {
			return nil, "", err
		}
		out = append(out, r)
	}
	return out, next, nil
}

// ResolveReport closes an open report: the condition makes a second
// resolution a Conflict, so two moderators cannot both act on it.
func (s *Store) ResolveReport(ctx context.Context, id, resolution, by string, at time.Time) (chat.Report, error) {
	ctx = withOp(ctx, "ResolveReport")
	var it reportItem
	err := s.table.Update(AttrPK, prefixReport+id).Range(AttrSK, skMeta).
		Set("resolution", resolution).Set("resolvedBy", by).Set("resolvedAt", at.UTC()).
		Remove(AttrGSI1PK).Remove(AttrGSI1SK).
		If("attribute_exists($) AND attribute_not_exists($)", AttrPK, "resolution").
		Value(ctx, &it)
	if isCondFailed(err) {
		if _, gerr := s.GetReport(ctx, id); gerr != nil {
			return chat.Report{}, gerr
		}
		return chat.Report{}, chat.Errorf(chat.Conflict, "report was resolved already")
	}
	if err != nil {
		return chat.Report{}, internal(err, "resolve report")
	}
	return it.report()
}

func (s *Store) PutAudit(ctx context.Context, e chat.AuditEntry) error {
	ctx = withOp(ctx, "PutAudit")
	it := auditItem{
		PK: prefixAudit + e.ID, SK: skMeta, GSI1PK: gsiAudit, GSI1SK: newestFirst(e.At, e.ID),
		ID: e.ID, At: utc(e.At), ActorID: e.ActorID, Action: e.Action, RoomID: e.RoomID,
		TargetID: e.TargetID, Seq: e.Seq, Reason: e.Reason, Detail: e.Detail,
	}
	if !e.ExpiresAt.IsZero() {
		it.TTL = e.ExpiresAt.Unix()
	}
	if err := s.table.Put(it).Run(ctx); err != nil {
		return internal(err, "put audit entry")
	}
	return nil
}

// ListAudit: one Query on gsi1 partition AUDIT, newest first. Entries past
// their TTL that DynamoDB has not removed yet are left out.
func (s *Store) ListAudit(ctx context.Context, cursor string, limit int) ([]chat.AuditEntry, string, error) {
	ctx = withOp(ctx, "ListAudit")
	items, next, err := pageGSI(ctx, s, gsiAudit, cursor, limit, func(it auditItem) string { return it.GSI1SK })
	if err != nil {
		return nil, "", err
	}
	now := s.now().Unix()
	out := make([]chat.AuditEntry, 0, len(items))
	for _, it := range items {
		if it.TTL != 0 && it.TTL <= now {
			continue
		}
		e := chat.AuditEntry{
			ID: it.ID, At: it.At, ActorID: it.ActorID, Action: it.Action, RoomID: it.RoomID,
			TargetID: it.TargetID, Seq: it.Seq, Reason: it.Reason, Detail: it.Detail,
		}
		if it.TTL != 0 {
			e.ExpiresAt = time.Unix(it.TTL, 0).UTC()
		}
		out = append(out, e)
	}
	return out, next, nil
}

// inviteItem is a pending invitation: pk ROOM#<roomId>, sk INVITE#<userId>,
// gsi1 (INVITE#<userId>, ROOM#<roomId>) for a user's invitations.
type inviteItem struct {
	PK        string    `dynamo:"pk"`
	SK        string    `dynamo:"sk"`
	GSI1PK    string    `dynamo:"gsi1pk"`
	GSI1SK    string    `dynamo:"gsi1sk"`
	RoomID    string    `dynamo:"roomId"`
	UserID    string    `dynamo:"userId"`
	InvitedBy string    `dynamo:"invitedBy,omitempty"`
	InvitedAt time.Time `dynamo:"invitedAt"`
}

func (it inviteItem) invite() chat.Invite {
	return chat.Invite{RoomID: it.RoomID, UserID: it.UserID, InvitedBy: it.InvitedBy, InvitedAt: it.InvitedAt}
}

func (s *Store) PutInvite(ctx context.Context, inv chat.Invite) error {
	ctx = withOp(ctx, "PutInvite")
	it := inviteItem{PK: roomPK(inv.RoomID), SK: prefixInvite + inv.UserID, GSI1PK: prefixInvite + inv.UserID, GSI1SK: roomPK(inv.RoomID),
		RoomID: inv.RoomID, UserID: inv.UserID, InvitedBy: inv.InvitedBy, InvitedAt: utc(inv.InvitedAt)}
	if err := s.table.Put(it).Run(ctx); err != nil {
		return internal(err, "put invite")
	}
	return nil
}

// GetInvite reads an invitation with a strongly consistent read: it
// authorizes acceptInvite.
func (s *Store) GetInvite(ctx context.Context, roomID, userID string) (chat.Invite, error) {
	ctx = withOp(ctx, "GetInvite")
	var it inviteItem
	err := s.table.Get(AttrPK, roomPK(roomID)).Range(AttrSK, gdynamo.Equal, prefixInvite+userID).Consistent(true).One(ctx, &it)
	if isNotFound(err) {
		return chat.Invite{}, chat.Errorf(chat.NotFound, "no invitation")
	}
	if err != nil {
		return chat.Invite{}, internal(err, "get invite")
	}
	return it.invite(), nil
}

func (s *Store) DeleteInvite(ctx context.Context, roomID, userID string) error {
	ctx = withOp(ctx, "DeleteInvite")
	err := s.table.Delete(AttrPK, roomPK(roomID)).Range(AttrSK, prefixInvite+userID).If("attribute_exists($)", AttrPK).Run(ctx)
	if isCondFailed(err) {
		return chat.Errorf(chat.NotFound, "no invitation")
	}
	if err != nil {
		return internal(err, "delete invite")
	}
	return nil
}

// UserInvites: one Query on gsi1 partition INVITE#<userId> (eventually
// consistent, as UserRooms).
func (s *Store) UserInvites(ctx context.Context, userID string) ([]chat.Invite, error) {
	ctx = withOp(ctx, "UserInvites")
	var items []inviteItem
	err := s.table.Get(AttrGSI1PK, prefixInvite+userID).Index(IndexGSI1).Range(AttrGSI1SK, gdynamo.BeginsWith, prefixRoom).All(ctx, &items)
	if err != nil {
		return nil, internal(err, "user invites")
	}
	out := make([]chat.Invite, 0, len(items))
	for _, it := range items {
		out = append(out, it.invite())
	}
	return out, nil
}

// SetKind makes a channel public (into the PUBLIC index, unless archived)
// or private (out of it), and its name claim says so: the room's META and
// the claim in one transaction.
func (s *Store) SetKind(ctx context.Context, roomID string, kind chat.RoomKind) (chat.Room, error) {
	ctx = withOp(ctx, "SetKind")
	room, err := s.GetRoom(ctx, roomID)
	if err != nil {
		return chat.Room{}, err
	}
	if room.Kind == chat.KindDirect || kind == chat.KindDirect {
		return chat.Room{}, chat.Errorf(chat.Invalid, "only channels change kind")
	}
	u := s.table.Update(AttrPK, roomPK(roomID)).Range(AttrSK, skMeta).Set("kind", string(kind)).If("attribute_exists($)", AttrPK)
	if kind == chat.KindPublic && !room.Archived {
		u.Set(AttrGSI1PK, gsiPublic).Set(AttrGSI1SK, publicRoomGSISK(room.Name, roomID))
	} else {
		u.Remove(AttrGSI1PK)
	}
	tx := s.db.WriteTx().Update(u)
	if claimsName(room.Kind, room.Name) {
		tx.Update(s.table.Update(AttrPK, chanNamePK(room.Name)).Range(AttrSK, skClaim).Set("kind", string(kind)).
			If("attribute_exists($) AND roomId = ?", AttrPK, roomID))
	}
	err = retryConflicts(ctx, func() error { return tx.Run(ctx) })
	if txCondFailedAt(err, 0) {
		return chat.Room{}, chat.Errorf(chat.NotFound, "room %s not found", roomID)
	}
	if isCondFailed(err) { // a claim of another room (names from before claims): the room alone
		err = retryConflicts(ctx, func() error { return u.Run(ctx) })
	}
	if err != nil {
		return chat.Room{}, internal(err, "set room kind")
	}
	room.Kind = kind
	return room, nil
}

// RoomReports lists every report filed in a room, open or resolved: one
// Query of the room's report pointers (ROOM#<id>, REPORT#…), then a
// GetItem per report (reports are rare). The export reads it for the
// reports a person filed (there is no index by reporter).
func (s *Store) RoomReports(ctx context.Context, roomID string) ([]chat.Report, error) {
	ctx = withOp(ctx, "RoomReports")
	var refs []reportRefItem
	if err := s.table.Get(AttrPK, roomPK(roomID)).Range(AttrSK, gdynamo.BeginsWith, prefixReport).All(ctx, &refs); err != nil {
		return nil, internal(err, "list the room's reports")
	}
	out := make([]chat.Report, 0, len(refs))
	for _, ref := range refs {
		r, err := s.GetReport(ctx, ref.ReportID)
		if chat.ErrorCode(err) == chat.NotFound {
			continue // the pointer was written first: a report that never landed
		}
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}
