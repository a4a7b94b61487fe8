package protocol

import (
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Export my data (issue 15).
const (
	// ActionRequestExport asks for an archive of the caller's data.
	ActionRequestExport = "requestExport"
	// ActionExportStatus answers the caller's latest export (or none).
	ActionExportStatus = "exportStatus"
	// ActionRequestExportDownload hands a fresh short download URL of a
	// ready archive to its owner, or to the admin who asked for it.
	ActionRequestExportDownload = "requestExportDownload"
	// ActionExportUser: a workspace admin exports a person's data on
	// their request.
	ActionExportUser = "exportUser"
)

const (
	// EventExport answers requestExport, exportStatus and exportUser, and
	// is pushed to the person's connections (and the asking admin's) when
	// the archive is ready or the export failed.
	EventExport = "export"
	// EventExportDownload answers requestExportDownload.
	EventExportDownload = "exportDownload"
)

// ExportUserRequest names the person whose data an admin exports.
type ExportUserRequest struct {
	UserID string `json:"userId"`
}

// ExportDownloadRequest names whose archive: empty is the caller's own;
// another person's is for the admin who asked for it.
type ExportDownloadRequest struct {
	UserID string `json:"userId,omitempty"`
}

// ExportEvent is a person's latest export; nil when they have none.
type ExportEvent struct {
	Head
	Export *chat.Export `json:"export"`
}

// ExportDownloadEvent is a presigned GET of the archive, valid until
// ExpiresAt (minutes): ask again for a new one while the export is valid.
type ExportDownloadEvent struct {
	Head
	ExportID  string    `json:"exportId"`
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expiresAt"`
}
