package dynamo

import (
	"context"
	"errors"
	"sync"
	"time"

	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// EnsureProfile puts p unless the user has a profile, with its name-index
// items (for mentions) in the same transaction; if the profile exists, the
// stored one is returned.
func (s *Store) EnsureProfile(ctx context.Context, p chat.Profile) (chat.Profile, bool, error) {
	ctx = withOp(ctx, "EnsureProfile")
	if p.UserID == "" {
		return chat.Profile{}, false, chat.Errorf(chat.Invalid, "profile needs a user id")
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = s.now()
	}
	p.Handle = "" // claimed by SetHandle only
	tx := s.db.WriteTx().Put(s.table.Put(newProfileItem(p)).If("attribute_not_exists($)", AttrPK))
	for _, it := range nameIndexItems(p) {
		tx.Put(s.table.Put(it))
	}
	err := retryConflicts(ctx, func() error { return tx.Run(ctx) })
	if err != nil && (txCondFailedAt(err, 0) || isCondFailed(err)) {
		got, getErr := s.GetProfile(ctx, p.UserID)
		return got, false, getErr
	}
	if err != nil {
		return chat.Profile{}, false, internal(err, "ensure profile")
	}
	stored := newProfileItem(p)
	return stored.profile(), true, nil
}

// GetProfile reads one profile.
func (s *Store) GetProfile(ctx context.Context, userID string) (chat.Profile, error) {
	ctx = withOp(ctx, "GetProfile")
	var it profileItem
	err := s.table.Get(AttrPK, userPK(userID)).Range(AttrSK, gdynamo.Equal, skProfile).One(ctx, &it)
	if isNotFound(err) {
		return chat.Profile{}, chat.Errorf(chat.NotFound, "user %s not found", userID)
	}
	if err != nil {
		return chat.Profile{}, internal(err, "get profile")
	}
	return it.profile(), nil
}

// GetProfiles reads many profiles with BatchGetItem (100 keys per request,
// unprocessed keys retried), in the order of userIDs, skipping unknown ones.
func (s *Store) GetProfiles(ctx context.Context, userIDs []string) ([]chat.Profile, error) {
	ctx = withOp(ctx, "GetProfiles")
	ids := unique(userIDs)
	if len(ids) == 0 {
		return []chat.Profile{}, nil
	}
	keys := make([]gdynamo.Keyed, 0, len(ids))
	for _, id := range ids {
		keys = append(keys, gdynamo.Keys{userPK(id), skProfile})
	}
	var items []profileItem
	err := s.table.Batch(AttrPK, AttrSK).Get(keys...).All(ctx, &items)
	if err != nil && !isNotFound(err) {
		return nil, internal(err, "get profiles")
	}
	byID := make(map[string]chat.Profile, len(items))
	for _, it := range items {
		byID[it.UserID] = it.profile()
	}
	profiles := make([]chat.Profile, 0, len(items))
	for _, id := range ids {
		if p, ok := byID[id]; ok {
			profiles = append(profiles, p)
		}
	}
	return profiles, nil
}

// UpdateProfile sets the non-nil fields; an empty string removes the
// attribute. NotFound if the user has no profile. A display name change
// also moves the user's name-index items, in one transaction with the
// profile, conditioned on the display name it read (re-read and retried
// if a concurrent rename won).
func (s *Store) UpdateProfile(ctx context.Context, userID string, displayName, avatarColor, avatarKey *string) (chat.Profile, error) {
	ctx = withOp(ctx, "UpdateProfile")
	if displayName == nil && avatarColor == nil && avatarKey == nil {
		return s.GetProfile(ctx, userID)
	}
	if displayName != nil {
		return s.rename(ctx, userID, *displayName, avatarColor, avatarKey)
	}
	u := s.table.Update(AttrPK, userPK(userID)).Range(AttrSK, skProfile).If("attribute_exists($)", AttrPK)
	setOrRemove(u, "avatarColor", avatarColor)
	setOrRemove(u, "avatarKey", avatarKey)
	var it profileItem
	err := u.Value(ctx, &it)
	if isCondFailed(err) {
		return chat.Profile{}, chat.Errorf(chat.NotFound, "user %s not found", userID)
	}
	if err != nil {
		return chat.Profile{}, internal(err, "update profile")
	}
	return it.profile(), nil
}

// renameAttempts bounds the re-reads of a rename racing another.
const profileRenameAttempts = 3

func (s *Store) rename(ctx context.Context, userID, displayName string, avatarColor, avatarKey *string) (chat.Profile, error) {
	for attempt := 1; ; attempt++ {
		var old profileItem
		err := s.table.Get(AttrPK, userPK(userID)).Range(AttrSK, gdynamo.Equal, skProfile).Consistent(true).One(ctx, &old)
		if isNotFound(err) {
			return chat.Profile{}, chat.Errorf(chat.NotFound, "user %s not found", userID)
		}
		if err != nil {
			return chat.Profile{}, internal(err, "update profile")
		}
		next := old
		next.DisplayName = displayName
		if avatarColor != nil {
			next.AvatarColor = *avatarColor
		}
		if avatarKey != nil {
			next.AvatarKey = *avatarKey
		}
		u := s.table.Update(AttrPK, userPK(userID)).Range(AttrSK, skProfile)
		if old.DisplayName == "" {
			u.If("attribute_exists($) AND attribute_not_exists($)", AttrPK, "displayName")
		} else {
			u.If("attribute_exists($) AND $ = ?", AttrPK, "displayName", old.DisplayName)
		}
		setOrRemove(u, "displayName", &displayName)
		setOrRemove(u, "avatarColor", avatarColor)
		setOrRemove(u, "avatarKey", avatarKey)
		tx := s.db.WriteTx().Update(u)
		s.moveNameIndex(tx, old.profile(), next.profile())
		err = retryConflicts(ctx, func() error { return tx.Run(ctx) })
		if err == nil {
			return next.profile(), nil
		}
		if !txCondFailedAt(err, 0) {
			return chat.Profile{}, internal(err, "update profile")
		}
		if attempt == profileRenameAttempts {
			return chat.Profile{}, chat.Errorf(chat.Conflict, "profile changed meanwhile: retry")
		}
	}
}

// MentionCandidates reads the name index: one Query (eventually
// consistent) per key, a few at a time, then one BatchGetItem of the
// candidates' member items in roomID (100 keys per request) keeps the
// members. Its cost grows with the users sharing a key, not the room.
func (s *Store) MentionCandidates(ctx context.Context, roomID string, keys []string) ([]chat.Profile, error) {
	ctx = withOp(ctx, "MentionCandidates")
	var (
		mu    sync.Mutex
		cands = map[string]chat.Profile{}
		wg    sync.WaitGroup
		errs  = make([]error, len(keys))
		sem   = make(chan struct{}, 8)
	)
	for i, k := range unique(keys) {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			var items []nameIndexItem
			if err := s.table.Get(AttrPK, unamePK(k)).All(ctx, &items); err != nil {
				errs[i] = internal(err, "read name index")
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, it := range items {
				cands[it.UserID] = chat.Profile{UserID: it.UserID, Username: it.Username, DisplayName: it.DisplayName, Handle: it.Handle}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if len(cands) == 0 {
		return []chat.Profile{}, nil
	}
	ids := make([]gdynamo.Keyed, 0, len(cands))
	for id := range cands {
		ids = append(ids, gdynamo.Keys{roomPK(roomID), memberSK(id)})
	}
	var members []memberItem
	err := s.table.Batch(AttrPK, AttrSK).Get(ids...).Project(AttrPK, AttrSK, "userId").All(ctx, &members)
	if err != nil && !isNotFound(err) {
		return nil, internal(err, "read candidates' memberships")
	}
	out := make([]chat.Profile, 0, len(members))
	for _, m := range members {
		if p, ok := cands[m.UserID]; ok {
			out = append(out, p)
		}
	}
	return out, nil
}

// SetLastSeen records when the user was last online. NotFound if the user
// has no profile.
func (s *Store) SetLastSeen(ctx context.Context, userID string, at time.Time) error {
	ctx = withOp(ctx, "SetLastSeen")
	err := s.table.Update(AttrPK, userPK(userID)).Range(AttrSK, skProfile).
		Set("lastSeen", utc(at)).
		If("attribute_exists($) AND attribute_not_exists(deleted)", AttrPK). // a deleted account's tombstone stays bare
		Run(ctx)
	if isCondFailed(err) {
		return chat.Errorf(chat.NotFound, "user %s not found", userID)
	}
	if err != nil {
		return internal(err, "set last seen")
	}
	return nil
}

// SetDeactivated sets or removes deactivatedAt on the profile. NotFound if
// the user has no profile.
func (s *Store) SetDeactivated(ctx context.Context, userID string, deactivated bool, at time.Time) error {
	ctx = withOp(ctx, "SetDeactivated")
	u := s.table.Update(AttrPK, userPK(userID)).Range(AttrSK, skProfile).If("attribute_exists($)", AttrPK)
	if deactivated {
		u.Set("deactivatedAt", utc(at))
	} else {
		u.Remove("deactivatedAt")
	}
	err := u.Run(ctx)
	if isCondFailed(err) {
		return chat.Errorf(chat.NotFound, "user %s not found", userID)
	}
	if err != nil {
		return internal(err, "set deactivated")
	}
	return nil
}

// ListProfiles pages through every profile by user id: a Query on gsi1
// partition USERS.
func (s *Store) ListProfiles(ctx context.Context, cursor string, limit int) ([]chat.Profile, string, error) {
	ctx = withOp(ctx, "ListProfiles")
	items, next, err := pageGSI(ctx, s, gsiUsers, cursor, limit, func(it profileItem) string { return it.GSI1SK })
	if err != nil {
		return nil, "", err
	}
	profiles := make([]chat.Profile, 0, len(items))
	for _, it := range items {
		profiles = append(profiles, it.profile())
	}
	return profiles, next, nil
}

// setOrRemove adds SET path = v to u, or REMOVE path when v is empty;
// nil leaves the attribute alone.
func setOrRemove(u *gdynamo.Update, path string, v *string) {
	switch {
	case v == nil:
	case *v == "":
		u.Remove(path)
	default:
		u.Set(path, *v)
	}
}

// moveNameIndex adds to tx the writes that take a profile's name index
// from before to after: the new keys put, the keys it no longer has
// deleted, in the same transaction as the profile's own update.
func (s *Store) moveNameIndex(tx *gdynamo.WriteTx, before, after chat.Profile) {
	keep := map[string]bool{}
	for _, it := range nameIndexItems(after) {
		keep[it.key()] = true
		tx.Put(s.table.Put(it))
	}
	for _, it := range nameIndexItems(before) {
		if !keep[it.key()] {
			tx.Delete(s.table.Delete(AttrPK, it.PK).Range(AttrSK, it.SK))
		}
	}
}

// SearchProfiles finds people by a prefix of a folded word of their display
// name or handle (search.NameWords): one Query of the word's UWORD#
// partition, begins_with the prefix, reading at most limit index items
// (eventually consistent), then their profiles with one BatchGetItem, in
// index (word) order, each person once.
func (s *Store) SearchProfiles(ctx context.Context, prefix string, limit int) ([]chat.Profile, error) {
	ctx = withOp(ctx, "SearchProfiles")
	if prefix == "" || limit <= 0 {
		return []chat.Profile{}, nil
	}
	var items []nameIndexItem
	err := s.table.Get(AttrPK, wordIndexPK(prefix)).Range(AttrSK, gdynamo.BeginsWith, prefix).
		Project(AttrPK, AttrSK, "userId").Limit(limit).All(ctx, &items)
	if err != nil {
		return nil, internal(err, "read people index")
	}
	ids := make([]string, 0, len(items))
	for _, it := range items {
		ids = append(ids, it.UserID)
	}
	return s.GetProfiles(ctx, ids)
}
