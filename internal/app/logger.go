package app

import (
	"io"
	"log/slog"
)

// NewLogger is the JSON logger every function writes to stderr (CloudWatch
// Logs keeps the lines; stdout carries the EMF metrics).
func NewLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}
