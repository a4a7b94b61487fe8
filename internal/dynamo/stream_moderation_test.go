package dynamo_test

import (
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
)

func cloneImage(m map[string]events.DynamoDBAttributeValue) map[string]events.DynamoDBAttributeValue {
	out := make(map[string]events.DynamoDBAttributeValue, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// A change of role or mute is member.updated; a read position alone is not.
func TestDecodeMemberUpdated(t *testing.T) {
	rec := loadRecords(t, "member-MODIFY.json")[0]
	until := time.Date(2026, 11, 30, 1, 0, 0, 0, time.UTC)
	rec.Change.NewImage = cloneImage(rec.Change.NewImage)
	rec.Change.NewImage["mutedUntil"] = events.NewStringAttribute(until.Format(time.RFC3339Nano))
	rec.Change.NewImage["role"] = events.NewStringAttribute("moderator")
	evs, err := dynamo.DecodeStreamRecord(rec)
	if err != nil || len(evs) != 1 {
		t.Fatalf("decode: %v, %v", evs, err)
	}
	mu, ok := evs[0].(chat.MemberUpdated)
	if !ok || mu.Member.Role != chat.RoleModerator || !mu.Member.MutedUntil.Equal(until) {
		t.Errorf("event = %#v", evs[0])
	}
}

// A moderator's delete: the actor is deletedBy, and the event names the
// files of the old image (originals and thumbnails) for the sweeper.
func TestDecodeModeratorDelete(t *testing.T) {
	var rec events.DynamoDBEventRecord
	for _, r := range loadRecords(t, "message-MODIFY.json") {
		if d, ok := r.Change.NewImage["deleted"]; ok && d.Boolean() {
			rec = r
		}
	}
	if rec.EventID == "" {
		t.Fatal("no tombstone record in message-MODIFY.json")
	}
	rec.Change.NewImage = cloneImage(rec.Change.NewImage)
	rec.Change.NewImage["deletedBy"] = events.NewStringAttribute("u-mod")
	rec.Change.OldImage = cloneImage(rec.Change.OldImage)
	rec.Change.OldImage["attachments"] = events.NewListAttribute([]events.DynamoDBAttributeValue{
		events.NewMapAttribute(map[string]events.DynamoDBAttributeValue{
			"key": events.NewStringAttribute("rooms/r/u/f/a.png"), "size": events.NewNumberAttribute("3"),
			"thumbKey": events.NewStringAttribute("thumbs/rooms/r/u/f/thumb.jpg"),
		}),
	})
	evs, err := dynamo.DecodeStreamRecord(rec)
	if err != nil || len(evs) != 1 {
		t.Fatalf("decode: %v, %v", evs, err)
	}
	md, ok := evs[0].(chat.MessageDeleted)
	if !ok || md.Actor.UserID != "u-mod" || md.Message.DeletedBy != "u-mod" ||
		!slices.Equal(md.Files, []string{"rooms/r/u/f/a.png", "thumbs/rooms/r/u/f/thumb.jpg"}) {
		t.Errorf("event = %#v", evs[0])
	}
}

// A message removed outright (its channel deleted): a message.deleted
// without an actor, naming the files for the sweeper; a tombstone's
// removal is nothing (its delete had its event), and so is a TTL expiry.
func TestDecodeMessageRemovedWithItsChannel(t *testing.T) {
	ins := loadRecords(t, "message-INSERT.json")[0]
	rec := ins
	rec.EventName = "REMOVE"
	rec.Change.OldImage = cloneImage(ins.Change.NewImage)
	rec.Change.NewImage = nil
	rec.Change.OldImage["attachments"] = events.NewListAttribute([]events.DynamoDBAttributeValue{
		events.NewMapAttribute(map[string]events.DynamoDBAttributeValue{
			"key": events.NewStringAttribute("rooms/r/u/f/a.png"), "size": events.NewNumberAttribute("3"),
			"thumbKey": events.NewStringAttribute("thumbs/rooms/r/u/f/thumb.jpg"),
		}),
	})
	evs, err := dynamo.DecodeStreamRecord(rec)
	if err != nil || len(evs) != 1 {
		t.Fatalf("decode: %v, %v", evs, err)
	}
	md, ok := evs[0].(chat.MessageDeleted)
	if !ok || md.Actor.UserID != "" || !md.Message.Deleted || md.Message.Text != "" || len(md.Message.Attachments) != 0 ||
		!slices.Equal(md.Files, []string{"rooms/r/u/f/a.png", "thumbs/rooms/r/u/f/thumb.jpg"}) {
		t.Errorf("event = %#v", evs[0])
	}
	rec.Change.OldImage["deleted"] = events.NewBooleanAttribute(true)
	if evs, err := dynamo.DecodeStreamRecord(rec); err != nil || len(evs) != 0 {
		t.Errorf("a tombstone's removal: %v, %v", evs, err)
	}
}
