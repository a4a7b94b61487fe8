package dynamo

import (
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Stream record event names (events.DynamoDBOperationType).
const (
	streamInsert = "INSERT"
	streamModify = "MODIFY"
	streamRemove = "REMOVE"
)

// DecodeStreamRecord turns one record of the table's stream
// (NEW_AND_OLD_IMAGES, as Lambda delivers it) into the domain events it
// means:
//
//	message   INSERT -> MessageCreated
//	message   MODIFY -> MessageDeleted (became a tombstone) or
//	                    MessageEdited (text or mentions changed);
//	          REMOVE -> MessageDeleted (its channel was deleted, or TTL
//	          removed it past its room's retention)
//	member    INSERT -> MemberJoined;  REMOVE -> MemberLeft;
//	          MODIFY of role or mutedUntil -> MemberUpdated
//	room META INSERT -> RoomCreated;   MODIFY of name, topic or archived -> RoomUpdated;
//	          MODIFY to deleted -> RoomDeleted; MODIFY of purgePass of a deleted
//	          room -> RoomPurgeContinued (internal: the purger's next pass);
//	          REMOVE (the purge's end) -> nothing
//	profile   MODIFY of displayName, avatarColor or avatarKey -> ProfileUpdated
//
// Every other item (connections and their links, the room-connection
// index, message counters, name claims, idempotency items, rate windows)
// and every other change (read positions, member counts, last-seen times)
// yields no event, and so do removals by TTL expiry but a message's. An error means the
// record is not what the table's layout says it must be.
func DecodeStreamRecord(rec events.DynamoDBEventRecord) ([]chat.Event, error) {
	if isTTLExpiry(rec) {
		// A message past its retention (retention.go) goes like one of a
		// deleted channel: message.deleted names its files for the file
		// sweeper and its words for the search index. Every other expiry
		// (connections, rate windows…) is no event.
		if pk, sk, err := streamKeys(rec); err == nil && rec.EventName == streamRemove && EventSourceKind(pk, sk) == KindMessage {
			return decodeMessage(rec)
		}
		return nil, nil
	}
	switch rec.EventName {
	case streamInsert, streamModify, streamRemove:
	default:
		return nil, fmt.Errorf("dynamo: stream record %s: unknown eventName %q", rec.EventID, rec.EventName)
	}
	pk, sk, err := streamKeys(rec)
	if err != nil {
		return nil, err
	}
	// The same rules the event source mapping filters on (EventSourceKeys),
	// so the function decodes exactly what it is invoked for.
	switch EventSourceKind(pk, sk) {
	case KindMessage:
		return decodeMessage(rec)
	case KindRoom:
		return decodeRoom(rec)
	case KindMember:
		return decodeMember(rec)
	case KindProfile:
		return decodeProfile(rec)
	}
	return nil, nil
}

// isTTLExpiry recognises a removal by DynamoDB's TTL process.
func isTTLExpiry(rec events.DynamoDBEventRecord) bool {
	id := rec.UserIdentity
	return id != nil && id.Type == "Service" && id.PrincipalID == "dynamodb.amazonaws.com"
}

func streamKeys(rec events.DynamoDBEventRecord) (pk, sk string, err error) {
	keys := rec.Change.Keys
	pkAV, okPK := keys[AttrPK]
	skAV, okSK := keys[AttrSK]
	if !okPK || !okSK || pkAV.DataType() != events.DataTypeString || skAV.DataType() != events.DataTypeString {
		return "", "", fmt.Errorf("dynamo: stream record %s: keys %s and %s (S) missing", rec.EventID, AttrPK, AttrSK)
	}
	return pkAV.String(), skAV.String(), nil
}

func decodeMessage(rec events.DynamoDBEventRecord) ([]chat.Event, error) {
	switch rec.EventName {
	case streamInsert:
		var n messageItem
		if err := unmarshalImage(rec, "NewImage", rec.Change.NewImage, &n); err != nil {
			return nil, err
		}
		m := n.message()
		return []chat.Event{chat.MessageCreated{Actor: chat.Actor{UserID: m.SenderID}, Message: m}}, nil
	case streamModify:
		var o, n messageItem
		if err := unmarshalImage(rec, "OldImage", rec.Change.OldImage, &o); err != nil {
			return nil, err
		}
		if err := unmarshalImage(rec, "NewImage", rec.Change.NewImage, &n); err != nil {
			return nil, err
		}
		m := n.message()
		actor := chat.Actor{UserID: m.SenderID} // only senders edit
		switch {
		case o.Deleted: // a tombstone is final: nothing more can happen to it
			return nil, nil
		case n.Deleted:
			if m.DeletedBy != "" {
				actor.UserID = m.DeletedBy // the sender or a moderator
			}
			return []chat.Event{chat.MessageDeleted{Actor: actor, Message: m, Files: chat.AttachmentKeys(o.message().Attachments), Previous: o.message()}}, nil
		case o.Text != n.Text || !slices.Equal(o.Mentions, n.Mentions):
			return []chat.Event{chat.MessageEdited{Actor: actor, Message: m, Previous: o.message()}}, nil
		}
	case streamRemove:
		// Messages are removed outright only with their channel
		// (DeleteRoom): a message.deleted, without an actor (the item does
		// not say who deleted the channel), naming the files for the file
		// sweeper. A tombstone had its event already.
		var o messageItem
		if err := unmarshalImage(rec, "OldImage", rec.Change.OldImage, &o); err != nil {
			return nil, err
		}
		if o.Deleted {
			return nil, nil
		}
		old := o.message()
		files := chat.AttachmentKeys(old.Attachments)
		m := old
		m.Deleted, m.Text, m.Mentions, m.Attachments, m.Gif = true, "", nil, nil, nil
		m.EditedAt = rec.Change.ApproximateCreationDateTime.UTC()
		return []chat.Event{chat.MessageDeleted{Message: m, Files: files, Previous: old}}, nil
	}
	return nil, nil
}

func decodeRoom(rec events.DynamoDBEventRecord) ([]chat.Event, error) {
	switch rec.EventName {
	case streamInsert:
		var n roomItem
		if err := unmarshalImage(rec, "NewImage", rec.Change.NewImage, &n); err != nil {
			return nil, err
		}
		r := n.room()
		return []chat.Event{chat.RoomCreated{Actor: chat.Actor{UserID: r.CreatedBy}, Room: r}}, nil
	case streamModify:
		var o, n roomItem
		if err := unmarshalImage(rec, "OldImage", rec.Change.OldImage, &o); err != nil {
			return nil, err
		}
		if err := unmarshalImage(rec, "NewImage", rec.Change.NewImage, &n); err != nil {
			return nil, err
		}
		switch {
		case !o.Deleted && n.Deleted:
			return []chat.Event{chat.RoomDeleted{
				Actor: chat.Actor{UserID: n.DeletedBy}, Room: o.room(), At: n.DeletedAt,
			}}, nil
		case n.Deleted:
			if o.PurgePass != n.PurgePass {
				return []chat.Event{chat.RoomPurgeContinued{RoomID: n.RoomID, Pass: n.PurgePass}}, nil
			}
			return nil, nil
		}
		var evs []chat.Event
		if cue, ok := restampCue(o, n); ok {
			evs = append(evs, cue)
		}
		if cue, ok := workspaceRestampCue(o, n); ok { // workspacerestamp.go
			evs = append(evs, cue)
		}
		if cue, ok := transcriptCue(o, n); ok { // supporthours.go
			evs = append(evs, cue)
		}
		if o.Name == n.Name && o.Topic == n.Topic && o.Archived == n.Archived && o.Kind == n.Kind {
			return evs, nil // member counts and lists are not updates of the room
		}
		// The item does not say who renamed it: the actor is unknown here.
		return append([]chat.Event{chat.RoomUpdated{Room: n.room()}}, evs...), nil
	}
	return nil, nil
}

func decodeMember(rec events.DynamoDBEventRecord) ([]chat.Event, error) {
	switch rec.EventName {
	case streamInsert:
		var n memberItem
		if err := unmarshalImage(rec, "NewImage", rec.Change.NewImage, &n); err != nil {
			return nil, err
		}
		m := n.member()
		return []chat.Event{chat.MemberJoined{Actor: chat.Actor{UserID: m.UserID}, Member: m}}, nil
	case streamRemove:
		var o memberItem
		if err := unmarshalImage(rec, "OldImage", rec.Change.OldImage, &o); err != nil {
			return nil, err
		}
		return []chat.Event{chat.MemberLeft{
			Actor:  chat.Actor{UserID: o.UserID},
			RoomID: o.RoomID, UserID: o.UserID,
			At: rec.Change.ApproximateCreationDateTime.UTC(),
		}}, nil
	case streamModify:
		var o, n memberItem
		if err := unmarshalImage(rec, "OldImage", rec.Change.OldImage, &o); err != nil {
			return nil, err
		}
		if err := unmarshalImage(rec, "NewImage", rec.Change.NewImage, &n); err != nil {
			return nil, err
		}
		if o.Role == n.Role && o.MutedUntil.Equal(n.MutedUntil) {
			return nil, nil // read positions
		}
		// The item does not say who changed it: the actor is unknown here.
		return []chat.Event{chat.MemberUpdated{Member: n.member()}}, nil
	}
	return nil, nil
}

func decodeProfile(rec events.DynamoDBEventRecord) ([]chat.Event, error) {
	if rec.EventName != streamModify {
		return nil, nil // created on first sign-in; never removed
	}
	var o, n profileItem
	if err := unmarshalImage(rec, "OldImage", rec.Change.OldImage, &o); err != nil {
		return nil, err
	}
	if err := unmarshalImage(rec, "NewImage", rec.Change.NewImage, &n); err != nil {
		return nil, err
	}
	if o.DisplayName == n.DisplayName && o.AvatarColor == n.AvatarColor && o.AvatarKey == n.AvatarKey {
		return nil, nil // last-seen times
	}
	p := n.profile()
	return []chat.Event{chat.ProfileUpdated{Actor: chat.Actor{UserID: p.UserID}, Profile: p}}, nil
}

// unmarshalImage decodes a stream image into an item struct with the same
// tags the store writes with.
func unmarshalImage(rec events.DynamoDBEventRecord, which string, image map[string]events.DynamoDBAttributeValue, out any) error {
	if len(image) == 0 {
		return fmt.Errorf("dynamo: stream record %s (%s): no %s (the stream must be NEW_AND_OLD_IMAGES)", rec.EventID, rec.EventName, which)
	}
	item, err := streamItem(image)
	if err != nil {
		return fmt.Errorf("dynamo: stream record %s %s: %w", rec.EventID, which, err)
	}
	if err := gdynamo.UnmarshalItem(item, out); err != nil {
		return fmt.Errorf("dynamo: stream record %s %s: %w", rec.EventID, which, err)
	}
	return nil
}

// streamItem converts a stream image (aws-lambda-go's attribute values) to
// the SDK's attribute values.
func streamItem(image map[string]events.DynamoDBAttributeValue) (map[string]types.AttributeValue, error) {
	item := make(map[string]types.AttributeValue, len(image))
	for name, av := range image {
		v, err := streamAttr(av)
		if err != nil {
			return nil, fmt.Errorf("attribute %s: %w", name, err)
		}
		item[name] = v
	}
	return item, nil
}

func streamAttr(av events.DynamoDBAttributeValue) (types.AttributeValue, error) {
	switch av.DataType() {
	case events.DataTypeString:
		return &types.AttributeValueMemberS{Value: av.String()}, nil
	case events.DataTypeNumber:
		return &types.AttributeValueMemberN{Value: av.Number()}, nil
	case events.DataTypeBoolean:
		return &types.AttributeValueMemberBOOL{Value: av.Boolean()}, nil
	case events.DataTypeNull:
		return &types.AttributeValueMemberNULL{Value: true}, nil
	case events.DataTypeBinary:
		return &types.AttributeValueMemberB{Value: av.Binary()}, nil
	case events.DataTypeStringSet:
		return &types.AttributeValueMemberSS{Value: av.StringSet()}, nil
	case events.DataTypeNumberSet:
		return &types.AttributeValueMemberNS{Value: av.NumberSet()}, nil
	case events.DataTypeBinarySet:
		return &types.AttributeValueMemberBS{Value: av.BinarySet()}, nil
	case events.DataTypeList:
		list := av.List()
		out := make([]types.AttributeValue, len(list))
		for i, e := range list {
			v, err := streamAttr(e)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return &types.AttributeValueMemberL{Value: out}, nil
	case events.DataTypeMap:
		m, err := streamItem(av.Map())
		if err != nil {
			return nil, err
		}
		return &types.AttributeValueMemberM{Value: m}, nil
	}
	return nil, errors.New("unsupported attribute type")
}
