package dynamo

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Incoming webhooks (issue 16): one item per webhook in its room's
// partition, pk ROOM#<roomId>, sk HOOK#<id>: the room's purge deletes them
// with the room, listing is one Query, the HTTP API's lookup one GetItem
// (the URL's id carries the room id). createdBy names its creator
// (erasure.go replaces it); the secret is kept as SHA-256 only ("sh"),
// removed on revocation.
type webhookItem struct {
	PK         string    `dynamo:"pk"`
	SK         string    `dynamo:"sk"`
	ID         string    `dynamo:"hookId"`
	RoomID     string    `dynamo:"roomId"`
	Name       string    `dynamo:"name"`
	AvatarURL  string    `dynamo:"avatarUrl,omitempty"`
	CreatedBy  string    `dynamo:"createdBy"`
	CreatedAt  time.Time `dynamo:"createdAt"`
	RotatedAt  time.Time `dynamo:"rotatedAt,omitempty"`
	RevokedAt  time.Time `dynamo:"revokedAt,omitempty"`
	RevokedBy  string    `dynamo:"revokedBy,omitempty"`
	SecretHash []byte    `dynamo:"sh,omitempty"`
}

const prefixHook = "HOOK#"

func hookSK(id string) string { return prefixHook + id }

// messageIntegrationItem is a message's integration marker (intg).
type messageIntegrationItem struct {
	Kind      string `dynamo:"k"`
	ID        string `dynamo:"id"`
	Name      string `dynamo:"n"`
	AvatarURL string `dynamo:"a,omitempty"`
}

func newMessageIntegrationItem(i *chat.MessageIntegration) *messageIntegrationItem {
	if i == nil {
		return nil
	}
	return &messageIntegrationItem{Kind: i.Kind, ID: i.ID, Name: i.Name, AvatarURL: i.AvatarURL}
}

func (it *messageIntegrationItem) messageIntegration() *chat.MessageIntegration {
	if it == nil {
		return nil
	}
	return &chat.MessageIntegration{Kind: it.Kind, ID: it.ID, Name: it.Name, AvatarURL: it.AvatarURL}
}

func newWebhookItem(w chat.Webhook) webhookItem {
	return webhookItem{PK: roomPK(w.RoomID), SK: hookSK(w.ID), ID: w.ID, RoomID: w.RoomID, Name: w.Name, AvatarURL: w.AvatarURL,
		CreatedBy: w.CreatedBy, CreatedAt: utc(w.CreatedAt), RotatedAt: utc(w.RotatedAt), RevokedAt: utc(w.RevokedAt), RevokedBy: w.RevokedBy,
		SecretHash: w.SecretHash}
}

func (it webhookItem) webhook() chat.Webhook {
	return chat.Webhook{ID: it.ID, RoomID: it.RoomID, Name: it.Name, AvatarURL: it.AvatarURL, CreatedBy: it.CreatedBy,
		CreatedAt: it.CreatedAt.UTC(), RotatedAt: utcOrZero(it.RotatedAt), RevokedAt: utcOrZero(it.RevokedAt), RevokedBy: it.RevokedBy,
		SecretHash: it.SecretHash}
}

