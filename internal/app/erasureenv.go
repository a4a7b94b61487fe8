package app

import (
	"errors"
	"os"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Account erasure (issue 15): the actions function queues erasures on
// ERASURE_QUEUE_URL (deleteAccount, deleteUser: off without it), and the
// erasure function (functions/erasure) reads the same queue. Both read
// ERASURE_POLICY, the workspace's policy for a deleted person's messages
// (CDK context erasurePolicy): erase (the default) or anonymise.
const (
	EnvErasureQueueURL = "ERASURE_QUEUE_URL"
	EnvErasurePolicy   = "ERASURE_POLICY"
)

// ErasureSettings are the erasure's variables.
type ErasureSettings struct {
	QueueURL string             // ERASURE_QUEUE_URL
	Policy   chat.ErasurePolicy // ERASURE_POLICY ("" reads as erase)
}

func (r *reader) erasure() ErasureSettings {
	s := ErasureSettings{QueueURL: r.get(EnvErasureQueueURL)}
	if v := r.get(EnvErasurePolicy); v != "" {
		p, err := chat.ParseErasurePolicy(v)
		if err != nil {
			r.fail(EnvErasurePolicy, v, "erase or anonymise")
		}
		s.Policy = p
	}
	return s
}

// ErasureConfig is the environment of the erasure worker: the actions
// function's (the table, the management API to close connections, the
// files bucket, the user pool, the schedules) with the queue required.
type ErasureConfig struct {
	ActionsConfig
}

// ErasureConfigFromEnv reads the erasure function's variables.
func ErasureConfigFromEnv() (ErasureConfig, error) { return readErasure(os.LookupEnv) }

func readErasure(lookup func(string) (string, bool)) (ErasureConfig, error) {
	a, err := readActions(lookup)
	cfg := ErasureConfig{ActionsConfig: a}
	if cfg.Erasure.QueueURL == "" {
		err = errors.Join(err, errors.New("missing "+EnvErasureQueueURL))
	}
	return cfg, err
}
