package dynamo

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// PutConnection stores c, its user link and one room-connection item per
// room, in batches of 25 (unprocessed items are retried with backoff).
func (s *Store) PutConnection(ctx context.Context, c chat.Connection, roomIDs []string) error {
	ctx = withOp(ctx, "PutConnection")
	if c.ID == "" || c.UserID == "" {
		return chat.Errorf(chat.Invalid, "connection needs an id and a user")
	}
	if c.ConnectedAt.IsZero() {
		c.ConnectedAt = s.now()
	}
	if c.ExpiresAt.IsZero() {
		c.ExpiresAt = c.ConnectedAt.Add(connectionTTL)
	}
	ttl := c.ExpiresAt.Unix()
	items := []any{
		connItem{
			PK: connPK(c.ID), SK: skMeta, ConnectionID: c.ID,
			UserID: c.UserID, Username: c.Username, DisplayName: c.DisplayName,
			NameFromEmail: c.PlaceholderName(), Groups: c.Groups, ConnectedAt: utc(c.ConnectedAt),
			ConnectedMs: c.ConnectedAt.UnixMilli(), TokenExp: unixOrZero(c.TokenExpiresAt), TTL: ttl,
			WidgetID: c.WidgetID,
		},
		userConnItem{PK: userPK(c.UserID), SK: userConnSK(c.ID), ConnectionID: c.ID, TTL: ttl},
	}
	for _, roomID := range unique(roomIDs) {
		items = append(items, roomConnItem{PK: roomConnPK(roomID, c.ID), SK: c.ID, UserID: c.UserID, TTL: ttl})
	}
	if _, err := s.table.Batch().Write().Put(items...).Run(ctx); err != nil {
		return internal(err, "put connection")
	}
	return nil
}

// GetConnection returns a live connection; one whose TTL has passed counts
// as missing even before DynamoDB's background TTL deletes it.
func (s *Store) GetConnection(ctx context.Context, id string) (chat.Connection, error) {
	ctx = withOp(ctx, "GetConnection")
	var it connItem
	err := s.table.Get(AttrPK, connPK(id)).Range(AttrSK, gdynamo.Equal, skMeta).Consistent(true).One(ctx, &it)
	if isNotFound(err) || (err == nil && s.expired(it.TTL)) {
		return chat.Connection{}, chat.Errorf(chat.NotFound, "connection %s not found", id)
	}
	if err != nil {
		return chat.Connection{}, internal(err, "get connection")
	}
	return it.connection(), nil
}

// DeleteConnection deletes c, its user link and its room-connection items.
// When c carries no user id, the stored connection supplies it.
func (s *Store) DeleteConnection(ctx context.Context, c chat.Connection, roomIDs []string) error {
	ctx = withOp(ctx, "DeleteConnection")
	if c.UserID == "" {
		var it connItem
		err := s.table.Get(AttrPK, connPK(c.ID)).Range(AttrSK, gdynamo.Equal, skMeta).
			Project(AttrPK, AttrSK, "userId").Consistent(true).One(ctx, &it)
		if err != nil && !isNotFound(err) {
			return internal(err, "delete connection")
		}
		c.UserID = it.UserID
	}
	keys := []gdynamo.Keyed{gdynamo.Keys{connPK(c.ID), skMeta}}
	if c.UserID != "" {
		keys = append(keys, gdynamo.Keys{userPK(c.UserID), userConnSK(c.ID)})
	}
	for _, roomID := range unique(roomIDs) {
		keys = append(keys, roomConnKeys(roomID, c.ID)...)
	}
	if _, err := s.table.Batch(AttrPK, AttrSK).Write().Delete(keys...).Run(ctx); err != nil {
		return internal(err, "delete connection")
	}
	return nil
}

// UserConnections lists the live connection ids of a user: one Query on
// the user's partition, CONN# links only.
func (s *Store) UserConnections(ctx context.Context, userID string) ([]string, error) {
	ctx = withOp(ctx, "UserConnections")
	var items []userConnItem
	err := s.table.Get(AttrPK, userPK(userID)).
		Range(AttrSK, gdynamo.BeginsWith, prefixConn).
		Filter("$ > ?", AttrTTL, s.now().Unix()).
		Project("connectionId", AttrTTL).
		Consistent(true).
		All(ctx, &items)
	if err != nil {
		return nil, internal(err, "user connections")
	}
	ids := make([]string, 0, len(items))
	for _, it := range items {
		ids = append(ids, it.ConnectionID)
	}
	return ids, nil
}

// RoomConnections is the fan-out query: one Query per shard of the room's
// index (RoomConnShards, run concurrently: one round trip), through every
// page, projecting only the connection and user ids and skipping items
// whose TTL has passed. A connection is listed once even if an item of
// the unsharded index before it is still there.
func (s *Store) RoomConnections(ctx context.Context, roomID string) ([]chat.RoomConnection, error) {
	ctx = withOp(ctx, "RoomConnections")
	var (
		shards [RoomConnShards][]roomConnItem
		errs   [RoomConnShards]error
		wg     sync.WaitGroup
	)
	now := s.now().Unix()
	for i := range RoomConnShards {
		wg.Go(func() {
			errs[i] = s.table.Get(AttrPK, roomConnShardPK(roomID, i)).
				Filter("$ > ?", AttrTTL, now).
				Project(AttrSK, "userId", AttrTTL).
				Consistent(true).
				All(ctx, &shards[i])
		})
	}
	wg.Wait()
	if err := errors.Join(errs[:]...); err != nil {
		return nil, internal(err, "room connections")
	}
	n := 0
	for _, items := range shards {
		n += len(items)
	}
	conns := make([]chat.RoomConnection, 0, n)
	seen := make(map[string]bool, n)
	for _, items := range shards {
		for _, it := range items {
			if !seen[it.SK] {
				seen[it.SK] = true
				conns = append(conns, chat.RoomConnection{RoomID: roomID, ConnectionID: it.SK, UserID: it.UserID})
			}
		}
	}
	return conns, nil
}

