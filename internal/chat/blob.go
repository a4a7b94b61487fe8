package chat

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"time"
)

// BlobStore is where shared files live: S3 in AWS, gofakes3 locally.
// Files never travel through the socket: clients upload and download with
// short-lived presigned URLs; the service only signs URLs and inspects
// what was uploaded, and the thumbnail function reads originals and writes
// thumbnails. internal/s3blob implements it; chattest.Blobs is the fake.
// Every method returns *Error values: NotFound when the object is missing,
// Internal for everything else.
type BlobStore interface {
	// PresignUpload signs a PUT of exactly size bytes of contentType to
	// key, valid for ttl. Both headers are part of the signature, so the
	// storage refuses any other length or type. A non-empty sha256 (the
	// base64 of the body's SHA-256, as S3's x-amz-checksum-sha256) pins
	// the upload to its content: the checksum header is signed too and the
	// storage refuses a body whose SHA-256 differs (BadDigest), so the URL
	// cannot be replayed with other bytes of the same size and type.
	PresignUpload(ctx context.Context, key, contentType string, size int64, sha256 string, ttl time.Duration) (PresignedRequest, error)
	// PresignDownload signs a GET of key, valid for ttl, whose response
	// carries the given headers whatever the object was stored with. A
	// non-empty versionID serves that version of the object, not the
	// current one (a versioned bucket).
	PresignDownload(ctx context.Context, key, versionID string, resp ResponseHeaders, ttl time.Duration) (PresignedRequest, error)
	// Stat returns the stored size, content type, SHA-256 checksum (when
	// the object was stored with one) and version id of key.
	Stat(ctx context.Context, key string) (BlobInfo, error)
	// StatVersion is Stat of one version of key ("" is the current one).
	StatVersion(ctx context.Context, key, versionID string) (BlobInfo, error)
	// ReadPrefix returns the first n bytes of key (all of it if shorter).
	ReadPrefix(ctx context.Context, key string, n int64) ([]byte, error)
	// Open streams key; the caller closes the reader.
	Open(ctx context.Context, key string) (io.ReadCloser, BlobInfo, error)
	// Put stores body at key with contentType.
	Put(ctx context.Context, key, contentType string, body []byte) error
	// Delete removes keys; a key that does not exist is not an error.
	Delete(ctx context.Context, keys []string) error
}

// PresignedRequest is a request a client can make without credentials.
type PresignedRequest struct {
	Method string
	URL    string
	// Header holds the headers that were signed and must be sent as they
	// are (besides Host).
	Header map[string]string
}

// BlobInfo is what the store knows of one object.
type BlobInfo struct {
	Size        int64
	ContentType string
	// SHA256 is the object's base64 SHA-256 checksum as the storage
	// verified it on upload (x-amz-checksum-sha256); "" when the object
	// was stored without one.
	SHA256 string
	// VersionID names this version of the object in a versioned bucket;
	// "" when versioning is off.
	VersionID string
}

// ResponseHeaders override a download's response headers.
type ResponseHeaders struct {
	ContentType        string
	ContentDisposition string
}

// SHA256Base64 is body's SHA-256 as S3's checksum headers carry it.
func SHA256Base64(body []byte) string {
	sum := sha256.Sum256(body)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// ValidSHA256Base64 reports whether s is the base64 of a SHA-256 (32
// bytes, standard alphabet, padded): what x-amz-checksum-sha256 takes.
func ValidSHA256Base64(s string) bool {
	b, err := base64.StdEncoding.DecodeString(s)
	return err == nil && len(b) == sha256.Size && base64.StdEncoding.EncodeToString(b) == s
}
