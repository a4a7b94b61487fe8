package app

import (
	"log/slog"
	"os"
)

// OutHookConfig is the environment of the outgoing webhooks' delivery
// function (functions/outhooks): the table (the rooms' webhooks and their
// messages). Nothing here lets it reach a private address: the local
// stack's allowance is a build option of outhookapp, never a variable.
type OutHookConfig struct {
	TableName string     // TABLE_NAME (required)
	LogLevel  slog.Level // LOG_LEVEL
}

// Validate checks that everything the delivery function needs is set.
func (c OutHookConfig) Validate() error {
	return missing(map[string]string{EnvTableName: c.TableName})
}

// OutHookConfigFromEnv reads the delivery function's variables.
func OutHookConfigFromEnv() (OutHookConfig, error) { return readOutHook(os.LookupEnv) }

func readOutHook(lookup func(string) (string, bool)) (OutHookConfig, error) {
	r := reader{lookup: lookup}
	cfg := OutHookConfig{TableName: r.get(EnvTableName), LogLevel: r.logLevel()}
	return cfg, r.done(cfg.Validate())
}
