package devstack

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
)

// S3 verifies a PUT's x-amz-checksum-sha256 against the body it received
// and refuses a mismatch (400 BadDigest); gofakes3 keeps the header as
// metadata without checking it, and returns it on HEAD and GET, which is
// where the SDK's HeadObject (ChecksumMode ENABLED) reads ChecksumSHA256;
// but it also merges an earlier version's metadata into a new PUT, so a
// checksum would outlive the bytes it was of. checkChecksum adds S3's
// check in front, checksums keeps each version's own checksum (and
// answers it on HEAD and GET with x-amz-checksum-mode: ENABLED, as S3), so that a presigned PUT signed
// with a checksum (a pinned upload, chat.BlobStore.PresignUpload) cannot
// be replayed with other bytes of the same size and type, here as on S3:
//
//   - x-amz-sdk-checksum-algorithm other than SHA256 while
//     x-amz-checksum-sha256 is sent: InvalidRequest (S3 wants them to
//     agree);
//   - x-amz-checksum-sha256 that is not the base64 of 32 bytes:
//     InvalidRequest;
//   - a body whose SHA-256 is not it: BadDigest.
//
// Not modelled: the other algorithms (CRC32, CRC32C, SHA1, CRC64NVME) and
// trailing checksums of aws-chunked uploads (the project sends neither),
// and S3's default CRC64NVME on objects stored without a checksum (HEAD
// here reports a checksum only for objects PUT with one).
func (v *S3Verifier) checkChecksum(r *http.Request) *s3Error {
	if r.Method != http.MethodPut {
		return nil
	}
	want := r.Header.Get("X-Amz-Checksum-Sha256")
	algo := r.Header.Get("X-Amz-Sdk-Checksum-Algorithm")
	if want == "" {
		return nil
	}
	if algo != "" && !strings.EqualFold(algo, "SHA256") {
		return &s3Error{http.StatusBadRequest, "InvalidRequest", "Value for x-amz-sdk-checksum-algorithm header is invalid."}
	}
	if b, err := base64.StdEncoding.DecodeString(want); err != nil || len(b) != sha256.Size {
		return &s3Error{http.StatusBadRequest, "InvalidRequest", "Value for x-amz-checksum-sha256 header is invalid."}
	}
	max := v.MaxBody
	if max == 0 {
		max = 64 << 20
	}
	var body []byte
	if r.Body != nil {
		var err error
		body, err = io.ReadAll(io.LimitReader(r.Body, max+1))
		if err != nil {
			return &s3Error{http.StatusBadRequest, "IncompleteBody", err.Error()}
		}
		if int64(len(body)) > max {
			return &s3Error{http.StatusBadRequest, "EntityTooLarge", fmt.Sprintf("the in-process S3 checks bodies up to %d bytes", max)}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	sum := sha256.Sum256(body)
	if base64.StdEncoding.EncodeToString(sum[:]) != want {
		return &s3Error{http.StatusBadRequest, "BadDigest", "The SHA256 you specified did not match the calculated checksum."}
	}
	return nil
}

// headAsGet works around gofakes3 answering HEAD ?versionId=... with the
// current version: S3 heads the version named. The request goes on as a
// GET of that version; net/http sends no body in answer to a HEAD, so the
// client sees the GET's headers only, as HEAD's.
func headAsGet(r *http.Request) *http.Request {
	if r.Method != http.MethodHead || r.URL.Query().Get("versionId") == "" {
		return r
	}
	g := r.Clone(r.Context())
	g.Method = http.MethodGet
	return g
}

// checksums are the checksums the objects were PUT with, by path and
// version id ("" in an unversioned bucket), as S3 keeps one per version.
// Kept in memory: a snapshot restore (s3snapshot.go) starts without them.
type checksums struct {
	mu   sync.Mutex
	sums map[string]string
}

func checksumKey(path, version string) string { return path + "\x00" + version }

// wrap answers the request through next with the checksum headers set as
// S3 sets them: recorded on a successful PUT of an object, reported on
// HEAD and GET only with x-amz-checksum-mode: ENABLED.
func (c *checksums) wrap(w http.ResponseWriter, r *http.Request) http.ResponseWriter {
	if r.URL.RawQuery != "" && r.Method == http.MethodPut && (r.URL.Query().Has("partNumber") || r.URL.Query().Has("uploadId")) {
		return w // multipart parts: not modelled
	}
	switch r.Method {
	case http.MethodPut, http.MethodHead, http.MethodGet:
	default:
		return w
	}
	return &checksumWriter{ResponseWriter: w, c: c, r: r, sum: r.Header.Get("X-Amz-Checksum-Sha256")}
}

type checksumWriter struct {
	http.ResponseWriter
	c       *checksums
	r       *http.Request
	sum     string
	written bool
}

func (w *checksumWriter) WriteHeader(code int) {
	if !w.written {
		w.written = true
		w.fix(code)
	}
	w.ResponseWriter.WriteHeader(code)
}

// finish fixes the headers of an answer the handler never wrote to (a
// HEAD): net/http sends them with an implicit 200 after it returns.
func finish(w http.ResponseWriter) {
	if cw, ok := w.(*checksumWriter); ok && !cw.written {
		cw.written = true
		cw.fix(http.StatusOK)
	}
}

func (w *checksumWriter) Write(b []byte) (int, error) {
	if !w.written {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

func (w *checksumWriter) fix(code int) {
	h := w.Header()
	key := checksumKey(w.r.URL.Path, h.Get("X-Amz-Version-Id"))
	if h.Get("X-Amz-Version-Id") == "" && w.r.Method != http.MethodPut {
		key = checksumKey(w.r.URL.Path, w.r.URL.Query().Get("versionId"))
	}
	h.Del("X-Amz-Checksum-Sha256") // gofakes3's copy of a (maybe earlier) PUT's header
	h.Del("X-Amz-Sdk-Checksum-Algorithm")
	w.c.mu.Lock()
	defer w.c.mu.Unlock()
	if w.r.Method == http.MethodPut {
		if code/100 != 2 {
			return
		}
		if w.c.sums == nil {
			w.c.sums = map[string]string{}
		}
		if w.sum == "" {
			delete(w.c.sums, key)
		} else {
			w.c.sums[key] = w.sum
			h.Set("X-Amz-Checksum-Sha256", w.sum)
		}
		return
	}
	sum, ok := w.c.sums[key]
	if !ok {
		// An unversioned bucket: gofakes3 answers a PUT without a version
		// id but names one on HEAD and GET.
		sum = w.c.sums[checksumKey(w.r.URL.Path, "")]
	}
	if sum != "" && strings.EqualFold(w.r.Header.Get("X-Amz-Checksum-Mode"), "ENABLED") {
		h.Set("X-Amz-Checksum-Sha256", sum)
	}
}
