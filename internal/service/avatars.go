package service

import (
	"context"
	"errors"
	"path"
	"strings"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/media"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// RequestAvatarUpload signs an upload of a new profile picture of the
// caller, at a new key under avatars/<userId>/: the storage accepts
// exactly the declared size and type, until the ticket expires. It counts
// against the write budget. The picture shows once the client sets the
// key with updateProfile.
func (s *Chat) RequestAvatarUpload(ctx context.Context, c chat.Connection, r protocol.RequestAvatarUploadRequest) (protocol.UploadTicketEvent, error) {
	if err := s.filesEnabled(); err != nil {
		return protocol.UploadTicketEvent{}, err
	}
	if err := checkUserID(c.UserID); err != nil {
		return protocol.UploadTicketEvent{}, err
	}
	if err := chat.Authorize(chat.ActRequestAvatarUpload, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.UploadTicketEvent{}, err
	}
	typ, err := avatarType(r.Type)
	if err != nil {
		return protocol.UploadTicketEvent{}, err
	}
	if err := avatarSize(r.Size); err != nil {
		return protocol.UploadTicketEvent{}, err
	}
	if !chat.ValidSHA256Base64(r.SHA256) {
		return protocol.UploadTicketEvent{}, chat.Errorf(chat.Invalid,
			"sha256 must be the base64 of the picture's SHA-256 (44 characters): the upload is pinned to it")
	}
	key := chat.AvatarPrefix(c.UserID) + newFileID() + "." + media.AvatarExtension(typ)
	return s.uploadTicket(ctx, key, typ, r.Size, r.SHA256)
}

// RequestAvatarURL signs a GET of a user's profile picture, served inline
// as the image it is. Any signed-in user may ask for anyone's picture:
// every profile is visible to every user (listUsers), pictures included.
// It counts against the read budget; a user without a picture is
// not_found.
func (s *Chat) RequestAvatarURL(ctx context.Context, c chat.Connection, r protocol.RequestAvatarURLRequest) (protocol.AvatarURLEvent, error) {
	if err := s.filesEnabled(); err != nil {
		return protocol.AvatarURLEvent{}, err
	}
	if err := checkUserID(r.UserID); err != nil {
		return protocol.AvatarURLEvent{}, err
	}
	if err := chat.Authorize(chat.ActRequestAvatarURL, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.AvatarURLEvent{}, err
	}
	p, err := s.store.GetProfile(ctx, r.UserID)
	if err != nil {
		return protocol.AvatarURLEvent{}, storeErr(err, "get profile")
	}
	// Keys from before pictures were checked may name anything under the
	// user's folder; only one that still is a picture of theirs is served.
	if p.AvatarKey == "" || !chat.IsAvatarKeyOf(p.UserID, p.AvatarKey) {
		return protocol.AvatarURLEvent{}, chat.Errorf(chat.NotFound, "this user has no picture")
	}
	// The version checked when it was set (pinned pictures); older
	// pictures have none recorded: the current one.
	version := ""
	if p.AvatarVersionKey == p.AvatarKey {
		version = p.AvatarVersion
	}
	info, err := s.blobs.StatVersion(ctx, p.AvatarKey, version)
	if chat.ErrorCode(err) == chat.NotFound {
		return protocol.AvatarURLEvent{}, chat.Errorf(chat.NotFound, "this user has no picture")
	}
	if err != nil {
		return protocol.AvatarURLEvent{}, storeErr(err, "stat avatar")
	}
	typ, ok := media.ParseType(info.ContentType)
	if !ok || !media.IsAvatarType(typ) {
		return protocol.AvatarURLEvent{}, chat.Errorf(chat.NotFound, "this user has no picture")
	}
	now := s.clock()
	req, err := s.blobs.PresignDownload(ctx, p.AvatarKey, version,
		chat.ResponseHeaders{ContentType: typ, ContentDisposition: media.ContentDisposition("inline", path.Base(p.AvatarKey))}, downloadURLTTL)
	if err != nil {
		return protocol.AvatarURLEvent{}, storeErr(err, "presign avatar download")
	}
	return protocol.AvatarURLEvent{
		Head:   protocol.Head{Type: protocol.EventAvatarURL},
		UserID: r.UserID, URL: req.URL, ExpiresAt: now.Add(downloadURLTTL),
	}, nil
}

// checkAvatarObject checks that key, already known to be under the
// caller's folder, holds an uploaded picture: pinned to its content (stored
// with a SHA-256 checksum, so through a requestAvatarUpload ticket), an
// allowed image type, within the size limit, whose first bytes are an
// image of that type. It returns the object's version, recorded with the
// picture and served by requestAvatarUrl.
func (s *Chat) checkAvatarObject(ctx context.Context, key string) (string, error) {
	if err := s.filesEnabled(); err != nil {
		return "", err
	}
	info, err := s.blobs.Stat(ctx, key)
	if chat.ErrorCode(err) == chat.NotFound {
		return "", chat.Errorf(chat.Invalid, "no picture was uploaded at avatarKey: upload it first (requestAvatarUpload)")
	}
	if err != nil {
		return "", storeErr(err, "stat avatar")
	}
	if info.SHA256 == "" {
		return "", chat.Errorf(chat.Invalid, "the picture was not uploaded with its checksum: upload it again (requestAvatarUpload with sha256)")
	}
	typ, ok := media.ParseType(info.ContentType)
	if !ok || !media.IsAvatarType(typ) {
		return "", chat.Errorf(chat.Invalid, "the picture must be one of %s, not %q", strings.Join(protocol.AvatarTypes, ", "), info.ContentType)
	}
	if err := avatarSize(info.Size); err != nil {
		return "", err
	}
	head, err := s.blobs.ReadPrefix(ctx, key, media.ImageHeaderBytes)
	if err != nil {
		return "", storeErr(err, "read avatar")
	}
	if _, _, err := media.ImageDimensions(typ, head, int64(len(head)) >= info.Size); errors.Is(err, media.ErrNotImage) {
		return "", chat.Errorf(chat.Invalid, "the picture is not a %s image", typ)
	}
	return info.VersionID, nil
}

// avatarType normalizes a declared picture type and checks it is allowed.
func avatarType(raw string) (string, error) {
	typ, ok := media.ParseType(raw)
	if !ok || !media.IsAvatarType(typ) {
		return "", chat.Errorf(chat.Invalid, "a picture must be one of %s, not %q", strings.Join(protocol.AvatarTypes, ", "), raw)
	}
	return typ, nil
}

func avatarSize(n int64) error {
	if n <= 0 {
		return chat.Errorf(chat.Invalid, "picture is empty: size must be positive")
	}
	if n > protocol.MaxAvatarBytes {
		return chat.Errorf(chat.TooLarge, "picture is too large: the limit is %s (%d bytes)",
			media.FormatBytes(protocol.MaxAvatarBytes), protocol.MaxAvatarBytes)
	}
	return nil
}
