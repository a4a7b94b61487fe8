// Package presignupapp wires the PreSignUp trigger (functions/presignup):
// the listed email domains and a logger. No AWS SDK.
package presignupapp

import (
	"fmt"
	"os"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/signup"
)

// Build wires the trigger from cfg.
func Build(cfg app.PreSignUpConfig) (*signup.Handler, error) {
	domains, err := signup.ParseDomains(cfg.Domains)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", app.EnvSignUpDomains, err)
	}
	return signup.New(domains, app.NewLogger(os.Stderr, cfg.LogLevel)), nil
}
