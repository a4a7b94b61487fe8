package main

import (
	"bytes"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestLineHandlerPrintsOneShortLinePerRequest(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(newLineHandler(&buf, slog.LevelInfo)).With("component", "localgw", "apiId", "x1", "stage", "local")
	log.Info("message handled", "connectionId", "8ZrtG43o+Cotx88=", "requestId", "r", "messageId", "m", "routeKey", "sendMessage", "status", 200, "durationMs", 13)
	log.Warn("push failed", "connectionId", "abc", "error", "gone away")
	log.Debug("not shown")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2:\n%s", len(lines), buf.String())
	}
	if !strings.HasSuffix(lines[0], "sendMessage       200     13ms  conn 8ZrtG4") {
		t.Errorf("request line = %q", lines[0])
	}
	for _, noise := range []string{"apiId", "requestId", "messageId", "component", "{"} {
		if strings.Contains(buf.String(), noise) {
			t.Errorf("%q in the log:\n%s", noise, buf.String())
		}
	}
	if !strings.Contains(lines[1], "WARN push failed  connectionId=abc  error=\"gone away\"") {
		t.Errorf("warning line = %q", lines[1])
	}
}

func TestSignUpCodesPage(t *testing.T) {
	codes := &signUpCodes{}
	codes.add("ana@example.com", "123456")
	codes.add("<b>@example.com", "654321")
	rec := httptest.NewRecorder()
	codes.ServeHTTP(rec, httptest.NewRequest("GET", "/dev/codes", nil))
	body := rec.Body.String()
	if !strings.Contains(body, "<code>123456</code>") || !strings.Contains(body, "ana@example.com") {
		t.Errorf("page lacks the code:\n%s", body)
	}
	if strings.Contains(body, "<b>@") || strings.Index(body, "654321") > strings.Index(body, "123456") {
		t.Errorf("not escaped or not newest first:\n%s", body)
	}
}
