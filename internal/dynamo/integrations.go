package dynamo

import (
	"context"
	"slices"
	"strings"
	"time"

	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Slash commands and outgoing webhooks (chat.IntegrationStore): one item
// per registration in its scope's partition, INTEG#<roomId> (INTEG#* for
// the workspace's commands): CMD#<name> for a command (the key makes a
// name unique in its scope), OUT#<id> for an outgoing webhook. Sending a
// command or delivering a message reads one partition (one Query, a few
// items). gsi1 INTEGBY#<creator> / <createdAt>#<id> lists a person's
// registrations for their export; erasure deletes them (erasure.go).
//
// The signing secret is stored as it was generated (attribute "secret"):
// the server must sign with it, so a hash cannot do, and it is only ever
// read by the functions that sign (the WebSocket handler for commands, the
// delivery function for outgoing webhooks). The table is encrypted at rest;
// clients see it once, in the registration's reply.

const (
	prefixInteg   = "INTEG#"
	prefixIntegBy = "INTEGBY#"
	skCmd         = "CMD#"
	skOut         = "OUT#"
)

type integrationItem struct {
	PK           string    `dynamo:"pk"`
	SK           string    `dynamo:"sk"`
	ID           string    `dynamo:"id"`
	Kind         string    `dynamo:"kind"`
	RoomID       string    `dynamo:"roomId,omitempty"`
	Command      string    `dynamo:"command,omitempty"`
	Description  string    `dynamo:"description,omitempty"`
	URL          string    `dynamo:"url"`
	TriggerWords []string  `dynamo:"triggerWords,omitempty"`
	AllMessages  bool      `dynamo:"allMessages,omitempty"`
	Secret       string    `dynamo:"secret"`
	CreatedBy    string    `dynamo:"createdBy"`
	CreatedAt    time.Time `dynamo:"createdAt"`
	GSI1PK       string    `dynamo:"gsi1pk"`
	GSI1SK       string    `dynamo:"gsi1sk"`
}

func integPK(roomID string) string {
	if roomID == chat.WorkspaceScope {
		return prefixInteg + "*"
	}
	return prefixInteg + roomID
}

func integSK(it chat.Integration) string {
	if it.Kind == chat.KindCommand {
		return skCmd + it.Command
	}
	return skOut + it.ID
}

func (it integrationItem) integration() chat.Integration {
	return chat.Integration{ID: it.ID, Kind: chat.IntegrationKind(it.Kind), RoomID: it.RoomID, Command: it.Command,
		Description: it.Description, URL: it.URL, TriggerWords: it.TriggerWords, AllMessages: it.AllMessages,
		Secret: it.Secret, CreatedBy: it.CreatedBy, CreatedAt: it.CreatedAt}
}

var _ chat.IntegrationStore = (*Store)(nil)

// PutIntegration is a Query of the scope (the count) and a conditional
// PutItem.
func (s *Store) PutIntegration(ctx context.Context, it chat.Integration, max int) error {
	ctx = withOp(ctx, "PutIntegration")
	if it.ID == "" || it.URL == "" || it.CreatedBy == "" || (it.Kind != chat.KindCommand && it.Kind != chat.KindOutgoing) {
		return chat.Errorf(chat.Invalid, "an integration needs an id, a kind, a URL and its creator")
	}
	have, err := s.ListIntegrations(ctx, it.RoomID, it.Kind)
	if err != nil {
		return err
	}
	if max > 0 && len(have) >= max {
		return chat.Errorf(chat.Conflict, "at most %d of these here: delete one first", max)
	}
	if it.CreatedAt.IsZero() {
		it.CreatedAt = s.now()
	}
	row := integrationItem{PK: integPK(it.RoomID), SK: integSK(it), ID: it.ID, Kind: string(it.Kind), RoomID: it.RoomID,
		Command: it.Command, Description: it.Description, URL: it.URL, TriggerWords: it.TriggerWords, AllMessages: it.AllMessages,
		Secret: it.Secret, CreatedBy: it.CreatedBy, CreatedAt: utc(it.CreatedAt),
		GSI1PK: prefixIntegBy + it.CreatedBy, GSI1SK: utc(it.CreatedAt).Format(time.RFC3339Nano) + "#" + it.ID}
	if err := s.table.Put(row).If("attribute_not_exists($)", AttrPK).Run(ctx); err != nil {
		if isCondFailed(err) {
			return chat.Errorf(chat.Conflict, "/%s is registered here already", it.Command)
		}
		return internal(err, "put integration")
	}
	return nil
}

// ListIntegrations is one Query of the scope's partition.
func (s *Store) ListIntegrations(ctx context.Context, roomID string, kind chat.IntegrationKind) ([]chat.Integration, error) {
	ctx = withOp(ctx, "ListIntegrations")
	q := s.table.Get(AttrPK, integPK(roomID)).Consistent(true)
	switch kind {
	case chat.KindCommand:
		q = q.Range(AttrSK, gdynamo.BeginsWith, skCmd)
	case chat.KindOutgoing:
		q = q.Range(AttrSK, gdynamo.BeginsWith, skOut)
	}
	var items []integrationItem
	if err := q.All(ctx, &items); err != nil {
		return nil, internal(err, "list integrations")
	}
	out := make([]chat.Integration, 0, len(items))
	for _, it := range items {
		out = append(out, it.integration())
	}
	return out, nil
}

// DeleteIntegration finds the id in its scope (one Query) and deletes it.
func (s *Store) DeleteIntegration(ctx context.Context, roomID, id string) (chat.Integration, error) {
	ctx = withOp(ctx, "DeleteIntegration")
	all, err := s.ListIntegrations(ctx, roomID, "")
	if err != nil {
		return chat.Integration{}, err
	}
	i := slices.IndexFunc(all, func(it chat.Integration) bool { return it.ID == id })
	if i < 0 {
		return chat.Integration{}, chat.Errorf(chat.NotFound, "integration not found")
	}
	if err := s.table.Delete(AttrPK, integPK(roomID)).Range(AttrSK, integSK(all[i])).Run(ctx); err != nil {
		return chat.Integration{}, internal(err, "delete integration")
	}
	return all[i], nil
}

// IntegrationsBy is one Query of gsi1.
func (s *Store) IntegrationsBy(ctx context.Context, userID string) ([]chat.Integration, error) {
	ctx = withOp(ctx, "IntegrationsBy")
	var items []integrationItem
	if err := s.table.Get(AttrGSI1PK, prefixIntegBy+userID).Index(IndexGSI1).All(ctx, &items); err != nil {
		return nil, internal(err, "list a person's integrations")
	}
	out := make([]chat.Integration, 0, len(items))
	for _, it := range items {
		out = append(out, it.integration())
	}
	return out, nil
}

// isIntegrationOf says whether a scanned item is a registration userID
// created (erasure deletes it).
func isIntegrationOf(pk string, createdBy, userID string) bool {
	return strings.HasPrefix(pk, prefixInteg) && createdBy == userID
}
