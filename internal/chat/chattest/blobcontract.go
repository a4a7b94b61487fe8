package chattest

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// RunBlobContract checks the behaviour internal/chat/blob.go documents
// against any chat.BlobStore, so the fake and the S3 adapter are held to
// the same rules. newStore returns an empty store.
func RunBlobContract(t *testing.T, newStore func(t *testing.T) chat.BlobStore) {
	ctx := context.Background()
	t.Run("put then read", func(t *testing.T) {
		s := newStore(t)
		key := uniq("rooms/r/u/") + "/a b é.txt"
		body := []byte("0123456789")
		if err := s.Put(ctx, key, "text/plain", body); err != nil {
			t.Fatal(err)
		}
		info, err := s.Stat(ctx, key)
		if err != nil || info.Size != 10 || info.ContentType != "text/plain" {
			t.Errorf("Stat = %+v, %v", info, err)
		}
		for n, want := range map[int64]string{4: "0123", 10: "0123456789", 64 << 10: "0123456789", 0: ""} {
			got, err := s.ReadPrefix(ctx, key, n)
			if err != nil || string(got) != want {
				t.Errorf("ReadPrefix(%d) = %q, %v; want %q", n, got, err, want)
			}
		}
		r, info, err := s.Open(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		all, err := io.ReadAll(r)
		if err != nil || string(all) != "0123456789" || info.Size != 10 || info.ContentType != "text/plain" {
			t.Errorf("Open = %q, %+v, %v", all, info, err)
		}
		// Put replaces.
		if err := s.Put(ctx, key, "image/png", []byte("x")); err != nil {
			t.Fatal(err)
		}
		if info, err := s.Stat(ctx, key); err != nil || info.Size != 1 || info.ContentType != "image/png" {
			t.Errorf("after replace: %+v, %v", info, err)
		}
	})
	t.Run("missing", func(t *testing.T) {
		s := newStore(t)
		key := uniq("rooms/missing/")
		_, err := s.Stat(ctx, key)
		wantCode(t, "Stat", err, chat.NotFound)
		_, err = s.ReadPrefix(ctx, key, 10)
		wantCode(t, "ReadPrefix", err, chat.NotFound)
		_, _, err = s.Open(ctx, key)
		wantCode(t, "Open", err, chat.NotFound)
	})
	t.Run("empty object", func(t *testing.T) {
		s := newStore(t)
		key := uniq("rooms/empty/")
		if err := s.Put(ctx, key, "text/plain", nil); err != nil {
			t.Fatal(err)
		}
		if info, err := s.Stat(ctx, key); err != nil || info.Size != 0 {
			t.Errorf("Stat = %+v, %v", info, err)
		}
		if b, err := s.ReadPrefix(ctx, key, 10); err != nil || len(b) != 0 {
			t.Errorf("ReadPrefix = %q, %v", b, err)
		}
	})
	t.Run("delete", func(t *testing.T) {
		s := newStore(t)
		keep, gone1, gone2 := uniq("rooms/del/keep"), uniq("rooms/del/a"), uniq("thumbs/rooms/del/b")
		for _, k := range []string{keep, gone1, gone2} {
			if err := s.Put(ctx, k, "text/plain", []byte("x")); err != nil {
				t.Fatal(err)
			}
		}
		// A missing key among them is fine.
		if err := s.Delete(ctx, []string{gone1, gone2, uniq("rooms/del/never")}); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{gone1, gone2} {
			_, err := s.Stat(ctx, k)
			wantCode(t, "Stat after Delete", err, chat.NotFound)
		}
		if _, err := s.Stat(ctx, keep); err != nil {
			t.Errorf("a key not named was deleted: %v", err)
		}
		if err := s.Delete(ctx, nil); err != nil {
			t.Errorf("Delete of nothing: %v", err)
		}
	})
	t.Run("presign", func(t *testing.T) {
		s := newStore(t)
		up, err := s.PresignUpload(ctx, "rooms/r/u/f/a.png", "image/png", 42, "", time.Minute)
		if err != nil || up.Method != "PUT" || up.URL == "" || up.Header["Content-Type"] != "image/png" || up.Header["Content-Length"] != "42" {
			t.Errorf("PresignUpload = %+v, %v", up, err)
		}
		down, err := s.PresignDownload(ctx, "rooms/r/u/f/a.png", "", chat.ResponseHeaders{ContentType: "image/png", ContentDisposition: "inline"}, time.Minute)
		if err != nil || down.Method != "GET" || down.URL == "" {
			t.Errorf("PresignDownload = %+v, %v", down, err)
		}
	})
}
