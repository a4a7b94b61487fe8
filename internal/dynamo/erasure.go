package dynamo

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// erasePageSize is the Scan page of an erasure pass.
const erasePageSize = 500

// tombstoneColor is the avatar colour of a deleted account.
const tombstoneColor = "#8a8f98"

// EraseUserItems is the table's part of an account's erasure: a
// strongly consistent Scan of the whole table, a page at a time from
// cursor, that handles every item holding the user's id (there is no
// index of everything a person wrote: messages live under their rooms,
// reactions and votes inside other people's messages, rate counters under
// their keys). Each step is idempotent, so a pass retried or resumed from
// an older cursor does no harm:
//
//   - USER#<id> items (preferences, push subscriptions, saved, digest,
//     scheduled, last room, connection links, terms acceptance, "left
//     room" markers LEFT#) are deleted; the PROFILE
//     becomes a tombstone (DeletedUserName, no username, handle, email or
//     picture, not listed in USERS, deleted and deactivated);
//   - connections, room connections, name and word index entries, the
//     handle claim, memberships (RemoveMember without the "left room"
//     marker: the count follows), the
//     notify index, bans of them, thread follows, send idempotency items
//     and rate counters are deleted;
//   - their messages: erase → a tombstone (text, mentions, attachments,
//     GIF, previews, reactions, poll, pin go; senderName DeletedUserName)
//     and their edit versions and search postings deleted; anonymise →
//     senderName DeletedUserName, attachments and edit versions go, the
//     text stays; each change recorded in the change log (resume);
//   - other people's messages lose their reactions, poll votes and place
//     among a thread's last repliers;
//   - reports of their messages hold the message as reported: erase → a
//     tombstone; anonymise → the sender name replaced;
//   - audit entries: actorId and targetId become chat.DeletedActor and the
//     detail (an invite's email) goes.
//
// Their messages (tombstones or kept) and the reports of them name the
// sender chat.DeletedActor, so nothing kept links back to the id. The id
// itself stays only where it is a reference that resolves to the
// tombstone profile: a direct room's memberIds, createdBy, deletedBy,
// pinnedBy, mentions, system lines and report reporters
// (docs/ARCHITECTURE.md, "Account deletion").
func (s *Store) EraseUserItems(ctx context.Context, userID string, policy chat.ErasurePolicy, cursor string, stop func() bool) (chat.ErasureResult, error) {
	ctx = withOp(ctx, "EraseUserItems")
	var res chat.ErasureResult
	if userID == "" {
		return res, chat.Errorf(chat.Invalid, "user id is required")
	}
	var lek map[string]types.AttributeValue
	if cursor != "" {
		pk, sk, ok := strings.Cut(cursor, "\x00")
		if !ok {
			return res, chat.Errorf(chat.Invalid, "bad erasure cursor")
		}
		lek = map[string]types.AttributeValue{AttrPK: &types.AttributeValueMemberS{Value: pk}, AttrSK: &types.AttributeValueMemberS{Value: sk}}
	}
	for {
		out, err := s.api.Scan(ctx, &dynamodb.ScanInput{
			TableName: aws.String(s.name), ConsistentRead: aws.Bool(true),
			Limit: aws.Int32(erasePageSize), ExclusiveStartKey: lek,
		})
		if err != nil {
			return res, internal(err, "scan for erasure")
		}
		for _, item := range out.Items {
			res.Scanned++
			if err := s.eraseItem(ctx, userID, policy, item, &res); err != nil {
				return res, err
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			res.Cursor = ""
			return res, nil
		}
		lek = out.LastEvaluatedKey
		res.Cursor = str(lek, AttrPK) + "\x00" + str(lek, AttrSK)
		if stop != nil && stop() {
			return res, nil
		}
	}
}

func str(item map[string]types.AttributeValue, name string) string {
	if v, ok := item[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

// eraseItem handles one scanned item.
func (s *Store) eraseItem(ctx context.Context, userID string, policy chat.ErasurePolicy, item map[string]types.AttributeValue, res *chat.ErasureResult) error {
	pk, sk := str(item, AttrPK), str(item, AttrSK)
	holder := str(item, "userId") == userID
	del := func() error {
		if _, err := s.api.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(s.name), Key: keyOf(pk, sk)}); err != nil {
			return internal(err, "erase "+pk)
		}
		res.Deleted++
		return nil
	}
	switch {
	case pk == userPK(userID) && sk == skProfile:
		return s.tombstoneProfile(ctx, item, res)
	case pk == userPK(userID):
		return del()
	case sk == skBot && str(item, "createdBy") == userID:
		return s.eraseFromBot(ctx, pk, res) // bots.go
	case strings.HasPrefix(pk, prefixConn), strings.HasPrefix(pk, prefixRoomConn):
		if holder {
			return del()
		}
	case strings.HasPrefix(pk, prefixUName), strings.HasPrefix(pk, prefixUWord), strings.HasPrefix(pk, prefixHandle):
		if holder || sk == userID {
			return del()
		}
	case strings.HasPrefix(pk, prefixRate):
		if strings.Contains(pk, userID) {
			return del()
		}
	case strings.HasPrefix(pk, prefixRoom) && strings.HasPrefix(sk, prefixHook):
		return s.eraseFromWebhook(ctx, userID, pk, sk, item, res) // webhooks.go
	case pk == visitorPK(userID):
		return del() // a visitor's resume tokens (widgets.go)
	case strings.HasPrefix(pk, prefixRoom) && strings.HasPrefix(sk, prefixRoomKey):
		return s.eraseRoomKey(ctx, userID, pk, sk, item, res) // store_e2ee_roomkeys.go
	case strings.HasPrefix(pk, prefixRoom) && sk == skSupportConv:
		return s.eraseFromSupportConv(ctx, userID, item, res) // support_erasure.go
	case strings.HasPrefix(pk, prefixSupTeam) && sk == skMeta:
		return s.eraseFromSupportTeam(ctx, userID, item, res)
	case strings.HasPrefix(pk, prefixCanned) && sk == skMeta:
		return s.eraseFromCanned(ctx, userID, item, res)
	case strings.HasPrefix(pk, prefixRoom):
		roomID := strings.TrimPrefix(pk, prefixRoom)
		switch sk {
		case memberSK(userID):
			err := s.removeMember(withOp(ctx, "RemoveMember"), roomID, userID, false)
			if err != nil && chat.ErrorCode(err) != chat.NotFound {
				return err
			}
			res.Deleted++
			// An encrypted room needs a new key now they are gone (issue #19).
			return s.markRotate(withOp(ctx, "SetRotateKey"), roomID)
		case prefixBan + userID, "NOTIFYALL#" + userID:
			return del()
		}
	case strings.HasPrefix(pk, prefixMsg):
		roomID := strings.TrimPrefix(pk, prefixMsg)
		switch {
		case sk != "" && sk[0] >= '0' && sk[0] <= '9':
			return s.eraseFromMessage(ctx, userID, policy, roomID, item, res)
		case strings.HasPrefix(sk, prefixClient+userID+"#"):
			return del()
		case strings.HasPrefix(sk, "THRF#") && holder:
			return del()
		}
	case strings.HasPrefix(pk, "SRCH#"):
		// Erase: every posting of theirs goes. Anonymise: the postings of
		// the kept texts stay, unlinked (no from: posting, no sender).
		if str(item, "s") == userID && (policy == chat.ErasureErase || strings.HasPrefix(sk, "!from:"+userID+"#")) {
			return del()
		}
		if str(item, "s") == userID {
			if err := s.table.Update(AttrPK, pk).Range(AttrSK, sk).Set("s", chat.DeletedActor).If("attribute_exists($)", AttrPK).Run(ctx); err != nil && !isCondFailed(err) {
				return internal(err, "unlink posting")
			}
			res.Updated++
		}
	case strings.HasPrefix(pk, prefixReport) && sk == skMeta:
		return s.eraseFromReport(ctx, userID, policy, pk, item, res)
	case isIntegrationOf(pk, str(item, "createdBy"), userID):
		return del() // a slash command or outgoing webhook they registered (integrations.go)
	case strings.HasPrefix(pk, prefixAudit):
		if str(item, "actorId") == userID || str(item, "targetId") == userID {
			return s.anonymiseAudit(ctx, userID, pk, sk, item, res)
		}
	}
	return nil
}

func keyOf(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{AttrPK: &types.AttributeValueMemberS{Value: pk}, AttrSK: &types.AttributeValueMemberS{Value: sk}}
}

// tombstoneProfile replaces the profile with what a deleted account
// shows: kept so that ids in messages and direct rooms resolve to
// "Deleted user", and so $connect with a still-valid token is refused.
func (s *Store) tombstoneProfile(ctx context.Context, item map[string]types.AttributeValue, res *chat.ErasureResult) error {
	var old profileItem
	if err := gdynamo.UnmarshalItem(item, &old); err != nil {
		return internal(err, "read profile")
	}
	if old.Deleted && old.DisplayName == chat.DeletedUserName && old.Username == "" && old.Handle == "" && old.AvatarKey == "" && old.GSI1PK == gsiErased {
		return nil
	}
	deactivated := old.DeactivatedAt
	if deactivated.IsZero() {
		deactivated = s.now()
	}
	// In the ERASED index, without erasedAt until the erasure finishes
	// (MarkErased): a restore taken meanwhile shows a partial erasure.
	tomb := profileItem{PK: old.PK, SK: old.SK, GSI1PK: gsiErased, GSI1SK: old.UserID, UserID: old.UserID, DisplayName: chat.DeletedUserName,
		AvatarColor: tombstoneColor, CreatedAt: old.CreatedAt, DeactivatedAt: utc(deactivated), Deleted: true}
	if err := s.table.Put(tomb).Run(ctx); err != nil {
		return internal(err, "tombstone profile")
	}
	res.Updated++
	return nil
}

// eraseFromMessage applies the policy to one of their messages and takes
// their reactions, votes and replier mark off anyone's. Retried on a
// concurrent change (the reactions' version, the thread count).
func (s *Store) eraseFromMessage(ctx context.Context, userID string, policy chat.ErasurePolicy, roomID string, item map[string]types.AttributeValue, res *chat.ErasureResult) error {
	for attempt := 0; ; attempt++ {
		var m messageItem
		if err := gdynamo.UnmarshalItem(item, &m); err != nil {
			return internal(err, "read message")
		}
		upd, changed := eraseUpdate(userID, policy, m)
		if !changed {
			return nil
		}
		if m.SenderID == userID {
			// Before the update, which unlinks the message from them: a
			// pass retried after it would not know the versions were theirs.
			if err := s.DeleteVersions(ctx, roomID, m.Seq); err != nil {
				return err
			}
		}
		upd.TableName, upd.Key = aws.String(s.name), keyOf(m.PK, m.SK)
		_, err := s.api.UpdateItem(ctx, upd)
		if err == nil {
			res.Updated++
			chg, err := s.RecordChange(ctx, roomID, m.Seq)
			if err != nil && chat.ErrorCode(err) != chat.NotFound {
				return err
			}
			res.Messages = append(res.Messages, chat.MessageRef{RoomID: roomID, Seq: m.Seq, Chg: chg})
			return nil
		}
		if !isCondFailed(err) || attempt >= 5 {
			return internal(err, "erase from message")
		}
		got, err := s.api.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(s.name), Key: keyOf(m.PK, m.SK), ConsistentRead: aws.Bool(true)})
		if err != nil {
			return internal(err, "reread message")
		}
		if len(got.Item) == 0 {
			return nil
		}
		item = got.Item
	}
}

