// Package s3blob implements chat.BlobStore over one S3 bucket with
// aws-sdk-go-v2: presigned PUT and GET URLs for the clients, HEAD and
// ranged GET for the service's checks, GET and PUT for the thumbnail
// function. The endpoint comes from the SDK configuration
// (AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL locally); path-style addressing
// is an option because gofakes3 needs it.
package s3blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

var _ chat.BlobStore = (*Store)(nil)

// Store is the files bucket. It is safe for concurrent use.
type Store struct {
	client  *s3.Client
	presign *s3.PresignClient
	bucket  string
}

// Config names the bucket and how to address it.
type Config struct {
	Bucket string // FILES_BUCKET
	// UsePathStyle addresses the bucket as a path (http://host/bucket/key)
	// rather than a host name: S3_USE_PATH_STYLE=true against gofakes3.
	UsePathStyle bool
}

// New makes the S3 client from awsCfg (region, credentials and endpoint
// overrides already loaded) once; build it outside the Lambda handler.
func New(awsCfg aws.Config, cfg Config) (*Store, error) {
	if cfg.Bucket == "" {
		return nil, errors.New("s3blob: bucket is required (FILES_BUCKET)")
	}
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		o.UsePathStyle = cfg.UsePathStyle
		// Checksums only where S3 requires them: otherwise presigned PUTs
		// would sign a checksum of an empty body that the browser's upload
		// cannot match.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	return &Store{client: client, presign: s3.NewPresignClient(client), bucket: cfg.Bucket}, nil
}

// Bucket is the name of the bucket the store reads and writes.
func (s *Store) Bucket() string { return s.bucket }

// PresignUpload signs a PUT with Content-Type and Content-Length among the
// signed headers: S3 answers 403 SignatureDoesNotMatch to any upload of
// another type or length. (A presigned POST could bound the length with
// content-length-range; the exact length of a PUT is stricter and needs
// no form.) With sha256, x-amz-checksum-sha256 is signed as well (the
// SDK leaves x-amz-sdk-checksum-algorithm out when the value is given): S3 computes the body's
// SHA-256 and refuses a mismatch (400 BadDigest), and keeps the checksum
// with the object (HeadObject with ChecksumMode ENABLED returns it).
func (s *Store) PresignUpload(ctx context.Context, key, contentType string, size int64, sha256 string, ttl time.Duration) (chat.PresignedRequest, error) {
	in := &s3.PutObjectInput{
		Bucket:        aws.String(s.bucket),
		Key:           aws.String(key),
		ContentType:   aws.String(contentType),
		ContentLength: aws.Int64(size),
		// Pending until sent (chat.BlobLifecycle, lifecycle.go): a signed
		// header, so the upload cannot leave it out.
		Tagging: aws.String(chat.PendingTagging),
	}
	if sha256 != "" {
		in.ChecksumAlgorithm = types.ChecksumAlgorithmSha256
		in.ChecksumSHA256 = aws.String(sha256)
	}
	req, err := s.presign.PresignPutObject(ctx, in, s3.WithPresignExpires(ttl))
	if err != nil {
		return chat.PresignedRequest{}, chat.Wrap(err, "presign upload failed")
	}
	return presigned(req.Method, req.URL, req.SignedHeader), nil
}

// PresignDownload signs a GET whose response headers are overridden with
// response-content-type and response-content-disposition.
func (s *Store) PresignDownload(ctx context.Context, key, versionID string, resp chat.ResponseHeaders, ttl time.Duration) (chat.PresignedRequest, error) {
	in := &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)}
	if versionID != "" {
		in.VersionId = aws.String(versionID)
	}
	if resp.ContentType != "" {
		in.ResponseContentType = aws.String(resp.ContentType)
	}
	if resp.ContentDisposition != "" {
		in.ResponseContentDisposition = aws.String(resp.ContentDisposition)
	}
	req, err := s.presign.PresignGetObject(ctx, in, s3.WithPresignExpires(ttl))
	if err != nil {
		return chat.PresignedRequest{}, chat.Wrap(err, "presign download failed")
	}
	return presigned(req.Method, req.URL, req.SignedHeader), nil
}

