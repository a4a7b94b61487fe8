package dynamo_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
)

func testConn(id, user string) chat.Connection {
	return chat.Connection{
		ID:          id,
		Identity:    chat.Identity{UserID: user, Username: user + "-name", DisplayName: "User " + user, Email: user + "@example.com", Groups: []string{"admins", "staff"}},
		ConnectedAt: time.Now().UTC().Truncate(time.Millisecond),
	}
}

func roomConnIDs(t *testing.T, s *dynamo.Store, room string) []string {
	t.Helper()
	rcs, err := s.RoomConnections(context.Background(), room)
	if err != nil {
		t.Fatalf("RoomConnections(%s): %v", room, err)
	}
	ids := make([]string, 0, len(rcs))
	for _, rc := range rcs {
		if rc.RoomID != room {
			t.Errorf("room connection %+v has room %q, want %q", rc, rc.RoomID, room)
		}
		ids = append(ids, rc.ConnectionID)
	}
	slices.Sort(ids)
	return ids
}

func TestConnectionLifecycle(t *testing.T) {
	s, client := newStore(t)
	ctx := context.Background()
	c := testConn("conn-1", "u1")

	if err := s.PutConnection(ctx, c, []string{"general", "r2", "general"}); err != nil {
		t.Fatalf("PutConnection: %v", err)
	}
	got, err := s.GetConnection(ctx, "conn-1")
	if err != nil {
		t.Fatalf("GetConnection: %v", err)
	}
	if got.ID != c.ID || got.UserID != "u1" || got.Username != c.Username || got.DisplayName != c.DisplayName ||
		got.Email != "" || !slices.Equal(got.Groups, c.Groups) || !got.ConnectedAt.Equal(c.ConnectedAt) {
		t.Errorf("GetConnection = %+v, want %+v without the email (issue #15: the item keeps none)", got, c)
	}
	if want := c.ConnectedAt.Add(3 * time.Hour).Unix(); got.ExpiresAt.Unix() != want {
		t.Errorf("ExpiresAt = %v, want connectedAt + 3h", got.ExpiresAt)
	}

	// The TTL attribute is a number of epoch seconds on every item.
	for _, key := range [][2]string{{"CONN#conn-1", "META"}, {"USER#u1", "CONN#conn-1"}, {dynamo.RoomConnPK("general", "conn-1"), "conn-1"}} {
		out, err := client.GetItem(ctx, &dynamodb.GetItemInput{
			TableName: aws.String(s.TableName()),
			Key: map[string]types.AttributeValue{
				"pk": &types.AttributeValueMemberS{Value: key[0]},
				"sk": &types.AttributeValueMemberS{Value: key[1]},
			},
		})
		if err != nil || out.Item == nil {
			t.Fatalf("raw get %v: %v (item %v)", key, err, out.Item)
		}
		ttl, ok := out.Item["ttl"].(*types.AttributeValueMemberN)
		if !ok || ttl.Value != fmt.Sprint(c.ConnectedAt.Add(3*time.Hour).Unix()) {
			t.Errorf("item %v ttl = %#v, want N %d", key, out.Item["ttl"], c.ConnectedAt.Add(3*time.Hour).Unix())
		}
	}

	if ids, err := s.UserConnections(ctx, "u1"); err != nil || !slices.Equal(ids, []string{"conn-1"}) {
		t.Errorf("UserConnections = %v, %v", ids, err)
	}
	if ids := roomConnIDs(t, s, "general"); !slices.Equal(ids, []string{"conn-1"}) {
		t.Errorf("general connections = %v", ids)
	}
	rcs, _ := s.RoomConnections(ctx, "r2")
	if len(rcs) != 1 || rcs[0] != (chat.RoomConnection{RoomID: "r2", ConnectionID: "conn-1", UserID: "u1"}) {
		t.Errorf("r2 connections = %+v", rcs)
	}

	// Joining a room while connected indexes the connection there.
	if err := s.AddRoomConnections(ctx, "r3", "u1", []string{"conn-1"}); err != nil {
		t.Fatal(err)
	}
	if ids := roomConnIDs(t, s, "r3"); !slices.Equal(ids, []string{"conn-1"}) {
		t.Errorf("r3 connections after add = %v", ids)
	}
	if err := s.RemoveRoomConnections(ctx, "r2", []string{"conn-1"}); err != nil {
		t.Fatal(err)
	}
	if ids := roomConnIDs(t, s, "r2"); len(ids) != 0 {
		t.Errorf("r2 connections after remove = %v", ids)
	}

	// Deleting with only the id finds the user from the stored item.
	if err := s.DeleteConnection(ctx, chat.Connection{ID: "conn-1"}, []string{"general", "r3"}); err != nil {
		t.Fatalf("DeleteConnection: %v", err)
	}
	if _, err := s.GetConnection(ctx, "conn-1"); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("GetConnection after delete: %v, want not_found", err)
	}
	if ids, _ := s.UserConnections(ctx, "u1"); len(ids) != 0 {
		t.Errorf("UserConnections after delete = %v", ids)
	}
	for _, room := range []string{"general", "r3"} {
		if ids := roomConnIDs(t, s, room); len(ids) != 0 {
			t.Errorf("%s connections after delete = %v", room, ids)
		}
	}
	// Deleting again is not an error.
	if err := s.DeleteConnection(ctx, c, []string{"general"}); err != nil {
		t.Errorf("second DeleteConnection: %v", err)
	}
}

