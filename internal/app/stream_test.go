package app

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

func TestStreamConfigFromEnv(t *testing.T) {
	env := func(vars map[string]string) func(string) (string, bool) {
		return func(name string) (string, bool) { v, ok := vars[name]; return v, ok }
	}
	cfg, err := readStreamConfig(env(map[string]string{
		"EVENT_BUS_NAME": " chat-events ", "EVENTS_INCLUDE_TEXT": "true", "LOG_LEVEL": "debug",
		"TABLE_NAME": "", // the stream function needs no table, callback or Cognito
	}))
	if err != nil || cfg != (StreamConfig{EventBusName: "chat-events", IncludeText: true, LogLevel: slog.LevelDebug}) {
		t.Errorf("read %+v, %v", cfg, err)
	}
	cfg, err = readStreamConfig(env(map[string]string{"EVENT_BUS_NAME": "b"}))
	if err != nil || cfg.IncludeText || cfg.LogLevel != slog.LevelInfo {
		t.Errorf("defaults %+v, %v: want no text, info", cfg, err)
	}
	_, err = readStreamConfig(env(map[string]string{"EVENTS_INCLUDE_TEXT": "yes please", "LOG_LEVEL": "loud"}))
	for _, want := range []string{"EVENT_BUS_NAME", "EVENTS_INCLUDE_TEXT", "LOG_LEVEL"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not name %s", err, want)
		}
	}
}

func TestBuildStreamWiresOnlyTheBus(t *testing.T) {
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:1")}
	h, err := BuildStream(context.Background(), StreamConfig{EventBusName: "chat"}, WithAWSConfig(cfg), WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil || h == nil {
		t.Fatalf("BuildStream: %v", err)
	}
	if _, err := BuildStream(context.Background(), StreamConfig{}, WithAWSConfig(cfg)); err == nil || !strings.Contains(err.Error(), "EVENT_BUS_NAME") {
		t.Errorf("no bus: %v", err)
	}
}
