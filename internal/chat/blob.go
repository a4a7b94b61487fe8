package chat

import (
	"context"
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
	// storage refuses any other length or type.
	PresignUpload(ctx context.Context, key, contentType string, size int64, ttl time.Duration) (PresignedRequest, error)
	// PresignDownload signs a GET of key, valid for ttl, whose response
	// carries the given headers whatever the object was stored with.
	PresignDownload(ctx context.Context, key string, resp ResponseHeaders, ttl time.Duration) (PresignedRequest, error)
	// Stat returns the stored size and content type of key.
	Stat(ctx context.Context, key string) (BlobInfo, error)
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
}

// ResponseHeaders override a download's response headers.
type ResponseHeaders struct {
	ContentType        string
	ContentDisposition string
}
