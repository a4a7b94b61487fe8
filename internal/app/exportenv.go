package app

import (
	"os"
	"strings"
)

// Export my data (issue 15): the actions function puts jobs on the export
// queue (EXPORT_QUEUE_URL; unset turns exports off); the export worker
// (functions/export) writes the archives.
const (
	// EnvExportQueueURL is the export queue (the actions function's).
	EnvExportQueueURL = "EXPORT_QUEUE_URL"
)

// ExportConfig is the environment of the export worker: the table and the
// management API (it updates the record and tells the person through the
// service), the files bucket (it reads the files and writes the archive
// under exports/), and, optional, the ready email: USER_POOL_ID (the
// verified address), DIGEST_FROM (the SES sender) and DIGEST_SITE_URL
// (the app's link). Without a sender no email is sent.
type ExportConfig struct {
	ConnectionConfig
	FilesBucket    string // FILES_BUCKET (required)
	S3UsePathStyle bool   // S3_USE_PATH_STYLE
	UserPoolID     string // USER_POOL_ID
	MailFrom       string // DIGEST_FROM
	SiteURL        string // DIGEST_SITE_URL
}

// Validate checks the worker's required variables.
func (c ExportConfig) Validate() error {
	return missing(map[string]string{EnvTableName: c.TableName, EnvCallbackURL: c.CallbackURL, EnvFilesBucket: c.FilesBucket})
}

// Mail says whether the ready email is configured.
func (c ExportConfig) Mail() bool { return c.MailFrom != "" && c.UserPoolID != "" }

// ExportConfigFromEnv reads the export function's variables.
func ExportConfigFromEnv() (ExportConfig, error) { return readExport(os.LookupEnv) }

func readExport(lookup func(string) (string, bool)) (ExportConfig, error) {
	r := reader{lookup: lookup}
	cfg := ExportConfig{
		ConnectionConfig: ConnectionConfig{TableName: r.get(EnvTableName), CallbackURL: r.callbackURL(), LogLevel: r.logLevel()},
		FilesBucket:      r.get(EnvFilesBucket),
		S3UsePathStyle:   r.bool(EnvS3UsePathStyle),
		UserPoolID:       r.get(EnvUserPoolID),
		MailFrom:         r.get(EnvDigestFrom),
		SiteURL:          strings.TrimRight(r.get(EnvDigestSiteURL), "/"),
	}
	return cfg, r.done(cfg.Validate())
}
