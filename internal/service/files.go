package service

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"strings"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/media"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// How long presigned URLs live: long enough to start a transfer on a slow
// link, short enough that a leaked URL soon stops working. S3 checks the
// expiry when a request starts, so a long upload still completes.
const (
	uploadURLTTL   = 5 * time.Minute
	downloadURLTTL = 10 * time.Minute
)

// RequestUpload signs an upload of one file to a room the caller is a
// member of, at a new key under rooms/<roomId>/<userId>/: the storage
// accepts exactly the declared size and type, until the ticket expires.
func (s *Chat) RequestUpload(ctx context.Context, c chat.Connection, r protocol.RequestUploadRequest) (protocol.UploadTicketEvent, error) {
	if err := s.filesEnabled(); err != nil {
		return protocol.UploadTicketEvent{}, err
	}
	ra, err := s.authorize(ctx, c, chat.ActRequestUpload, r.RoomID, true)
	if err != nil {
		return protocol.UploadTicketEvent{}, err
	}
	if err := checkUserID(c.UserID); err != nil {
		return protocol.UploadTicketEvent{}, err
	}
	typ, err := s.uploadType(r.Type)
	if ra.room.Encrypted {
		// An encrypted room's files are ciphertext (e2ee_rooms.go).
		typ, err = encryptedUploadType(r.Type)
		r.Name = encryptedFileName
	}
	if err != nil {
		return protocol.UploadTicketEvent{}, err
	}
	if r.Size <= 0 {
		return protocol.UploadTicketEvent{}, chat.Errorf(chat.Invalid, "file is empty: size must be positive")
	}
	if r.Size > s.files.MaxBytes {
		return protocol.UploadTicketEvent{}, chat.Errorf(chat.TooLarge, "file is too large: the limit is %s (%d bytes)",
			media.FormatBytes(s.files.MaxBytes), s.files.MaxBytes)
	}
	if !chat.ValidSHA256Base64(r.SHA256) {
		return protocol.UploadTicketEvent{}, chat.Errorf(chat.Invalid,
			"sha256 must be the base64 of the file's SHA-256 (44 characters): the upload is pinned to it")
	}
	key := chat.FileKey{RoomID: r.RoomID, UserID: c.UserID, FileID: newFileID(), Name: media.SanitizeFileName(r.Name)}.String()
	return s.uploadTicket(ctx, key, typ, r.Size, r.SHA256)
}

// uploadTicket signs a PUT of exactly size bytes of type typ at key, valid
// for uploadURLTTL: files and profile pictures alike. A non-empty sha256
// pins it to those bytes (the storage refuses others).
func (s *Chat) uploadTicket(ctx context.Context, key, typ string, size int64, sha256 string) (protocol.UploadTicketEvent, error) {
	now := s.clock()
	req, err := s.blobs.PresignUpload(ctx, key, typ, size, sha256, uploadURLTTL)
	if err != nil {
		return protocol.UploadTicketEvent{}, storeErr(err, "presign upload")
	}
	s.log.DebugContext(ctx, "upload ticket", slog.String("key", key), slog.Int64("bytes", size), slog.String("type", typ))
	return protocol.UploadTicketEvent{
		Head: protocol.Head{Type: protocol.EventUploadTicket},
		Key:  key, URL: req.URL, Method: req.Method, Headers: req.Header,
		ExpiresAt: now.Add(uploadURLTTL),
	}, nil
}

