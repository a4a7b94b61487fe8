package service

import (
	"context"
	"strings"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// UpdateProfile changes the caller's own display name, handle, avatar
// colour or avatar picture (an uploaded image under avatars/<userId>/, or "" for
// none), and pushes userUpdated to everyone sharing a room with
// them (their other connections included).
func (s *Chat) UpdateProfile(ctx context.Context, c chat.Connection, r protocol.UpdateProfileRequest) (protocol.ProfileEvent, error) {
	// Only the caller's own profile: the policy decides whether they may.
	if err := chat.Authorize(chat.ActUpdateProfile, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.ProfileEvent{}, err
	}
	if r.DisplayName == nil && r.AvatarColor == nil && r.AvatarKey == nil && r.Handle == nil {
		return protocol.ProfileEvent{}, chat.Errorf(chat.Invalid, "nothing to update: give displayName, avatarColor, avatarKey or handle")
	}
	var handle string
	if r.Handle != nil {
		handle = chat.NormalizeHandle(*r.Handle)
		if msg := chat.ValidHandle(handle); msg != "" {
			return protocol.ProfileEvent{}, chat.Errorf(chat.Invalid, "%s", msg)
		}
	}
	var name, color, key *string
	if r.DisplayName != nil {
		n, err := displayName(*r.DisplayName)
		if err != nil {
			return protocol.ProfileEvent{}, err
		}
		name = &n
	}
	if r.AvatarColor != nil {
		if !colorPattern.MatchString(*r.AvatarColor) {
			return protocol.ProfileEvent{}, chat.Errorf(chat.Invalid, "avatarColor must look like #rrggbb")
		}
		col := strings.ToLower(*r.AvatarColor)
		color = &col
	}
	avatarVersion := "" // the checked version of a new picture (avatars.go)
	if r.AvatarKey != nil {
		if err := avatarKey(c.UserID, *r.AvatarKey); err != nil {
			return protocol.ProfileEvent{}, err
		}
		// An empty key removes the picture; any other must be uploaded.
		if *r.AvatarKey != "" {
			v, err := s.checkAvatarObject(ctx, *r.AvatarKey)
			if err != nil {
				return protocol.ProfileEvent{}, err
			}
			avatarVersion = v
		}
		key = r.AvatarKey
	}
	// A sign-up name replacing the placeholder: the handle follows it.
	follow := false
	if name != nil && r.Handle == nil {
		if p0, err := s.store.GetProfile(ctx, c.UserID); err == nil && *name != p0.DisplayName {
			follow = placeholderHandle(c, p0)
		}
	}
	// The handle first: a taken handle then changes nothing at all.
	if r.Handle != nil {
		if _, err := s.store.SetHandle(ctx, c.UserID, handle); err != nil {
			return protocol.ProfileEvent{}, storeErr(err, "set handle")
		}
	}
	oldAvatar := "" // a replaced picture is discarded (retention.go)
	if key != nil {
		if p0, err := s.store.GetProfile(ctx, c.UserID); err == nil {
			oldAvatar = p0.AvatarKey
		}
		if err := s.keepAvatar(ctx, *key); err != nil {
			return protocol.ProfileEvent{}, err
		}
	}
	p, err := s.store.UpdateProfile(ctx, c.UserID, name, color, key)
	if err != nil {
		return protocol.ProfileEvent{}, storeErr(err, "update profile")
	}
	if key != nil {
		s.discardAvatar(ctx, oldAvatar, *key)
	}
	// The checked version is what requestAvatarUrl serves (pinned pictures).
	if avatarVersion != "" {
		if vs, ok := s.store.(chat.AvatarVersionStore); ok {
			if err := vs.SetAvatarVersion(ctx, c.UserID, *key, avatarVersion); err != nil {
				return protocol.ProfileEvent{}, storeErr(err, "record the picture's version")
			}
		}
	}
	if follow {
		p = s.deriveHandle(ctx, p, "") // the connection keeps no email (issue #15)
	}
	p.Online = true // the caller is connected
	s.publish(ctx, chat.ProfileUpdated{Actor: chat.Actor{UserID: c.UserID, ConnectionID: c.ID}, Profile: p})
	return protocol.ProfileEvent{Head: protocol.Head{Type: protocol.EventProfile}, Profile: p}, nil
}