// presigned keeps the signed headers a client must send itself; Host is
// set by every HTTP client from the URL.
func presigned(method, url string, signed http.Header) chat.PresignedRequest {
	out := chat.PresignedRequest{Method: method, URL: url}
	for name, values := range signed {
		if http.CanonicalHeaderKey(name) == "Host" || len(values) == 0 {
			continue
		}
		if out.Header == nil {
			out.Header = map[string]string{}
		}
		out.Header[http.CanonicalHeaderKey(name)] = values[0]
	}
	return out
}

func (s *Store) Stat(ctx context.Context, key string) (chat.BlobInfo, error) {
	return s.StatVersion(ctx, key, "")
}

// StatVersion heads key (its versionID, when given) with ChecksumMode
// ENABLED, so the answer carries the SHA-256 S3 verified on upload.
func (s *Store) StatVersion(ctx context.Context, key, versionID string) (chat.BlobInfo, error) {
	in := &s3.HeadObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled}
	if versionID != "" {
		in.VersionId = aws.String(versionID)
	}
	out, err := s.client.HeadObject(ctx, in)
	if err != nil {
		return chat.BlobInfo{}, objectErr(err, "head object")
	}
	return chat.BlobInfo{
		Size: aws.ToInt64(out.ContentLength), ContentType: aws.ToString(out.ContentType),
		SHA256: aws.ToString(out.ChecksumSHA256), VersionID: aws.ToString(out.VersionId),
	}, nil
}

func (s *Store) ReadPrefix(ctx context.Context, key string, n int64) ([]byte, error) {
	if n <= 0 {
		return nil, nil
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(s.bucket), Key: aws.String(key),
		Range: aws.String("bytes=0-" + strconv.FormatInt(n-1, 10)),
	})
	if err != nil {
		if isRangeNotSatisfiable(err) {
			return nil, nil // an empty object has no byte 0
		}
		return nil, objectErr(err, "get object range")
	}
	defer out.Body.Close()
	// A store that ignores Range sends everything: never read past n.
	b, err := io.ReadAll(io.LimitReader(out.Body, n))
	if err != nil {
		return nil, chat.Wrap(err, "read object range failed")
	}
	return b, nil
}

func (s *Store) Open(ctx context.Context, key string) (io.ReadCloser, chat.BlobInfo, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if err != nil {
		return nil, chat.BlobInfo{}, objectErr(err, "get object")
	}
	return out.Body, chat.BlobInfo{Size: aws.ToInt64(out.ContentLength), ContentType: aws.ToString(out.ContentType)}, nil
}

func (s *Store) Put(ctx context.Context, key, contentType string, body []byte) error {
	_, err := s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(s.bucket), Key: aws.String(key),
		ContentType:   aws.String(contentType),
		ContentLength: aws.Int64(int64(len(body))),
		Body:          bytes.NewReader(body), // seekable: signs over plain http too
	})
	if err != nil {
		return objectErr(err, "put object")
	}
	return nil
}

// maxDeleteKeys is S3's limit on keys in one DeleteObjects call.
const maxDeleteKeys = 1000

// Delete removes keys with DeleteObjects (quiet: only failures come
// back), up to 1000 per call. Missing keys are not errors in S3.
func (s *Store) Delete(ctx context.Context, keys []string) error {
	for len(keys) > 0 {
		n := min(len(keys), maxDeleteKeys)
		objs := make([]types.ObjectIdentifier, n)
		for i, k := range keys[:n] {
			objs[i] = types.ObjectIdentifier{Key: aws.String(k)}
		}
		out, err := s.client.DeleteObjects(ctx, &s3.DeleteObjectsInput{
			Bucket: aws.String(s.bucket),
			Delete: &types.Delete{Objects: objs, Quiet: aws.Bool(true)},
		})
		if err != nil {
			return objectErr(err, "delete objects")
		}
		if len(out.Errors) > 0 {
			e := out.Errors[0]
			return chat.Wrap(fmt.Errorf("%s: %s: %s", aws.ToString(e.Key), aws.ToString(e.Code), aws.ToString(e.Message)), "delete objects: %d failed", len(out.Errors))
		}
		keys = keys[n:]
	}
	return nil
}

