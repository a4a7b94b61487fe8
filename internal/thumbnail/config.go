package thumbnail

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
)

// FunctionConfig is the thumbnail function's environment (see the wiring
// contract): FILES_BUCKET (required), S3_USE_PATH_STYLE, MAX_UPLOAD_BYTES
// (the originals it reads are at most this large) and LOG_LEVEL. The SDK
// reads the region, credentials and AWS_ENDPOINT_URL_S3 itself.
type FunctionConfig struct {
	Bucket         string
	UsePathStyle   bool
	MaxSourceBytes int64
	LogLevel       slog.Level
}

// FunctionConfigFromEnv reads FunctionConfig through lookup (os.LookupEnv)
// and names every variable that is missing or malformed.
func FunctionConfigFromEnv(lookup func(string) (string, bool)) (FunctionConfig, error) {
	get := func(name string) string {
		v, _ := lookup(name)
		return strings.TrimSpace(v)
	}
	cfg := FunctionConfig{Bucket: get("FILES_BUCKET")}
	var errs []error
	if cfg.Bucket == "" {
		errs = append(errs, errors.New("thumbnail: missing environment variable FILES_BUCKET"))
	}
	if v := get("S3_USE_PATH_STYLE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("thumbnail: S3_USE_PATH_STYLE %q: want true or false", v))
		}
		cfg.UsePathStyle = b
	}
	if v := get("MAX_UPLOAD_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			errs = append(errs, fmt.Errorf("thumbnail: MAX_UPLOAD_BYTES %q: want a positive number of bytes", v))
		}
		cfg.MaxSourceBytes = n
	}
	if v := get("LOG_LEVEL"); v != "" {
		if err := cfg.LogLevel.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, fmt.Errorf("thumbnail: LOG_LEVEL %q: want debug, info, warn or error", v))
		}
	}
	return cfg, errors.Join(errs...)
}
