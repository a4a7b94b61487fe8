package app

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func lookupOf(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

// TestCallSettings: ICE_SERVERS picks the source; each needs its
// variables, and a wrong one is refused at the cold start.
func TestCallSettings(t *testing.T) {
	base := map[string]string{EnvTableName: "chat", EnvCallbackURL: "https://x.example/prod"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	cfg, err := readActions(lookupOf(base))
	if err != nil || cfg.Calls.ICE != "" || cfg.Calls.MaxSize != 0 {
		t.Fatalf("unset: %+v, %v", cfg.Calls, err)
	}
	cfg, err = readActions(lookupOf(with(EnvICEServers, "kvs", EnvKVSChannelARN, "arn:aws:kinesisvideo:eu-west-1:1:channel/c/1", EnvCallMaxSize, "4", EnvPushQueueURL, "https://sqs/q")))
	if err != nil || cfg.Calls.KVSChannelARN == "" || cfg.Calls.MaxSize != 4 || cfg.Calls.PushQueueURL != "https://sqs/q" {
		t.Fatalf("kvs: %+v, %v", cfg.Calls, err)
	}
	cfg, err = readActions(lookupOf(with(EnvICEServers, "turn", EnvTURNURLs, "turn:t.example:3478?transport=udp, turns:t.example:5349", EnvSTUNURLs, "stun:t.example:3478",
		EnvDigestKeySecretARN, "arn:aws:secretsmanager:eu-west-1:1:secret:digest", EnvTURNTTLSeconds, "3600")))
	if err != nil || !slices.Equal(cfg.Calls.TURNURLs, []string{"turn:t.example:3478?transport=udp", "turns:t.example:5349"}) || cfg.Calls.TURNTTL != time.Hour {
		t.Fatalf("turn: %+v, %v", cfg.Calls, err)
	}
	for name, env := range map[string]map[string]string{
		"kvs without a channel": with(EnvICEServers, "kvs"),
		"turn without urls":     with(EnvICEServers, "turn", EnvDigestKey, strings.Repeat("k", 32)),
		"turn without a secret": with(EnvICEServers, "turn", EnvTURNURLs, "turn:t.example"),
		"an unknown source":     with(EnvICEServers, "xirsys"),
		"a call of one":         with(EnvCallMaxSize, "1"),
		"a bad role":            with(EnvICEServers, "kvs", EnvKVSChannelARN, "arn:x", EnvKVSRole, "BOSS"),
	} {
		if _, err := readActions(lookupOf(env)); err == nil {
			t.Errorf("%s was accepted", name)
		}
	}
}
