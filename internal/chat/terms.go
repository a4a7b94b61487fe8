package chat

import (
	"context"
	"time"
)

// TermsAcceptance is what a person agreed to: the version of the terms of
// service, privacy policy and community guidelines (one version names the
// three, as the deployment publishes them) and when. The zero value: never.
type TermsAcceptance struct {
	Version    string
	AcceptedAt time.Time
}

// TermsStore records acceptances: one item per person (USER#<id>/TERMS),
// written only by the acceptTerms action from the verified identity.
type TermsStore interface {
	// TermsAcceptance returns the person's last acceptance; the zero value
	// when they never accepted.
	TermsAcceptance(ctx context.Context, userID string) (TermsAcceptance, error)
	// AcceptTerms records that userID accepted version at at, replacing the
	// earlier acceptance.
	AcceptTerms(ctx context.Context, userID string, a TermsAcceptance) error
}

// MaxTermsVersionLen bounds a terms version ("2026-11-30", "3", "v2.1").
const MaxTermsVersionLen = 64
