package filesweep_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/filesweep"
)

func TestSweeperDeletesTheFilesOfDeletedMessages(t *testing.T) {
	ctx := context.Background()
	blobs := chattest.NewBlobs()
	orig := chat.FileKey{RoomID: "c_1", UserID: "u1", FileID: "f1", Name: "cat.png"}
	other := chat.FileKey{RoomID: "c_2", UserID: "u1", FileID: "f2", Name: "dog.png"}
	keep := chat.FileKey{RoomID: "c_1", UserID: "u1", FileID: "f3", Name: "keep.txt"}
	for _, k := range []string{orig.String(), orig.ThumbKey(), other.String(), keep.String()} {
		if err := blobs.Put(ctx, k, "image/png", []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	s := filesweep.New(blobs, nil)
	events := []chat.Event{
		chat.MessageCreated{Message: chat.Message{RoomID: "c_1", Seq: 1}},
		// A key of another room is never deleted through this message.
		chat.MessageDeleted{Message: chat.Message{RoomID: "c_1", Seq: 2, Deleted: true}, Files: []string{orig.String(), orig.ThumbKey(), other.String()}},
	}
	if err := s.Consume(ctx, events); err != nil {
		t.Fatal(err)
	}
	got := blobs.Keys()
	slices.Sort(got)
	want := []string{other.String(), keep.String()}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("left %v, want %v", got, want)
	}
}

func TestSweeperReportsTheFailedEvent(t *testing.T) {
	blobs := chattest.NewBlobs()
	blobs.FailOn("Delete", errors.New("s3 down"))
	k := chat.FileKey{RoomID: "c_1", UserID: "u1", FileID: "f1", Name: "a.txt"}.String()
	err := filesweep.New(blobs, nil).Consume(context.Background(), []chat.Event{
		chat.MemberLeft{RoomID: "c_1", UserID: "u1"},
		chat.MessageDeleted{Message: chat.Message{RoomID: "c_1", Seq: 2}, Files: []string{k}},
	})
	var pf *chat.PartialFailure
	if !errors.As(err, &pf) || pf.Index != 1 {
		t.Fatalf("err = %v, want a partial failure at 1", err)
	}
}
