package export

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"testing"
)

// writeArchive writes u1's archive from src (no files) and opens it.
func writeArchive(t *testing.T, src Source) *zip.Reader {
	t.Helper()
	var buf bytes.Buffer
	if _, err := (&Writer{Source: src, Files: noFiles{}, TempDir: t.TempDir()}).Write(context.Background(), "u1", &buf); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	return zr
}

// entryOf reads the archive's entry name (it must be there).
func entryOf(t *testing.T, zr *zip.Reader, name string) []byte {
	t.Helper()
	f, err := zr.Open(name)
	if err != nil {
		t.Fatalf("no %s: %v", name, err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return b
}
