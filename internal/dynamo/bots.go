package dynamo

import (
	"context"
	"encoding/hex"
	"time"

	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Bot accounts (issue #16). Items:
//   - the bot: pk USER#<botId>, sk BOT, in gsi1 partition BOTS (ListBots);
//     its token's SHA-256 in tokenHash, its creator in createdBy.
//   - the token's lookup item: pk BOTTOKEN#<hex sha256>, sk META, naming
//     the bot (BotByTokenHash: one GetItem, then the bot's).
//   - its profile (USER#<botId> / PROFILE, bot=true) with the name-index
//     items, so messages, member lists and mentions name it.
//
// Memberships are the ordinary MEMBER items of the rooms it was added to.

const (
	prefixBotToken = "BOTTOKEN#"
	skBot          = "BOT"
	gsiBots        = "BOTS"
)

var _ chat.BotStore = (*Store)(nil)

type botItem struct {
	PK            string    `dynamo:"pk"`
	SK            string    `dynamo:"sk"`
	GSI1PK        string    `dynamo:"gsi1pk"`
	GSI1SK        string    `dynamo:"gsi1sk"`
	BotID         string    `dynamo:"botId"`
	Name          string    `dynamo:"name"`
	AvatarColor   string    `dynamo:"avatarColor,omitempty"`
	CreatedBy     string    `dynamo:"createdBy"`
	CreatedAt     time.Time `dynamo:"createdAt"`
	TokenIssuedAt time.Time `dynamo:"tokenIssuedAt"`
	TokenHash     []byte    `dynamo:"tokenHash"`
}

type botTokenItem struct {
	PK    string `dynamo:"pk"`
	SK    string `dynamo:"sk"`
	BotID string `dynamo:"botId"`
}

func botTokenPK(hash []byte) string { return prefixBotToken + hex.EncodeToString(hash) }

func newBotItem(b chat.Bot) botItem {
	return botItem{
		PK: userPK(b.ID), SK: skBot, GSI1PK: gsiBots, GSI1SK: utc(b.CreatedAt).Format(time.RFC3339Nano) + "#" + b.ID,
		BotID: b.ID, Name: b.Name, AvatarColor: b.AvatarColor, CreatedBy: b.CreatedBy,
		CreatedAt: utc(b.CreatedAt), TokenIssuedAt: utc(b.TokenIssuedAt), TokenHash: b.TokenHash,
	}
}

func (it botItem) bot() chat.Bot {
	return chat.Bot{ID: it.BotID, Name: it.Name, AvatarColor: it.AvatarColor, CreatedBy: it.CreatedBy,
		CreatedAt: it.CreatedAt, TokenIssuedAt: it.TokenIssuedAt, TokenHash: it.TokenHash}
}

// CreateBot puts the bot, its token item and its profile (with the name
// index) in one transaction: Conflict when the id is taken.
func (s *Store) CreateBot(ctx context.Context, b chat.Bot, p chat.Profile) error {
	ctx = withOp(ctx, "CreateBot")
	if !chat.IsBotID(b.ID) || len(b.TokenHash) == 0 || p.UserID != b.ID {
		return chat.Errorf(chat.Invalid, "bot needs a bot id, a token hash and its profile")
	}
	p.Bot = true
	tx := s.db.WriteTx().
		Put(s.table.Put(newBotItem(b)).If("attribute_not_exists($)", AttrPK)).
		Put(s.table.Put(botTokenItem{PK: botTokenPK(b.TokenHash), SK: skMeta, BotID: b.ID}).If("attribute_not_exists($)", AttrPK)).
		Put(s.table.Put(newProfileItem(p)).If("attribute_not_exists($)", AttrPK))
	for _, it := range nameIndexItems(p) {
		tx.Put(s.table.Put(it))
	}
	err := retryConflicts(ctx, func() error { return tx.Run(ctx) })
	if isCondFailed(err) {
		return chat.Errorf(chat.Conflict, "bot %s exists", b.ID)
	}
	if err != nil {
		return internal(err, "create bot")
	}
	return nil
}

// GetBot reads one bot.
func (s *Store) GetBot(ctx context.Context, botID string) (chat.Bot, error) {
	ctx = withOp(ctx, "GetBot")
	return s.getBot(ctx, botID, false)
}

func (s *Store) getBot(ctx context.Context, botID string, consistent bool) (chat.Bot, error) {
	if botID == "" {
		return chat.Bot{}, chat.Errorf(chat.NotFound, "bot not found")
	}
	var it botItem
	err := s.table.Get(AttrPK, userPK(botID)).Range(AttrSK, gdynamo.Equal, skBot).Consistent(consistent).One(ctx, &it)
	if isNotFound(err) {
		return chat.Bot{}, chat.Errorf(chat.NotFound, "bot not found")
	}
	if err != nil {
		return chat.Bot{}, internal(err, "get bot")
	}
	return it.bot(), nil
}

// ListBots: one Query of gsi1 partition BOTS, oldest first.
func (s *Store) ListBots(ctx context.Context) ([]chat.Bot, error) {
	ctx = withOp(ctx, "ListBots")
	var items []botItem
	err := s.table.Get(AttrGSI1PK, gsiBots).Index(IndexGSI1).All(ctx, &items)
	if err != nil && !isNotFound(err) {
		return nil, internal(err, "list bots")
	}
	out := make([]chat.Bot, 0, len(items))
	for _, it := range items {
		out = append(out, it.bot())
	}
	return out, nil
}

// BotByTokenHash: the token item, then the bot (two GetItems; strongly
// consistent, so a rotated or deleted token is refused at once).
func (s *Store) BotByTokenHash(ctx context.Context, hash []byte) (chat.Bot, error) {
	ctx = withOp(ctx, "BotByTokenHash")
	var it botTokenItem
	err := s.table.Get(AttrPK, botTokenPK(hash)).Range(AttrSK, gdynamo.Equal, skMeta).Consistent(true).One(ctx, &it)
	if isNotFound(err) {
		return chat.Bot{}, chat.Errorf(chat.NotFound, "no such bot token")
	}
	if err != nil {
		return chat.Bot{}, internal(err, "get bot token")
	}
	return s.getBot(ctx, it.BotID, true)
}

// RotateBotToken swaps the token hash: the bot item (conditioned on the
// hash it read), the old token item out and the new one in, at once.
func (s *Store) RotateBotToken(ctx context.Context, botID string, hash []byte, at time.Time) (chat.Bot, error) {
	ctx = withOp(ctx, "RotateBotToken")
	b, err := s.getBot(ctx, botID, true)
	if err != nil {
		return chat.Bot{}, err
	}
	tx := s.db.WriteTx().
		Update(s.table.Update(AttrPK, userPK(botID)).Range(AttrSK, skBot).
			Set("tokenHash", hash).Set("tokenIssuedAt", utc(at)).
			If("tokenHash = ?", b.TokenHash)).
		Delete(s.table.Delete(AttrPK, botTokenPK(b.TokenHash)).Range(AttrSK, skMeta)).
		Put(s.table.Put(botTokenItem{PK: botTokenPK(hash), SK: skMeta, BotID: botID}).If("attribute_not_exists($)", AttrPK))
	err = retryConflicts(ctx, func() error { return tx.Run(ctx) })
	if isCondFailed(err) {
		return chat.Bot{}, chat.Errorf(chat.Conflict, "the bot's token changed meanwhile: try again")
	}
	if err != nil {
		return chat.Bot{}, internal(err, "rotate bot token")
	}
	b.TokenHash, b.TokenIssuedAt = hash, utc(at)
	return b, nil
}

// DeleteBot removes the bot and its token item and deactivates its
// profile (kept so its messages keep a name), at once.
func (s *Store) DeleteBot(ctx context.Context, botID string, at time.Time) error {
	ctx = withOp(ctx, "DeleteBot")
	b, err := s.getBot(ctx, botID, true)
	if err != nil {
		return err
	}
	tx := s.db.WriteTx().
		Delete(s.table.Delete(AttrPK, userPK(botID)).Range(AttrSK, skBot).If("tokenHash = ?", b.TokenHash)).
		Delete(s.table.Delete(AttrPK, botTokenPK(b.TokenHash)).Range(AttrSK, skMeta)).
		Update(s.table.Update(AttrPK, userPK(botID)).Range(AttrSK, skProfile).Set("deactivatedAt", utc(at)).If("attribute_exists($)", AttrPK))
	err = retryConflicts(ctx, func() error { return tx.Run(ctx) })
	if isCondFailed(err) {
		return chat.Errorf(chat.Conflict, "the bot changed meanwhile: try again")
	}
	if err != nil {
		return internal(err, "delete bot")
	}
	return nil
}

// eraseFromBot unlinks a bot from its deleted creator (erasure.go): the
// bot stays, its creator becomes chat.DeletedActor.
func (s *Store) eraseFromBot(ctx context.Context, pk string, res *chat.ErasureResult) error {
	err := s.table.Update(AttrPK, pk).Range(AttrSK, skBot).Set("createdBy", chat.DeletedActor).If("attribute_exists($)", AttrPK).Run(ctx)
	if err != nil && !isCondFailed(err) {
		return internal(err, "unlink bot creator")
	}
	res.Updated++
	return nil
}
