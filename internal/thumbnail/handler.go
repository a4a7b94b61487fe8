package thumbnail

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// DefaultMaxSourceBytes is the largest original read: the default upload
// limit. Larger objects are skipped rather than read into memory.
const DefaultMaxSourceBytes = protocol.DefaultMaxUploadBytes

// Config configures a Handler.
type Config struct {
	// Bucket is the files bucket (FILES_BUCKET); records of other buckets
	// are skipped. Empty accepts any bucket (the store decides).
	Bucket string
	// MaxSourceBytes bounds the originals read (MAX_UPLOAD_BYTES);
	// default DefaultMaxSourceBytes.
	MaxSourceBytes int64
	Logger         *slog.Logger
}

// Handler makes the thumbnail of every image uploaded under rooms/. It is
// the S3 object-created notification's target: functions/thumbnail in
// AWS, internal/local/s3notify locally.
type Handler struct {
	blobs    chat.BlobStore
	bucket   string
	maxBytes int64
	log      *slog.Logger
}

// NewHandler checks its arguments.
func NewHandler(blobs chat.BlobStore, cfg Config) (*Handler, error) {
	if blobs == nil {
		return nil, errors.New("thumbnail: blob store is required")
	}
	if cfg.MaxSourceBytes < 0 {
		return nil, errors.New("thumbnail: MaxSourceBytes must not be negative")
	}
	h := &Handler{blobs: blobs, bucket: cfg.Bucket, maxBytes: cfg.MaxSourceBytes, log: cfg.Logger}
	if h.maxBytes == 0 {
		h.maxBytes = DefaultMaxSourceBytes
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	return h, nil
}

// Handle processes every record. Objects that are not images, not
// originals (thumbnails themselves: no loop), too large or undecodable are
// skipped with a log line, since a retry would fail the same way; storage
// failures are returned, so the asynchronous invocation is retried.
func (h *Handler) Handle(ctx context.Context, ev events.S3Event) error {
	var errs []error
	for _, rec := range ev.Records {
		if err := h.record(ctx, rec); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (h *Handler) record(ctx context.Context, rec events.S3EventRecord) error {
	// S3 sends keys URL-encoded as in a form: spaces as '+'.
	key, err := url.QueryUnescape(rec.S3.Object.Key)
	log := h.log.With(slog.String("bucket", rec.S3.Bucket.Name), slog.String("key", rec.S3.Object.Key), slog.String("event", rec.EventName))
	switch {
	case err != nil:
		log.WarnContext(ctx, "skipped: key is not URL-encoded", slog.String("error", err.Error()))
		return nil
	case !strings.HasPrefix(rec.EventName, "ObjectCreated:"):
		log.DebugContext(ctx, "skipped: not an object creation")
		return nil
	case h.bucket != "" && rec.S3.Bucket.Name != h.bucket:
		log.WarnContext(ctx, "skipped: another bucket")
		return nil
	}
	fk, ok := chat.ParseFileKey(key)
	if !ok {
		log.DebugContext(ctx, "skipped: not an uploaded original")
		return nil
	}
	body, info, err := h.blobs.Open(ctx, key)
	if chat.ErrorCode(err) == chat.NotFound {
		log.InfoContext(ctx, "skipped: deleted since")
		return nil
	}
	if err != nil {
		return fmt.Errorf("thumbnail: open %s: %w", key, err)
	}
	defer body.Close()
	if !Supported(info.ContentType) {
		log.DebugContext(ctx, "skipped: no thumbnail for this type", slog.String("type", info.ContentType))
		return nil
	}
	if info.Size > h.maxBytes {
		log.WarnContext(ctx, "skipped: original too large", slog.Int64("bytes", info.Size))
		return nil
	}
	src, err := io.ReadAll(io.LimitReader(body, h.maxBytes+1))
	if err != nil {
		return fmt.Errorf("thumbnail: read %s: %w", key, err)
	}
	if int64(len(src)) > h.maxBytes {
		log.WarnContext(ctx, "skipped: original too large", slog.Int("bytes", len(src)))
		return nil
	}
	thumb, err := Make(src, info.ContentType)
	if errors.Is(err, ErrAnimated) {
		log.InfoContext(ctx, "skipped: an animated GIF is shown as the original")
		return nil
	}
	if err != nil {
		log.WarnContext(ctx, "skipped: no thumbnail made", slog.String("error", err.Error()))
		return nil
	}
	if err := h.blobs.Put(ctx, fk.ThumbKey(), "image/jpeg", thumb); err != nil {
		return fmt.Errorf("thumbnail: put %s: %w", fk.ThumbKey(), err)
	}
	if err := h.followOriginal(ctx, key, fk.ThumbKey()); err != nil {
		return err
	}
	log.InfoContext(ctx, "thumbnail made", slog.String("thumbKey", fk.ThumbKey()),
		slog.Int("sourceBytes", len(src)), slog.Int("thumbBytes", len(thumb)))
	return nil
}

// followOriginal gives the thumbnail its original's life (issue 15: an
// upload never sent is removed after a day, its thumbnail with it): tagged
// pending, then kept if the original is not pending (any more). The
// service keeps both when the file is sent, original first, so in every
// order of the two a sent file's thumbnail ends up kept.
func (h *Handler) followOriginal(ctx context.Context, orig, thumb string) error {
	lc, ok := h.blobs.(chat.BlobLifecycle)
	if !ok {
		return nil
	}
	if err := lc.Discard(ctx, []string{thumb}); err != nil {
		return fmt.Errorf("thumbnail: tag %s pending: %w", thumb, err)
	}
	pending, err := lc.Pending(ctx, orig)
	if chat.ErrorCode(err) == chat.NotFound {
		return nil // the original is gone: so goes the thumbnail, within a day
	}
	if err != nil {
		return fmt.Errorf("thumbnail: read the tags of %s: %w", orig, err)
	}
	if !pending {
		if err := lc.Keep(ctx, []string{thumb}); err != nil {
			return fmt.Errorf("thumbnail: keep %s: %w", thumb, err)
		}
	}
	return nil
}
