package localgw

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"
)

// serveManagement implements the @connections management API
// (PostToConnection, GetConnection, DeleteConnection) without SigV4 checks.
func (g *Gateway) serveManagement(w http.ResponseWriter, r *http.Request, escapedID string) {
	id, err := url.PathUnescape(escapedID)
	if err != nil || id == "" {
		writeAWSError(w, http.StatusBadRequest, "BadRequestException", "Invalid connection id")
		return
	}
	log := g.log.With("connectionId", id, "method", r.Method)
	switch r.Method {
	case http.MethodPost:
		g.postToConnection(w, r, id, log)
	case http.MethodGet:
		g.getConnection(w, id)
	case http.MethodDelete:
		g.deleteConnection(w, id, log)
	default:
		writeAWSError(w, http.StatusForbidden, "ForbiddenException", msgForbidden)
	}
}

// postToConnection sends the raw request body as one text frame.
func (g *Gateway) postToConnection(w http.ResponseWriter, r *http.Request, id string, log *slog.Logger) {
	body, err := io.ReadAll(io.LimitReader(r.Body, int64(g.cfg.MaxMessageBytes)+1))
	if err != nil {
		writeAWSError(w, http.StatusBadRequest, "BadRequestException", "Cannot read request body")
		return
	}
	if len(body) > g.cfg.MaxMessageBytes {
		writeAWSError(w, http.StatusRequestEntityTooLarge, "PayloadTooLargeException", "Message too long")
		return
	}
	c := g.lookup(id)
	if c == nil || c.sendData(opText, body) != nil {
		log.Info("PostToConnection to a gone connection", "status", http.StatusGone)
		writeGone(w)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// getConnection answers like GetConnection, with ISO 8601 timestamps.
func (g *Gateway) getConnection(w http.ResponseWriter, id string) {
	c := g.lookup(id)
	if c == nil {
		writeGone(w)
		return
	}
	type identity struct {
		SourceIP  string `json:"sourceIp"`
		UserAgent string `json:"userAgent"`
	}
	body, _ := json.Marshal(struct {
		ConnectedAt  string   `json:"connectedAt"`
		Identity     identity `json:"identity"`
		LastActiveAt string   `json:"lastActiveAt"`
	}{
		ConnectedAt:  c.connectedAt.UTC().Format(isoMillis),
		Identity:     identity{SourceIP: c.sourceIP, UserAgent: c.userAgent},
		LastActiveAt: time.Unix(0, c.lastData.Load()).UTC().Format(isoMillis),
	})
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

// deleteConnection closes the connection; $disconnect follows as for any close.
func (g *Gateway) deleteConnection(w http.ResponseWriter, id string, log *slog.Logger) {
	c := g.lookup(id)
	if c == nil {
		writeGone(w)
		return
	}
	log.Info("DeleteConnection")
	c.closeWith(closeNormal, "")
	w.WriteHeader(http.StatusNoContent)
}

func writeGone(w http.ResponseWriter) {
	writeAWSError(w, http.StatusGone, "GoneException", "Connection is gone")
}

// writeAWSError writes a restJson1 error the SDK maps to a typed exception.
func writeAWSError(w http.ResponseWriter, status int, errorType, message string) {
	body, _ := json.Marshal(map[string]string{"message": message})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-ErrorType", errorType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