// AddRoomConnections indexes live connections of a user in a room (the
// user joined it while connected).
func (s *Store) AddRoomConnections(ctx context.Context, roomID, userID string, connIDs []string) error {
	ctx = withOp(ctx, "AddRoomConnections")
	ids := unique(connIDs)
	if len(ids) == 0 {
		return nil
	}
	// The connections started before now, so now + connectionTTL outlives them.
	ttl := s.now().Add(connectionTTL).Unix()
	items := make([]any, 0, len(ids))
	for _, id := range ids {
		items = append(items, roomConnItem{PK: roomConnPK(roomID, id), SK: id, UserID: userID, TTL: ttl})
	}
	if _, err := s.table.Batch().Write().Put(items...).Run(ctx); err != nil {
		return internal(err, fmt.Sprintf("add connections to room %s", roomID))
	}
	return nil
}

// RemoveRoomConnections drops connections from a room's fan-out index.
func (s *Store) RemoveRoomConnections(ctx context.Context, roomID string, connIDs []string) error {
	ctx = withOp(ctx, "RemoveRoomConnections")
	ids := unique(connIDs)
	if len(ids) == 0 {
		return nil
	}
	keys := make([]gdynamo.Keyed, 0, 2*len(ids))
	for _, id := range ids {
		keys = append(keys, roomConnKeys(roomID, id)...)
	}
	if _, err := s.table.Batch(AttrPK, AttrSK).Write().Delete(keys...).Run(ctx); err != nil {
		return internal(err, fmt.Sprintf("remove connections from room %s", roomID))
	}
	return nil
}

// cleanUnshardedRoomConns: deletes also delete the item a connection had
// in the unsharded index (ROOMCONN#<roomId>, now shard 0) when its shard is
// another one. Items written before the index was sharded expire with
// their connection (connectionTTL, 3 h), so this can go one release after
// the sharded index is deployed; until then a delete of a connection
// whose shard is not 0 writes one more (no-op) delete per room.
const cleanUnshardedRoomConns = true

// roomConnKeys are the keys to delete for connection connID of a room.
func roomConnKeys(roomID, connID string) []gdynamo.Keyed {
	keys := []gdynamo.Keyed{gdynamo.Keys{roomConnPK(roomID, connID), connID}}
	if cleanUnshardedRoomConns && roomConnShard(connID) != 0 {
		keys = append(keys, gdynamo.Keys{roomConnShardPK(roomID, 0), connID})
	}
	return keys
}

// expired reports whether an epoch-seconds TTL has passed.
func (s *Store) expired(ttl int64) bool {
	return ttl != 0 && time.Unix(ttl, 0).Before(s.now())
}

// unique drops duplicates and empty strings, keeping order: a batch write
// must not name one key twice.
func unique(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// DeleteConnectionIfConnectedBefore is the first step of the gone-cleanup:
// one DeleteItem of the connection item, on the condition that it was
// connected before cutoff, returning the item either way (ALL_OLD on
// success and on a failed condition). It returns the deleted connection
// and true; a connection connected at or after cutoff is kept and returned
// with false; a missing one is NotFound. The condition is on the item
// itself, so a $connect that stores the connection at the same moment is
// never undone: its item is either absent yet (NotFound) or young (kept).
// The caller deletes the user link and room-connection items afterwards
// (DeleteConnection). Items written before connectedMs existed count as
// old.
func (s *Store) DeleteConnectionIfConnectedBefore(ctx context.Context, id string, cutoff time.Time) (chat.Connection, bool, error) {
	ctx = withOp(ctx, "DeleteConnectionIfConnectedBefore")
	var it connItem
	err := s.table.Delete(AttrPK, connPK(id)).Range(AttrSK, skMeta).
		If("attribute_exists($) AND ($ < ? OR attribute_not_exists($))", AttrPK, attrConnectedMs, cutoff.UnixMilli(), attrConnectedMs).
		IncludeItemInCondCheckFail(true).
		OldValue(ctx, &it)
	if err == nil {
		return it.connection(), true, nil
	}
	if !isCondFailed(err) {
		return chat.Connection{}, false, internal(err, "delete gone connection")
	}
	if ok, uerr := gdynamo.UnmarshalItemFromCondCheckFailed(err, &it); ok && uerr == nil && it.PK != "" {
		return it.connection(), false, nil
	}
	return chat.Connection{}, false, chat.Errorf(chat.NotFound, "connection %s not found", id)
}

// unixOrZero is t in Unix seconds, 0 for the zero time.
func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}