// RequestDownload signs a GET of a file of a room the caller is a member
// of, or of its thumbnail. Only png, jpeg, gif and webp are served inline;
// every other type (HTML and SVG included) comes as an attachment with its
// stored type, so no upload can run script where it is opened.
func (s *Chat) RequestDownload(ctx context.Context, c chat.Connection, r protocol.RequestDownloadRequest) (protocol.DownloadURLEvent, error) {
	if err := s.filesEnabled(); err != nil {
		return protocol.DownloadURLEvent{}, err
	}
	if _, err := s.authorize(ctx, c, chat.ActRequestDownload, r.RoomID, false); err != nil {
		return protocol.DownloadURLEvent{}, err
	}
	fk, ok := chat.ParseFileKey(r.Key)
	if !ok || checkObjectKey(r.Key, true) != nil {
		return protocol.DownloadURLEvent{}, chat.Errorf(chat.Invalid, "key is not a file key")
	}
	if fk.RoomID != r.RoomID {
		return protocol.DownloadURLEvent{}, chat.Errorf(chat.Forbidden, "that file does not belong to this room")
	}
	if err := s.attachedFile(ctx, r); err != nil { // filelife.go
		return protocol.DownloadURLEvent{}, err
	}
	target, version := r.Key, r.VersionID
	if r.Thumb {
		target, version = fk.ThumbKey(), "" // thumbnails are the server's own writes
	}
	if !validVersionID(version) {
		return protocol.DownloadURLEvent{}, chat.Errorf(chat.Invalid, "versionId is not an object version id")
	}
	info, err := s.blobs.StatVersion(ctx, target, version)
	if chat.ErrorCode(err) == chat.NotFound {
		if r.Thumb {
			return protocol.DownloadURLEvent{}, chat.Errorf(chat.NotFound, "no thumbnail (yet): show the original")
		}
		return protocol.DownloadURLEvent{}, chat.Errorf(chat.NotFound, "file not found")
	}
	if err != nil {
		return protocol.DownloadURLEvent{}, storeErr(err, "stat file")
	}
	now := s.clock()
	req, err := s.blobs.PresignDownload(ctx, target, version, downloadHeaders(info.ContentType, fk.Name), downloadURLTTL)
	if err != nil {
		return protocol.DownloadURLEvent{}, storeErr(err, "presign download")
	}
	return protocol.DownloadURLEvent{
		Head: protocol.Head{Type: protocol.EventDownloadURL},
		Key:  r.Key, Thumb: r.Thumb, URL: req.URL, ExpiresAt: now.Add(downloadURLTTL),
	}, nil
}

// validVersionID accepts "" and what S3 (up to 1024 URL-safe characters)
// and the local stand-in give as version ids.
func validVersionID(v string) bool {
	if len(v) > 1024 {
		return false
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-+/=", r)) {
			return false
		}
	}
	return true
}

// downloadHeaders are the response headers of a download: the stored type
// (or application/octet-stream when it is not a media type), inline only
// for the images a browser shows without running anything.
func downloadHeaders(storedType, name string) chat.ResponseHeaders {
	typ, ok := media.ParseType(storedType)
	if !ok {
		typ = "application/octet-stream"
	}
	kind := "attachment"
	if media.Inline(typ) {
		kind = "inline"
	}
	return chat.ResponseHeaders{ContentType: typ, ContentDisposition: media.ContentDisposition(kind, name)}
}

// uploadType normalizes a declared type and checks it is allowed.
func (s *Chat) uploadType(raw string) (string, error) {
	typ, ok := media.ParseType(raw)
	if !ok || !s.files.Allows(typ) {
		return "", chat.Errorf(chat.Invalid, "files of type %q cannot be shared: allowed types are %s",
			raw, strings.Join(s.files.AllowedTypes, ", "))
	}
	return typ, nil
}

func (s *Chat) filesEnabled() error {
	if s.blobs == nil {
		return chat.Errorf(chat.Invalid, "file sharing is not enabled on this server")
	}
	return nil
}

// allowDownload counts one download against its own budget (see
// media.Limits.DownloadsPerWindow).
func (s *Chat) allowDownload(ctx context.Context, userID string) error {
	return s.limit(ctx, "download:"+userID, "downloads", s.files.DownloadsPerWindow)
}

// newFileID is 16 random bytes in hex: the folder of one upload, so keys
// are unguessable and never collide.
func newFileID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b[:])
}
