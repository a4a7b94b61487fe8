package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// The installable app's files: the manifest with its media type, the
// service worker as JavaScript at the root, and a client-side route
// answered with index.html.
func TestStaticFilesServeTheAppShell(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"index.html":            "<!doctype html><title>x</title>",
		"manifest.webmanifest":  `{"name":"Backchannel"}`,
		"sw.js":                 "self.addEventListener('fetch', () => {});",
		"icons/icon-192.png":    "\x89PNG",
		"assets/index-abc12.js": "export {};",
	} {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	h := staticFiles(dir)
	for _, c := range []struct{ path, contentType string }{
		{"/manifest.webmanifest", "application/manifest+json"},
		{"/sw.js", "text/javascript; charset=utf-8"},
		{"/icons/icon-192.png", "image/png"},
		{"/some/route", "text/html; charset=utf-8"},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, c.path, nil))
		if rec.Code != http.StatusOK {
			t.Errorf("%s: status %d", c.path, rec.Code)
		}
		if got := rec.Header().Get("Content-Type"); got != c.contentType {
			t.Errorf("%s: Content-Type %q, want %q", c.path, got, c.contentType)
		}
		if got := rec.Header().Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s: Cache-Control %q", c.path, got)
		}
	}
}
