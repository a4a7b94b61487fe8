package devstack

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/johannesboyne/gofakes3"
)

// gofakes3's persistent backends need dependencies this module does not
// have, so a stack kept with --data snapshots the in-memory one instead:
// loaded on start, saved on a clean stop. Each object is two files under
// dir/<bucket>/: <sha256 of key>.data and .json (key and metadata), so any
// key maps to a safe file name.

type snapshotEntry struct {
	Key      string            `json:"key"`
	Metadata map[string]string `json:"metadata"`
}

// LoadSnapshot restores the buckets and objects saved under dir, if any.
func (s *S3Server) LoadSnapshot(dir string) error {
	buckets, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("devstack: read S3 snapshot: %w", err)
	}
	for _, b := range buckets {
		if !b.IsDir() {
			continue
		}
		if err := s.Backend.CreateBucket(b.Name()); err != nil {
			return fmt.Errorf("devstack: restore bucket %s: %w", b.Name(), err)
		}
		metas, err := filepath.Glob(filepath.Join(dir, b.Name(), "*.json"))
		if err != nil {
			return err
		}
		for _, metaPath := range metas {
			if err := s.restoreObject(b.Name(), metaPath); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *S3Server) restoreObject(bucket, metaPath string) error {
	raw, err := os.ReadFile(metaPath)
	if err != nil {
		return fmt.Errorf("devstack: restore S3 object: %w", err)
	}
	var e snapshotEntry
	if err := json.Unmarshal(raw, &e); err != nil {
		return fmt.Errorf("devstack: restore S3 object %s: %w", metaPath, err)
	}
	body, err := os.ReadFile(strings.TrimSuffix(metaPath, ".json") + ".data")
	if err != nil {
		return fmt.Errorf("devstack: restore S3 object %s/%s: %w", bucket, e.Key, err)
	}
	if _, err := s.Backend.PutObject(bucket, e.Key, e.Metadata, bytes.NewReader(body), int64(len(body)), nil); err != nil {
		return fmt.Errorf("devstack: restore S3 object %s/%s: %w", bucket, e.Key, err)
	}
	return nil
}

// SaveSnapshot writes every bucket and object to dir, replacing what was
// there only once the new snapshot is complete.
func (s *S3Server) SaveSnapshot(dir string) error {
	tmp := dir + ".saving"
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("devstack: save S3 snapshot: %w", err)
	}
	buckets, err := s.Backend.ListBuckets()
	if err != nil {
		return fmt.Errorf("devstack: save S3 snapshot: %w", err)
	}
	for _, b := range buckets {
		if err := s.saveBucket(tmp, b.Name); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return fmt.Errorf("devstack: save S3 snapshot: %w", err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("devstack: save S3 snapshot: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("devstack: save S3 snapshot: %w", err)
	}
	return nil
}

func (s *S3Server) saveBucket(root, bucket string) error {
	dir := filepath.Join(root, bucket)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("devstack: save bucket %s: %w", bucket, err)
	}
	list, err := s.Backend.ListBucket(bucket, nil, gofakes3.ListBucketPage{}) // no MaxKeys: every key
	if err != nil {
		return fmt.Errorf("devstack: list bucket %s: %w", bucket, err)
	}
	for _, c := range list.Contents {
		obj, err := s.Backend.GetObject(bucket, c.Key, nil)
		if err != nil {
			return fmt.Errorf("devstack: read %s/%s: %w", bucket, c.Key, err)
		}
		body, err := io.ReadAll(obj.Contents)
		obj.Contents.Close()
		if err != nil {
			return fmt.Errorf("devstack: read %s/%s: %w", bucket, c.Key, err)
		}
		sum := sha256.Sum256([]byte(c.Key))
		base := filepath.Join(dir, hex.EncodeToString(sum[:]))
		meta, err := json.Marshal(snapshotEntry{Key: c.Key, Metadata: obj.Metadata})
		if err != nil {
			return err
		}
		if err := os.WriteFile(base+".data", body, 0o644); err != nil {
			return fmt.Errorf("devstack: save %s/%s: %w", bucket, c.Key, err)
		}
		if err := os.WriteFile(base+".json", meta, 0o644); err != nil {
			return fmt.Errorf("devstack: save %s/%s: %w", bucket, c.Key, err)
		}
	}
	return nil
}