// objectErr maps a missing key (GET: NoSuchKey; HEAD, which has no body:
// NotFound or a bare 404) to chat.NotFound and everything else to Internal.
func objectErr(err error, what string) error {
	var noKey *types.NoSuchKey
	var notFound *types.NotFound
	if errors.As(err, &noKey) || errors.As(err, &notFound) || httpStatus(err) == http.StatusNotFound {
		return &chat.Error{Code: chat.NotFound, Message: "file not found", Err: err}
	}
	return chat.Wrap(err, "%s failed", what)
}

func isRangeNotSatisfiable(err error) bool {
	var api smithy.APIError
	if errors.As(err, &api) && api.ErrorCode() == "InvalidRange" {
		return true
	}
	return httpStatus(err) == http.StatusRequestedRangeNotSatisfiable
}

func httpStatus(err error) int {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// String names the store in logs.
func (s *Store) String() string { return fmt.Sprintf("s3blob(%s)", s.bucket) }

var _ chat.BlobLister = (*Store)(nil)

// ListKeys lists the keys under prefix, a page (up to 1,000) at a time
// (ListObjectsV2): the account erasure looks for a person's files with it.
func (s *Store) ListKeys(ctx context.Context, prefix string, page func(keys []string) error) error {
	var token *string
	for {
		out, err := s.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(s.bucket), Prefix: aws.String(prefix), ContinuationToken: token})
		if err != nil {
			return objectErr(err, "list objects")
		}
		keys := make([]string, 0, len(out.Contents))
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
		if len(keys) > 0 {
			if err := page(keys); err != nil {
				return err
			}
		}
		if !aws.ToBool(out.IsTruncated) || out.NextContinuationToken == nil {
			return nil
		}
		token = out.NextContinuationToken
	}
}

var _ chat.BlobVersionPurger = (*Store)(nil)

// PurgeVersions deletes every version and delete marker of the keys under
// prefix that match (ListObjectVersions, then DeleteObjects with version
// ids, 1,000 at a time): in a versioned bucket a plain delete only hides
// the bytes behind a delete marker. Works on an unversioned bucket too
// (its objects have the version "null").
func (s *Store) PurgeVersions(ctx context.Context, prefix string, match func(key string) bool) (int, error) {
	var keyMarker, versionMarker *string
	deleted := 0
	for {
		out, err := s.client.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(s.bucket), Prefix: aws.String(prefix),
			KeyMarker: keyMarker, VersionIdMarker: versionMarker})
		if err != nil {
			return deleted, objectErr(err, "list object versions")
		}
		var ids []types.ObjectIdentifier
		add := func(key, version *string) {
			if match(aws.ToString(key)) {
				ids = append(ids, types.ObjectIdentifier{Key: key, VersionId: version})
			}
		}
		for _, v := range out.Versions {
			add(v.Key, v.VersionId)
		}
		for _, m := range out.DeleteMarkers {
			add(m.Key, m.VersionId)
		}
		for len(ids) > 0 {
			n := min(len(ids), maxDeleteKeys)
			res, err := s.client.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(s.bucket), Delete: &types.Delete{Objects: ids[:n], Quiet: aws.Bool(true)}})
			if err != nil {
				return deleted, objectErr(err, "delete object versions")
			}
			if len(res.Errors) > 0 {
				e := res.Errors[0]
				return deleted, chat.Wrap(fmt.Errorf("%s: %s: %s", aws.ToString(e.Key), aws.ToString(e.Code), aws.ToString(e.Message)), "delete object versions: %d failed", len(res.Errors))
			}
			deleted += n
			ids = ids[n:]
		}
		if !aws.ToBool(out.IsTruncated) {
			return deleted, nil
		}
		keyMarker, versionMarker = out.NextKeyMarker, out.NextVersionIdMarker
	}
}
