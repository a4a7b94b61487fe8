package dynamo_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
)

// The stream records in testdata/stream are real: captured from DynamoDB
// Local's stream by internal/integration's TestCaptureStreamRecords (the
// chat driven through its real gateway and handlers, the records as the
// local event source mapping hands them to the function), one file per item
// kind and eventName. ttl-REMOVE.json holds four captured REMOVE records
// (connection, user link, room connection, member) with the userIdentity
// DynamoDB's TTL process adds (type "Service", principalId
// "dynamodb.amazonaws.com"); DynamoDB Local's own TTL deletions are not
// waited for.

func loadRecords(t *testing.T, name string) []events.DynamoDBEventRecord {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "stream", name))
	if err != nil {
		t.Fatal(err)
	}
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if len(ev.Records) == 0 {
		t.Fatalf("%s: no records", name)
	}
	return ev.Records
}

func eventTypes(evs []chat.Event) []chat.EventType {
	out := []chat.EventType{}
	for _, e := range evs {
		out = append(out, e.Type())
	}
	return out
}

// TestDecodeStreamRecordKinds decodes every captured file and checks the
// event types each record yields, in stream order.
func TestDecodeStreamRecordKinds(t *testing.T) {
	none := []chat.EventType{}
	tests := []struct {
		file string
		want [][]chat.EventType // per record; nil means every record yields nothing
	}{
		{"message-INSERT.json", [][]chat.EventType{{chat.EventMessageCreated}}},
		{"message-MODIFY.json", [][]chat.EventType{{chat.EventMessageEdited}, {chat.EventMessageDeleted}}},
		{"member-INSERT.json", [][]chat.EventType{
			{chat.EventMemberJoined}, {chat.EventMemberJoined}, {chat.EventMemberJoined},
			{chat.EventMemberJoined}, {chat.EventMemberJoined}, {chat.EventMemberJoined},
		}},
		{"member-REMOVE.json", [][]chat.EventType{{chat.EventMemberLeft}}},
		{"member-MODIFY.json", nil}, // read position
		{"room-INSERT.json", [][]chat.EventType{{chat.EventRoomCreated}, {chat.EventRoomCreated}, {chat.EventRoomCreated}}},
		// join (memberCount), topic, rename, leave (memberCount)
		{"room-MODIFY.json", [][]chat.EventType{none, none, {chat.EventRoomUpdated}, {chat.EventRoomUpdated}, none}},
		{"profile-INSERT.json", nil},
		// display name and colour; then last seen only
		{"profile-MODIFY.json", [][]chat.EventType{{chat.EventProfileUpdated}, none}},
		{"connection-INSERT.json", nil},
		{"connection-REMOVE.json", nil},
		{"userconn-INSERT.json", nil},
		{"userconn-REMOVE.json", nil},
		{"roomconn-INSERT.json", nil},
		{"roomconn-REMOVE.json", nil},
		{"roomseq-INSERT.json", nil},
		{"roomseq-MODIFY.json", nil},
		{"channame-INSERT.json", nil},
		{"channame-REMOVE.json", nil},
		{"idempotency-INSERT.json", nil},
		{"rate-INSERT.json", nil},
		{"rate-MODIFY.json", nil},
		{"ttl-REMOVE.json", nil}, // a TTL removal is never an event, whatever the item
	}
	files, err := filepath.Glob(filepath.Join("testdata", "stream", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, tc := range tests {
		covered[tc.file] = true
		t.Run(strings.TrimSuffix(tc.file, ".json"), func(t *testing.T) {
			recs := loadRecords(t, tc.file)
			if tc.want != nil && len(recs) != len(tc.want) {
				t.Fatalf("%d records, want %d", len(recs), len(tc.want))
			}
			for i, r := range recs {
				evs, err := dynamo.DecodeStreamRecord(r)
				if err != nil {
					t.Fatalf("record %d (%s): %v", i, r.Change.SequenceNumber, err)
				}
				want := none
				if tc.want != nil {
					want = tc.want[i]
				}
				if got := eventTypes(evs); !slices.Equal(got, want) {
					t.Errorf("record %d (%s %s/%s): %v, want %v", i, r.EventName,
						r.Change.Keys["pk"].String(), r.Change.Keys["sk"].String(), got, want)
				}
			}
		})
	}
	for _, f := range files {
		if !covered[filepath.Base(f)] {
			t.Errorf("%s has no row in the table", f)
		}
	}
}

// TestDecodeStreamRecordContents checks what the events carry.
func TestDecodeStreamRecordContents(t *testing.T) {
	one := func(t *testing.T, r events.DynamoDBEventRecord) chat.Event {
		t.Helper()
		evs, err := dynamo.DecodeStreamRecord(r)
		if err != nil || len(evs) != 1 {
			t.Fatalf("decode: %v, %v", evs, err)
		}
		return evs[0]
	}
	t.Run("message", func(t *testing.T) {
		created := one(t, loadRecords(t, "message-INSERT.json")[0]).(chat.MessageCreated)
		m := created.Message
		if m.Seq != 1 || m.RoomID == "" || m.SenderID == "" || created.Actor.UserID != m.SenderID ||
			m.Text != "hi @Bob Baker" || len(m.Mentions) != 1 || m.CreatedAt.IsZero() || m.ClientID == "" || m.Deleted {
			t.Errorf("created %+v", created)
		}
		mods := loadRecords(t, "message-MODIFY.json")
		edited := one(t, mods[0]).(chat.MessageEdited)
		if edited.Message.Text != "hi all" || len(edited.Message.Mentions) != 0 || edited.Message.EditedAt.IsZero() ||
			edited.Message.Seq != m.Seq || edited.Actor.UserID != m.SenderID {
			t.Errorf("edited %+v", edited)
		}
		deleted := one(t, mods[1]).(chat.MessageDeleted)
		if !deleted.Message.Deleted || deleted.Message.Text != "" || deleted.Message.Seq != m.Seq {
			t.Errorf("deleted %+v", deleted)
		}
		// The old images, for the search index to take the old words out.
		if edited.Previous.Text != "hi @Bob Baker" || edited.Previous.Seq != m.Seq {
			t.Errorf("edited.Previous %+v", edited.Previous)
		}
		if deleted.Previous.Text != "hi all" || deleted.Previous.Deleted {
			t.Errorf("deleted.Previous %+v", deleted.Previous)
		}
	})
	t.Run("member", func(t *testing.T) {
		joined := one(t, loadRecords(t, "member-INSERT.json")[3]).(chat.MemberJoined)
		if joined.Member.RoomID == "" || joined.Member.UserID == "" || joined.Member.Role != chat.RoleMember ||
			joined.Member.JoinedAt.IsZero() || joined.Actor.UserID != joined.Member.UserID {
			t.Errorf("joined %+v", joined)
		}
		rec := loadRecords(t, "member-REMOVE.json")[0]
		left := one(t, rec).(chat.MemberLeft)
		if left.RoomID != joined.Member.RoomID || left.UserID != joined.Member.UserID ||
			!left.At.Equal(rec.Change.ApproximateCreationDateTime.Time) || left.Actor.UserID != left.UserID {
			t.Errorf("left %+v, want %s leaving %s", left, joined.Member.UserID, joined.Member.RoomID)
		}
	})
	t.Run("room", func(t *testing.T) {
		created := one(t, loadRecords(t, "room-INSERT.json")[1]).(chat.RoomCreated)
		r := created.Room
		if r.Name != "club" || r.Topic != "first" || r.Kind != chat.KindPublic || r.CreatedBy == "" ||
			created.Actor.UserID != r.CreatedBy || r.MemberCount != 1 || r.CreatedAt.IsZero() {
			t.Errorf("created %+v", created)
		}
		direct := one(t, loadRecords(t, "room-INSERT.json")[2]).(chat.RoomCreated)
		if direct.Room.Kind != chat.KindDirect || len(direct.Room.MemberIDs) != 2 {
			t.Errorf("direct %+v", direct)
		}
		mods := loadRecords(t, "room-MODIFY.json")
		if u := one(t, mods[2]).(chat.RoomUpdated); u.Room.Topic != "second" || u.Room.Name != "club" {
			t.Errorf("topic update %+v", u)
		}
		if u := one(t, mods[3]).(chat.RoomUpdated); u.Room.Name != "club-renamed" || u.Room.ID != r.ID {
			t.Errorf("rename %+v", u)
		}
	})
	t.Run("profile", func(t *testing.T) {
		p := one(t, loadRecords(t, "profile-MODIFY.json")[0]).(chat.ProfileUpdated)
		if p.Profile.DisplayName != "Ann A." || p.Profile.AvatarColor != "#336699" || p.Actor.UserID != p.Profile.UserID {
			t.Errorf("profile %+v", p)
		}
	})
}

// TestDecodeStreamRecordErrors: records that cannot come from this table
// are errors (the handler retries them, then the batch goes to the
// on-failure destination), not silently dropped.
func TestDecodeStreamRecordErrors(t *testing.T) {
	good := loadRecords(t, "message-MODIFY.json")[0]
	noOld := good
	noOld.Change.OldImage = nil
	noKeys := good
	noKeys.Change.Keys = nil
	unknown := good
	unknown.EventName = "TRUNCATE"
	badImage := loadRecords(t, "message-INSERT.json")[0]
	badImage.Change.NewImage = map[string]events.DynamoDBAttributeValue{"seq": events.NewStringAttribute("one")}
	for name, r := range map[string]events.DynamoDBEventRecord{
		"no old image (KEYS_ONLY or NEW_IMAGE stream)": noOld,
		"no keys":         noKeys,
		"unknown event":   unknown,
		"malformed image": badImage,
	} {
		if evs, err := dynamo.DecodeStreamRecord(r); err == nil {
			t.Errorf("%s: decoded %v, want an error", name, evs)
		}
	}
	// A TTL removal is ignored before anything else is looked at.
	ttl := noKeys
	ttl.EventName = "REMOVE"
	ttl.UserIdentity = &events.DynamoDBUserIdentity{Type: "Service", PrincipalID: "dynamodb.amazonaws.com"}
	if evs, err := dynamo.DecodeStreamRecord(ttl); err != nil || len(evs) != 0 {
		t.Errorf("TTL removal: %v, %v", evs, err)
	}
}