func utcOrZero(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

// CreateWebhook puts the item unless the id is taken (1 WCU).
func (s *Store) CreateWebhook(ctx context.Context, w chat.Webhook) error {
	ctx = withOp(ctx, "CreateWebhook")
	if w.ID == "" || w.RoomID == "" {
		return chat.Errorf(chat.Internal, "CreateWebhook: empty key attribute")
	}
	err := s.table.Put(newWebhookItem(w)).If("attribute_not_exists($)", AttrPK).Run(ctx)
	if isCondFailed(err) {
		return chat.Errorf(chat.Conflict, "a webhook with this id exists")
	}
	if err != nil {
		return internal(err, "put webhook")
	}
	return nil
}

// GetWebhook reads one item (GetItem, strongly consistent: a revocation
// or rotation holds at once).
func (s *Store) GetWebhook(ctx context.Context, roomID, id string) (chat.Webhook, error) {
	ctx = withOp(ctx, "GetWebhook")
	if roomID == "" || id == "" {
		return chat.Webhook{}, chat.Errorf(chat.NotFound, "no such webhook")
	}
	var it webhookItem
	err := s.table.Get(AttrPK, roomPK(roomID)).Range(AttrSK, gdynamo.Equal, hookSK(id)).Consistent(true).One(ctx, &it)
	if isNotFound(err) {
		return chat.Webhook{}, chat.Errorf(chat.NotFound, "no such webhook")
	}
	if err != nil {
		return chat.Webhook{}, internal(err, "get webhook")
	}
	return it.webhook(), nil
}

// ListWebhooks queries the room's HOOK# range.
func (s *Store) ListWebhooks(ctx context.Context, roomID string) ([]chat.Webhook, error) {
	ctx = withOp(ctx, "ListWebhooks")
	var items []webhookItem
	err := s.table.Get(AttrPK, roomPK(roomID)).Range(AttrSK, gdynamo.BeginsWith, prefixHook).Consistent(true).All(ctx, &items)
	if err != nil && !isNotFound(err) {
		return nil, internal(err, "list webhooks")
	}
	out := make([]chat.Webhook, 0, len(items))
	for _, it := range items {
		out = append(out, it.webhook())
	}
	chat.SortWebhooks(out)
	return out, nil
}

// RotateWebhookSecret replaces the hash unless the webhook is revoked.
func (s *Store) RotateWebhookSecret(ctx context.Context, roomID, id string, hash []byte, at time.Time) (chat.Webhook, error) {
	ctx = withOp(ctx, "RotateWebhookSecret")
	var it webhookItem
	err := s.table.Update(AttrPK, roomPK(roomID)).Range(AttrSK, hookSK(id)).
		Set("sh", hash).Set("rotatedAt", utc(at)).
		If("attribute_exists($) AND attribute_not_exists(revokedAt)", AttrPK).
		Value(ctx, &it)
	if isCondFailed(err) {
		w, gerr := s.GetWebhook(ctx, roomID, id)
		if gerr != nil {
			return chat.Webhook{}, gerr
		}
		if w.Revoked() {
			return chat.Webhook{}, chat.Errorf(chat.Conflict, "this webhook is revoked: create a new one")
		}
		return chat.Webhook{}, internal(err, "rotate webhook secret")
	}
	if err != nil {
		return chat.Webhook{}, internal(err, "rotate webhook secret")
	}
	return it.webhook(), nil
}

// RevokeWebhook marks the item revoked and removes its hash; a revoked
// webhook is returned as it is.
func (s *Store) RevokeWebhook(ctx context.Context, roomID, id, by string, at time.Time) (chat.Webhook, error) {
	ctx = withOp(ctx, "RevokeWebhook")
	var it webhookItem
	err := s.table.Update(AttrPK, roomPK(roomID)).Range(AttrSK, hookSK(id)).
		Set("revokedAt", utc(at)).Set("revokedBy", by).Remove("sh").
		If("attribute_exists($) AND attribute_not_exists(revokedAt)", AttrPK).
		Value(ctx, &it)
	if isCondFailed(err) {
		return s.GetWebhook(ctx, roomID, id) // gone: NotFound; revoked: as it is
	}
	if err != nil {
		return chat.Webhook{}, internal(err, "revoke webhook")
	}
	return it.webhook(), nil
}

// eraseFromWebhook unlinks an erased person from a webhook they created or
// revoked (the webhook stays the room's: its name is the integration's,
// not theirs).
func (s *Store) eraseFromWebhook(ctx context.Context, userID, pk, sk string, item map[string]types.AttributeValue, res *chat.ErasureResult) error {
	created, revoked := str(item, "createdBy") == userID, str(item, "revokedBy") == userID
	if !created && !revoked {
		return nil
	}
	u := s.table.Update(AttrPK, pk).Range(AttrSK, sk)
	if created {
		u = u.Set("createdBy", chat.DeletedActor)
	}
	if revoked {
		u = u.Set("revokedBy", chat.DeletedActor)
	}
	if err := u.If("attribute_exists($)", AttrPK).Run(withOp(ctx, "EraseWebhookCreator")); err != nil && !isCondFailed(err) {
		return internal(err, "unlink webhook creator")
	}
	res.Updated++
	return nil
}
