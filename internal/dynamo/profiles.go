package dynamo

import (
	"context"
	"time"

	gdynamo "github.com/guregu/dynamo/v2"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// EnsureProfile puts p unless the user has a profile; a failed condition
// returns the stored profile in the same request (ALL_OLD on failure).
func (s *Store) EnsureProfile(ctx context.Context, p chat.Profile) (chat.Profile, bool, error) {
	ctx = withOp(ctx, "EnsureProfile")
	if p.UserID == "" {
		return chat.Profile{}, false, chat.Errorf(chat.Invalid, "profile needs a user id")
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = s.now()
	}
	var stored profileItem
	wrote, err := s.table.Put(newProfileItem(p)).If("attribute_not_exists($)", AttrPK).CurrentValue(ctx, &stored)
	if err != nil && isCondFailed(err) {
		// The emulator may not return the old item: read it instead.
		got, getErr := s.GetProfile(ctx, p.UserID)
		return got, false, getErr
	}
	if err != nil {
		return chat.Profile{}, false, internal(err, "ensure profile")
	}
	return stored.profile(), wrote, nil
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
// attribute. NotFound if the user has no profile.
func (s *Store) UpdateProfile(ctx context.Context, userID string, displayName, avatarColor, avatarKey *string) (chat.Profile, error) {
	ctx = withOp(ctx, "UpdateProfile")
	u := s.table.Update(AttrPK, userPK(userID)).Range(AttrSK, skProfile).If("attribute_exists($)", AttrPK)
	setOrRemove(u, "displayName", displayName)
	setOrRemove(u, "avatarColor", avatarColor)
	setOrRemove(u, "avatarKey", avatarKey)
	if displayName == nil && avatarColor == nil && avatarKey == nil {
		return s.GetProfile(ctx, userID)
	}
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

// SetLastSeen records when the user was last online. NotFound if the user
// has no profile.
func (s *Store) SetLastSeen(ctx context.Context, userID string, at time.Time) error {
	ctx = withOp(ctx, "SetLastSeen")
	err := s.table.Update(AttrPK, userPK(userID)).Range(AttrSK, skProfile).
		Set("lastSeen", utc(at)).
		If("attribute_exists($)", AttrPK).
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
