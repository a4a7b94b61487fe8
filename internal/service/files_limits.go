package service

import (
	"slices"

	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// limits tells clients this deployment's limits (in the state event).
func (s *Chat) limits() protocol.Limits {
	l := protocol.Limits{MaxTextBytes: protocol.MaxTextBytes, Files: s.blobs != nil, E2EEMaxMembers: s.e2eeMaxMembers()}
	if l.Files {
		l.MaxUploadBytes = s.files.MaxBytes
		l.AllowedUploadTypes = slices.Clone(s.files.AllowedTypes)
	}
	return l
}
