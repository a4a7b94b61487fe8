package service_test

import (
	"slices"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/media"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// The state event tells the client this deployment's limits, so it can
// refuse a too-large file before uploading it.
func TestStateCarriesTheDeploymentsLimits(t *testing.T) {
	h, _ := newFilesHarness(t, func(c *service.Config) {
		c.Files = media.Limits{MaxBytes: 1 << 20, AllowedTypes: []string{"image/png", "text/plain"}}
	})
	alice := h.connect("alice", "a1")
	st, err := h.svc.GetState(h.ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	l := st.Limits
	if !l.Files || l.MaxUploadBytes != 1<<20 || !slices.Equal(l.AllowedUploadTypes, []string{"image/png", "text/plain"}) || l.MaxTextBytes != protocol.MaxTextBytes {
		t.Errorf("limits = %+v", l)
	}
}

func TestStateSaysWhenFilesAreOff(t *testing.T) {
	h := newHarness(t) // no file store
	alice := h.connect("alice", "a1")
	st, err := h.svc.GetState(h.ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	if l := st.Limits; l.Files || l.MaxUploadBytes != 0 || l.AllowedUploadTypes != nil || l.MaxTextBytes != protocol.MaxTextBytes {
		t.Errorf("limits = %+v", l)
	}
}
