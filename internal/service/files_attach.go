package service

import (
	"context"
	"errors"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/media"
)

// verifyAttachments checks a message's attachments against what was really
// uploaded and returns them as the server knows them. Each key must be one
// the sender uploaded to this room (anything else is Forbidden: a message
// cannot point at other people's or other rooms' files), the object must
// exist with the declared size and type, and images must be images of
// their type. Name, size, type and dimensions come from the store, not the
// client; ThumbKey is set when the thumbnail exists already (otherwise the
// client asks for it later and falls back to the original).
func (s *Chat) verifyAttachments(ctx context.Context, c chat.Connection, roomID string, atts []chat.Attachment) ([]chat.Attachment, error) {
	if len(atts) == 0 {
		return nil, nil
	}
	if err := s.filesEnabled(); err != nil {
		return nil, err
	}
	keys := make([]chat.FileKey, len(atts))
	seen := map[string]bool{}
	for i, a := range atts {
		fk, ok := chat.ParseFileKey(a.Key)
		if !ok {
			return nil, chat.Errorf(chat.Invalid, "attachment %q is not an uploaded file's key", a.Key)
		}
		if fk.RoomID != roomID || fk.UserID != c.UserID {
			return nil, chat.Errorf(chat.Forbidden, "attachments must be files you uploaded to this room")
		}
		if seen[a.Key] {
			return nil, chat.Errorf(chat.Invalid, "attachment %q is listed twice", fk.Name)
		}
		seen[a.Key] = true
		keys[i] = fk
	}
	out := make([]chat.Attachment, len(atts))
	err := forEach(len(atts), func(i int) error {
		a, err := s.verifyAttachment(ctx, keys[i], atts[i])
		out[i] = a
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Chat) verifyAttachment(ctx context.Context, fk chat.FileKey, declared chat.Attachment) (chat.Attachment, error) {
	info, err := s.blobs.Stat(ctx, declared.Key)
	if chat.ErrorCode(err) == chat.NotFound {
		return chat.Attachment{}, chat.Errorf(chat.Invalid, "attachment %q was not uploaded (or its upload failed)", fk.Name)
	}
	if err != nil {
		return chat.Attachment{}, storeErr(err, "stat attachment")
	}
	if info.Size != declared.Size {
		return chat.Attachment{}, chat.Errorf(chat.Invalid, "attachment %q: declared size %d does not match the %d bytes uploaded",
			fk.Name, declared.Size, info.Size)
	}
	stored, okStored := media.ParseType(info.ContentType)
	want, okWant := media.ParseType(declared.Type)
	if !okStored || !okWant || stored != want {
		return chat.Attachment{}, chat.Errorf(chat.Invalid, "attachment %q: declared type %q does not match the uploaded %q",
			fk.Name, declared.Type, info.ContentType)
	}
	// An encrypted room's files are ciphertext (e2ee_rooms.go): only
	// requestUpload in such a room signs that type, and a file is
	// attached only in its own room.
	if !s.files.Allows(stored) && !(stored == encryptedFileType && fk.Name == encryptedFileName) {
		return chat.Attachment{}, chat.Errorf(chat.Invalid, "attachment %q: files of type %q cannot be shared", fk.Name, stored)
	}
	// Pinned uploads (docs/ARCHITECTURE.md "Pinned uploads"): the object
	// must carry the checksum its signed PUT made the storage verify, and
	// the message records it with the version checked here, which is the
	// one downloads serve.
	if info.SHA256 == "" {
		return chat.Attachment{}, chat.Errorf(chat.Invalid, "attachment %q was not uploaded with its SHA-256 checksum: upload it again", fk.Name)
	}
	if declared.SHA256 != "" && declared.SHA256 != info.SHA256 {
		return chat.Attachment{}, chat.Errorf(chat.Invalid, "attachment %q: the uploaded bytes are not the file you hashed (sha256 differs)", fk.Name)
	}
	a := chat.Attachment{Key: declared.Key, Name: fk.Name, Size: info.Size, Type: stored, SHA256: info.SHA256, VersionID: info.VersionID}
	if !media.Inline(stored) {
		return a, nil
	}
	head, err := s.blobs.ReadPrefix(ctx, declared.Key, media.ImageHeaderBytes)
	if err != nil {
		return chat.Attachment{}, storeErr(err, "read attachment")
	}
	a.Width, a.Height, err = media.ImageDimensions(stored, head, int64(len(head)) >= info.Size)
	if errors.Is(err, media.ErrNotImage) {
		return chat.Attachment{}, chat.Errorf(chat.Invalid, "attachment %q is not a valid %s image", fk.Name, stored)
	}
	if media.DecoderFormat(stored) == "" {
		return a, nil // the thumbnail function makes none of WebP
	}
	if _, err := s.blobs.Stat(ctx, fk.ThumbKey()); err == nil {
		a.ThumbKey = fk.ThumbKey()
	} else if chat.ErrorCode(err) != chat.NotFound {
		return chat.Attachment{}, storeErr(err, "stat thumbnail")
	}
	return a, nil
}
