package protocol

import "time"

// Terms (issue #15): the terms of service, privacy policy and community
// guidelines the deployment publishes under one version
// (docs/ARCHITECTURE.md "Terms and guidelines").
const (
	ActionAcceptTerms = "acceptTerms"
	// EventTerms answers acceptTerms and is pushed to the person's other
	// connections, so every device closes its dialog.
	EventTerms = "terms"
)

// AcceptTermsRequest accepts the terms of Version, which must be the
// current one (the version the person was shown): accepting an older one
// is invalid.
type AcceptTermsRequest struct {
	Version string `json:"version"`
}

// TermsState is what the server knows of the terms and this person:
// Version is the current version; Accepted the one they last accepted ("",
// never), at AcceptedAt. Required is true while Accepted is not Version:
// every action but acceptTerms, getState and ping is then refused with
// terms_required.
type TermsState struct {
	Version    string    `json:"version"`
	Accepted   string    `json:"accepted,omitempty"`
	AcceptedAt time.Time `json:"acceptedAt,omitzero"`
	Required   bool      `json:"required"`
}

// TermsEvent carries TermsState: the reply to acceptTerms.
type TermsEvent struct {
	Head
	TermsState
}
