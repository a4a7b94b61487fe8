package thumbnail_test

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/thumbnail"
)

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

func TestFunctionConfigFromEnv(t *testing.T) {
	cfg, err := thumbnail.FunctionConfigFromEnv(env(map[string]string{
		"FILES_BUCKET": "files", "S3_USE_PATH_STYLE": "true", "MAX_UPLOAD_BYTES": "1024", "LOG_LEVEL": "debug",
	}))
	want := thumbnail.FunctionConfig{Bucket: "files", UsePathStyle: true, MaxSourceBytes: 1024, LogLevel: slog.LevelDebug}
	if err != nil || cfg != want {
		t.Errorf("config = %+v, %v", cfg, err)
	}
	_, err = thumbnail.FunctionConfigFromEnv(env(map[string]string{"S3_USE_PATH_STYLE": "yes please", "MAX_UPLOAD_BYTES": "0", "LOG_LEVEL": "loud"}))
	for _, name := range []string{"FILES_BUCKET", "S3_USE_PATH_STYLE", "MAX_UPLOAD_BYTES", "LOG_LEVEL"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("error %v does not name %s", err, name)
		}
	}
}
