package app

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Calls (issue #18): where the actions function gets the calls' ICE
// servers, and their size. The stack sets ICE_SERVERS from
// `-c iceServers=kvs|turn|none`; unset is none (make dev, testenv: host
// candidates on loopback).
const (
	// EnvICEServers is the ICE source: kvs, turn or none.
	EnvICEServers = "ICE_SERVERS"
	// EnvKVSChannelARN is the signalling channel whose managed TURN the
	// kvs source hands out; EnvKVSRole its role (MASTER or VIEWER).
	EnvKVSChannelARN = "KVS_CHANNEL_ARN"
	EnvKVSRole       = "KVS_ROLE"
	// EnvTURNURLs and EnvSTUNURLs are the turn source's comma-separated
	// URLs; EnvTURNSecretARN names a secret the deployer owns holding the
	// TURN server's static-auth-secret. Without it the secret is derived
	// from the digest key (DIGEST_KEY_SECRET_ARN or DIGEST_KEY, HKDF label
	// iceservers.TURNSecretLabel). EnvTURNTTLSeconds is the credentials'
	// lifetime.
	EnvTURNURLs       = "TURN_URLS"
	EnvSTUNURLs       = "STUN_URLS"
	EnvTURNSecretARN  = "TURN_SECRET_ARN"
	EnvTURNTTLSeconds = "TURN_TTL_SECONDS"
	// EnvCallMaxSize is how many people a call holds (default 6).
	EnvCallMaxSize = "CALL_MAX_SIZE"
)

// CallSettings is CALL_* and the ICE source's variables. PushQueueURL
// (PUSH_QUEUE_URL) rings the devices of people rung with no visible tab.
type CallSettings struct {
	ICE                string
	KVSChannelARN      string
	KVSRole            string
	TURNURLs           []string
	STUNURLs           []string
	TURNSecretARN      string
	DigestKeySecretARN string
	DigestKey          string
	TURNTTL            time.Duration
	MaxSize            int
	PushQueueURL       string
}

// Validate checks that the chosen source has what it needs.
func (c CallSettings) Validate() error {
	switch c.ICE {
	case "", "none":
		return nil
	case "kvs":
		if c.KVSChannelARN == "" {
			return fmt.Errorf("%s=kvs needs %s", EnvICEServers, EnvKVSChannelARN)
		}
		if c.KVSRole != "" && c.KVSRole != "MASTER" && c.KVSRole != "VIEWER" {
			return fmt.Errorf("%s must be MASTER or VIEWER", EnvKVSRole)
		}
	case "turn":
		if len(c.TURNURLs) == 0 {
			return fmt.Errorf("%s=turn needs %s", EnvICEServers, EnvTURNURLs)
		}
		if c.TURNSecretARN == "" && c.DigestKeySecretARN == "" && len(c.DigestKey) < 32 {
			return fmt.Errorf("%s=turn needs %s, or %s or %s (32 bytes or more) to derive it from",
				EnvICEServers, EnvTURNSecretARN, EnvDigestKeySecretARN, EnvDigestKey)
		}
	default:
		return fmt.Errorf("%s must be kvs, turn or none, not %q", EnvICEServers, c.ICE)
	}
	return nil
}

// CallSettingsFromEnv reads the calls' settings alone (scripts/turn-secret);
// the actions function reads them with the rest of ActionsConfig.
func CallSettingsFromEnv() (CallSettings, error) { return readCalls(os.LookupEnv) }

func readCalls(lookup func(string) (string, bool)) (CallSettings, error) {
	r := &reader{lookup: lookup}
	c := r.calls()
	return c, r.err()
}

func splitURLs(v string) []string {
	var out []string
	for _, u := range strings.Split(v, ",") {
		if u = strings.TrimSpace(u); u != "" {
			out = append(out, u)
		}
	}
	return out
}

func (r *reader) calls() CallSettings {
	c := CallSettings{
		ICE:                r.get(EnvICEServers),
		KVSChannelARN:      r.get(EnvKVSChannelARN),
		KVSRole:            r.get(EnvKVSRole),
		TURNURLs:           splitURLs(r.get(EnvTURNURLs)),
		STUNURLs:           splitURLs(r.get(EnvSTUNURLs)),
		TURNSecretARN:      r.get(EnvTURNSecretARN),
		DigestKeySecretARN: r.get(EnvDigestKeySecretARN),
		DigestKey:          r.get(EnvDigestKey),
		TURNTTL:            time.Duration(r.positive(EnvTURNTTLSeconds)) * time.Second,
		PushQueueURL:       r.get(EnvPushQueueURL),
	}
	if v := r.get(EnvCallMaxSize); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2 || n > 16 {
			r.fail(EnvCallMaxSize, v, "a number from 2 to 16")
		} else {
			c.MaxSize = n
		}
	}
	return c
}