func TestRoomConnectionsManyRoomsAndConnections(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	// More than one batch of 25 per PutConnection is exercised by many rooms.
	rooms := make([]string, 60)
	for i := range rooms {
		rooms[i] = fmt.Sprintf("room-%02d", i)
	}
	if err := s.PutConnection(ctx, testConn("c-many", "u-many"), rooms); err != nil {
		t.Fatal(err)
	}
	if ids := roomConnIDs(t, s, "room-59"); !slices.Equal(ids, []string{"c-many"}) {
		t.Errorf("room-59 connections = %v", ids)
	}

	// Many connections in one room.
	var want []string
	for i := range 120 {
		id := fmt.Sprintf("conn-%03d", i)
		want = append(want, id)
		if i%2 == 0 {
			if err := s.PutConnection(ctx, testConn(id, fmt.Sprintf("u%d", i)), []string{"big"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	var odd []string
	for i := 1; i < 120; i += 2 {
		odd = append(odd, want[i])
	}
	if err := s.AddRoomConnections(ctx, "big", "u-odd", odd); err != nil {
		t.Fatal(err)
	}
	if ids := roomConnIDs(t, s, "big"); !slices.Equal(ids, want) {
		t.Errorf("big room has %d connections, want %d", len(ids), len(want))
	}
	if err := s.RemoveRoomConnections(ctx, "big", odd); err != nil {
		t.Fatal(err)
	}
	if ids := roomConnIDs(t, s, "big"); len(ids) != 60 {
		t.Errorf("big room after removing odd: %d connections, want 60", len(ids))
	}
}

func TestExpiredConnectionsAreNotReturned(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	s, _ := newStore(t, dynamo.WithClock(clock))
	ctx := context.Background()
	c := testConn("old", "u1")
	c.ConnectedAt = now.Add(-4 * time.Hour) // TTL (3h) passed, not yet deleted by DynamoDB
	if err := s.PutConnection(ctx, c, []string{"general"}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutConnection(ctx, testConn("new", "u1"), []string{"general"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetConnection(ctx, "old"); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("GetConnection(expired) = %v, want not_found", err)
	}
	if ids, _ := s.UserConnections(ctx, "u1"); !slices.Equal(ids, []string{"new"}) {
		t.Errorf("UserConnections = %v, want [new]", ids)
	}
	if ids := roomConnIDs(t, s, "general"); !slices.Equal(ids, []string{"new"}) {
		t.Errorf("RoomConnections = %v, want [new]", ids)
	}
}

func TestPutConnectionNeedsIdentity(t *testing.T) {
	s, _ := newStore(t)
	err := s.PutConnection(context.Background(), chat.Connection{ID: "x"}, nil)
	if chat.ErrorCode(err) != chat.Invalid {
		t.Errorf("PutConnection without user = %v, want invalid", err)
	}
}

func TestConnectionKeepsTokenExpiry(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	c := testConn("conn-exp", "u1")
	c.TokenExpiresAt = time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	if err := s.PutConnection(ctx, c, nil); err != nil {
		t.Fatalf("PutConnection: %v", err)
	}
	got, err := s.GetConnection(ctx, c.ID)
	if err != nil {
		t.Fatalf("GetConnection: %v", err)
	}
	if !got.TokenExpiresAt.Equal(c.TokenExpiresAt) {
		t.Fatalf("TokenExpiresAt = %v, want %v", got.TokenExpiresAt, c.TokenExpiresAt)
	}
	plain := testConn("conn-plain", "u1")
	if err := s.PutConnection(ctx, plain, nil); err != nil {
		t.Fatalf("PutConnection: %v", err)
	}
	if got, err := s.GetConnection(ctx, plain.ID); err != nil || !got.TokenExpiresAt.IsZero() {
		t.Fatalf("GetConnection without expiry = %v, %v; want zero TokenExpiresAt", got.TokenExpiresAt, err)
	}
}
