package chattest

import (
	"bytes"
	"context"
	"io"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

var _ chat.BlobStore = (*Blobs)(nil)

// Blobs is an in-memory chat.BlobStore. Presigned URLs are not usable
// over HTTP; each one is recorded (Presigns) so tests can check what was
// signed. Like S3, missing keys are NotFound and stored bytes are copied.
type Blobs struct {
	mu       sync.Mutex
	objects  map[string]blob
	presigns []Presign
	faults   map[string]error
}

type blob struct {
	data        []byte
	contentType string
	sha256      string // base64, set by PutPinned (S3 keeps a checksum only when the upload sent one)
}

// Presign is one recorded presign call.
type Presign struct {
	Method      string
	Key         string
	ContentType string // uploads: the signed type
	Size        int64  // uploads: the signed length
	SHA256      string // uploads: the signed checksum
	VersionID   string // downloads: the version signed
	Response    chat.ResponseHeaders
	TTL         time.Duration
}

// NewBlobs returns an empty store.
func NewBlobs() *Blobs {
	return &Blobs{objects: map[string]blob{}, faults: map[string]error{}}
}

// FailOn makes every later call of the named method return err, until
// FailOn(method, nil).
func (b *Blobs) FailOn(method string, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err == nil {
		delete(b.faults, method)
		return
	}
	b.faults[method] = err
}

// Presigns returns every presign call, oldest first.
func (b *Blobs) Presigns() []Presign {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.presigns)
}

// Keys lists the stored keys, sorted.
func (b *Blobs) Keys() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	keys := make([]string, 0, len(b.objects))
	for k := range b.objects {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (b *Blobs) fault(method string) error {
	if err := b.faults[method]; err != nil {
		return err
	}
	return nil
}

func (b *Blobs) PresignUpload(_ context.Context, key, contentType string, size int64, sha256 string, ttl time.Duration) (chat.PresignedRequest, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.fault("PresignUpload"); err != nil {
		return chat.PresignedRequest{}, err
	}
	b.presigns = append(b.presigns, Presign{Method: "PUT", Key: key, ContentType: contentType, Size: size, SHA256: sha256, TTL: ttl})
	h := map[string]string{"Content-Type": contentType, "Content-Length": strconv.FormatInt(size, 10)}
	if sha256 != "" {
		h["X-Amz-Checksum-Sha256"] = sha256 // as the SDK signs it
	}
	return chat.PresignedRequest{
		Method: "PUT",
		URL:    "https://blobs.test/" + url.PathEscape(key) + "?sig=fake",
		Header: h,
	}, nil
}

func (b *Blobs) PresignDownload(_ context.Context, key, versionID string, resp chat.ResponseHeaders, ttl time.Duration) (chat.PresignedRequest, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.fault("PresignDownload"); err != nil {
		return chat.PresignedRequest{}, err
	}
	b.presigns = append(b.presigns, Presign{Method: "GET", Key: key, VersionID: versionID, Response: resp, TTL: ttl})
	q := url.Values{"response-content-type": {resp.ContentType}, "response-content-disposition": {resp.ContentDisposition}}
	if versionID != "" {
		q.Set("versionId", versionID)
	}
	return chat.PresignedRequest{Method: "GET", URL: "https://blobs.test/" + url.PathEscape(key) + "?" + q.Encode()}, nil
}

func (b *Blobs) get(method, key string) (blob, error) {
	if err := b.fault(method); err != nil {
		return blob{}, err
	}
	o, ok := b.objects[key]
	if !ok {
		return blob{}, chat.Errorf(chat.NotFound, "object not found")
	}
	return o, nil
}

func (b *Blobs) Stat(_ context.Context, key string) (chat.BlobInfo, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	o, err := b.get("Stat", key)
	if err != nil {
		return chat.BlobInfo{}, err
	}
	return chat.BlobInfo{Size: int64(len(o.data)), ContentType: o.contentType, SHA256: o.sha256}, nil
}

// StatVersion is Stat: the fake keeps no versions, so only "" (the
// current one) is found.
func (b *Blobs) StatVersion(ctx context.Context, key, versionID string) (chat.BlobInfo, error) {
	if versionID != "" {
		return chat.BlobInfo{}, chat.Errorf(chat.NotFound, "object version not found")
	}
	return b.Stat(ctx, key)
}

func (b *Blobs) ReadPrefix(_ context.Context, key string, n int64) ([]byte, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	o, err := b.get("ReadPrefix", key)
	if err != nil {
		return nil, err
	}
	return slices.Clone(o.data[:min(n, int64(len(o.data)))]), nil
}

func (b *Blobs) Open(_ context.Context, key string) (io.ReadCloser, chat.BlobInfo, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	o, err := b.get("Open", key)
	if err != nil {
		return nil, chat.BlobInfo{}, err
	}
	info := chat.BlobInfo{Size: int64(len(o.data)), ContentType: o.contentType}
	return io.NopCloser(bytes.NewReader(slices.Clone(o.data))), info, nil
}

// Delete removes keys; missing keys are fine.
func (b *Blobs) Delete(_ context.Context, keys []string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.fault("Delete"); err != nil {
		return err
	}
	for _, k := range keys {
		delete(b.objects, k)
	}
	return nil
}

func (b *Blobs) Put(_ context.Context, key, contentType string, body []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := b.fault("Put"); err != nil {
		return err
	}
	if key == "" {
		return chat.Errorf(chat.Invalid, "empty key")
	}
	b.objects[key] = blob{data: slices.Clone(body), contentType: contentType}
	return nil
}

// PutPinned stores body as a pinned upload does: with its SHA-256
// checksum, which Stat then reports (what a client's PUT to a URL signed
// with a checksum leaves in S3).
func (b *Blobs) PutPinned(ctx context.Context, key, contentType string, body []byte) error {
	if err := b.Put(ctx, key, contentType, body); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	o := b.objects[key]
	o.sha256 = chat.SHA256Base64(body)
	b.objects[key] = o
	return nil
}