// eraseUpdate builds the UpdateItem for a message, or says nothing changes.
func eraseUpdate(userID string, policy chat.ErasurePolicy, m messageItem) (*dynamodb.UpdateItemInput, bool) {
	var (
		set, remove []string
		cond        = []string{"attribute_exists(pk)"}
		names       = map[string]string{}
		values      = map[string]types.AttributeValue{}
	)
	// Their messages are unlinked from them under both policies: the
	// sender becomes chat.DeletedActor, named DeletedUserName.
	own := m.SenderID == userID && m.System == nil
	if own && policy == chat.ErasureErase {
		set = append(set, "deleted = :t", "senderId = :da", "senderName = :dn", "deletedBy = :da")
		values[":t"] = &types.AttributeValueMemberBOOL{Value: true}
		values[":dn"] = &types.AttributeValueMemberS{Value: chat.DeletedUserName}
		values[":da"] = &types.AttributeValueMemberS{Value: chat.DeletedActor}
		remove = append(remove, "#text", "mentions", "attachments", "gif", "editedAt", "rx", "rv", "pinnedBy", "pinnedAt", "poll", "lp", "lpx", "lpv", "clientId")
		names["#text"] = "text"
		return finishUpdate(set, remove, cond, names, values), true
	}
	if own && policy == chat.ErasureAnonymise {
		set = append(set, "senderId = :da", "senderName = :dn")
		values[":da"] = &types.AttributeValueMemberS{Value: chat.DeletedActor}
		values[":dn"] = &types.AttributeValueMemberS{Value: chat.DeletedUserName}
		remove = append(remove, "attachments", "clientId")
	}
	// System lines: one they caused is unlinked from them like their
	// messages; the plain-English fallback text of one naming them
	// ("added Zed") goes (clients render a known kind from its userIds,
	// which resolve to the tombstone).
	if m.System != nil {
		if m.SenderID == userID {
			set = append(set, "senderId = :da", "senderName = :dn")
			values[":da"] = &types.AttributeValueMemberS{Value: chat.DeletedActor}
			values[":dn"] = &types.AttributeValueMemberS{Value: chat.DeletedUserName}
		}
		if m.Text != "" && slices.Contains(m.System.UserIDs, userID) {
			switch chat.SystemKind(m.System.Kind) {
			case chat.SystemInvited, chat.SystemRemoved, chat.SystemBanned, chat.SystemRole:
				remove = append(remove, "#text")
				names["#text"] = "text"
			}
		}
	}
	// Reactions: theirs go from every message (an optimistic lock on rv).
	if slices.ContainsFunc(m.Reactions, func(r reactionItem) bool { return slices.Contains(r.UserIDs, userID) }) {
		var rx []reactionItem
		for _, r := range m.Reactions {
			r.UserIDs = slices.DeleteFunc(slices.Clone(r.UserIDs), func(u string) bool { return u == userID })
			if len(r.UserIDs) > 0 {
				rx = append(rx, r)
			}
		}
		if len(rx) == 0 {
			remove = append(remove, "rx")
		} else {
			av, _ := gdynamo.Marshal(rx)
			set = append(set, "rx = :rx")
			values[":rx"] = av
		}
		set = append(set, "rv = :rv1")
		values[":rv1"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(m.RV+1, 10)}
		if m.RV == 0 {
			cond = append(cond, "attribute_not_exists(rv)")
		} else {
			cond = append(cond, "rv = :rv0")
			values[":rv0"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(m.RV, 10)}
		}
	}
	if m.Poll != nil {
		if _, voted := m.Poll.Votes[userID]; voted {
			remove = append(remove, "poll.v.#voter")
			names["#voter"] = userID
		}
	}
	if m.Thread != nil && slices.Contains(m.Thread.U, userID) {
		u := slices.DeleteFunc(slices.Clone(m.Thread.U), func(x string) bool { return x == userID })
		av, _ := gdynamo.Marshal(u)
		if av == nil {
			av = &types.AttributeValueMemberL{Value: []types.AttributeValue{}}
		}
		set = append(set, "thr.u = :tu")
		values[":tu"] = av
		cond = append(cond, "thr.n = :tn")
		values[":tn"] = &types.AttributeValueMemberN{Value: strconv.Itoa(m.Thread.N)}
	}
	if len(set) == 0 && len(remove) == 0 {
		return nil, false
	}
	return finishUpdate(set, remove, cond, names, values), true
}

