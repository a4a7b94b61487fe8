// Package signup decides who may create an account themselves: the
// Cognito PreSignUp trigger (functions/presignup) of a deployment whose
// sign-up is limited to listed email domains.
package signup

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// ErrNotAllowed is the refusal the person sees (Cognito passes the
// message on, prefixed "PreSignUp failed with error").
var ErrNotAllowed = errors.New("sign-up is limited to this workspace's email domains: ask an admin for an invitation")

// Domains is a set of lower-case email domains.
type Domains map[string]bool

// ParseDomains reads a comma-separated list ("example.com, corp.example").
func ParseDomains(list string) (Domains, error) {
	d := Domains{}
	for _, s := range strings.Split(list, ",") {
		s = strings.ToLower(strings.TrimSpace(s))
		if s == "" {
			continue
		}
		if strings.ContainsAny(s, "@ /") || !strings.Contains(s, ".") {
			return nil, errors.New("signup: " + s + " is not an email domain")
		}
		d[s] = true
	}
	if len(d) == 0 {
		return nil, errors.New("signup: no email domains listed")
	}
	return d, nil
}

// Allows reports whether email's domain is listed exactly (a subdomain is
// not its parent: a.example.com is not example.com).
func (d Domains) Allows(email string) bool {
	at := strings.LastIndexByte(email, '@')
	if at <= 0 || at == len(email)-1 {
		return false
	}
	return d[strings.ToLower(strings.TrimSpace(email[at+1:]))]
}

// Handler is the PreSignUp trigger.
type Handler struct {
	domains Domains
	log     *slog.Logger
}

// New returns the trigger for domains.
func New(domains Domains, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.Default()
	}
	return &Handler{domains: domains, log: log}
}

// Handle lets self sign-up through only for a listed domain. Accounts an
// admin creates (AdminCreateUser: an invitation) pass whatever their
// domain: the admin chose them.
func (h *Handler) Handle(ctx context.Context, ev events.CognitoEventUserPoolsPreSignup) (events.CognitoEventUserPoolsPreSignup, error) {
	if ev.TriggerSource == "PreSignUp_AdminCreateUser" {
		return ev, nil
	}
	email := ev.Request.UserAttributes["email"]
	if !h.domains.Allows(email) {
		at := strings.LastIndexByte(email, '@')
		h.log.InfoContext(ctx, "sign-up refused", "domain", email[at+1:], "trigger", ev.TriggerSource)
		return ev, ErrNotAllowed
	}
	return ev, nil
}