func finishUpdate(set, remove, cond []string, names map[string]string, values map[string]types.AttributeValue) *dynamodb.UpdateItemInput {
	var expr []string
	if len(set) > 0 {
		expr = append(expr, "SET "+strings.Join(set, ", "))
	}
	if len(remove) > 0 {
		expr = append(expr, "REMOVE "+strings.Join(remove, ", "))
	}
	in := &dynamodb.UpdateItemInput{
		UpdateExpression:    aws.String(strings.Join(expr, " ")),
		ConditionExpression: aws.String(strings.Join(cond, " AND ")),
	}
	if len(names) > 0 {
		in.ExpressionAttributeNames = names
	}
	if len(values) > 0 {
		in.ExpressionAttributeValues = values
	}
	return in
}

// eraseFromReport rewrites the message copy a report holds, when it is
// theirs.
func (s *Store) eraseFromReport(ctx context.Context, userID string, policy chat.ErasurePolicy, pk string, item map[string]types.AttributeValue, res *chat.ErasureResult) error {
	raw := str(item, "message")
	var m chat.Message
	if raw == "" || json.Unmarshal([]byte(raw), &m) != nil || m.SenderID != userID {
		return nil
	}
	var out chat.Message
	if policy == chat.ErasureErase {
		out = chat.Message{RoomID: m.RoomID, Seq: m.Seq, SenderID: chat.DeletedActor, SenderName: chat.DeletedUserName, CreatedAt: m.CreatedAt, Deleted: true}
	} else {
		out = m
		out.SenderID, out.SenderName, out.Attachments = chat.DeletedActor, chat.DeletedUserName, nil
	}
	b, err := json.Marshal(out)
	if err != nil {
		return internal(err, "encode report message")
	}
	if string(b) == raw {
		return nil
	}
	u := s.table.Update(AttrPK, pk).Range(AttrSK, skMeta).Set("message", string(b)).If("attribute_exists($)", AttrPK)
	if policy == chat.ErasureErase {
		u.Remove("decryptedText") // an encrypted message's text as reported (issue #19)
	}
	if err := u.Run(ctx); err != nil && !isCondFailed(err) {
		return internal(err, "erase from report")
	}
	res.Updated++
	return nil
}

// anonymiseAudit replaces their id in an audit entry and drops its detail
// (an invite records the email there).
func (s *Store) anonymiseAudit(ctx context.Context, userID, pk, sk string, item map[string]types.AttributeValue, res *chat.ErasureResult) error {
	u := s.table.Update(AttrPK, pk).Range(AttrSK, sk).Remove("detail").If("attribute_exists($)", AttrPK)
	if str(item, "actorId") == userID {
		u.Set("actorId", chat.DeletedActor)
	}
	if str(item, "targetId") == userID {
		u.Set("targetId", chat.DeletedActor)
	}
	if err := u.Run(ctx); err != nil && !isCondFailed(err) {
		return internal(err, "anonymise audit")
	}
	res.Updated++
	return nil
}

var _ chat.ErasureStore = (*Store)(nil)
