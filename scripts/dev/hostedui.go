package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/backchannel-chat/backchannel/internal/local/devstack"
	"github.com/backchannel-chat/backchannel/internal/local/hostedui"
)

// localProvider is the identity_provider name of the local stand-in for an
// external provider (the sign-in screen's button).
const localProvider = "LocalIdP"

// hostedDomain is the local stand-in for the user pool's hosted domain
// (internal/local/hostedui): its OAuth endpoints with one external
// provider behind them, ending in real tokens of the local pool.
type hostedDomain struct {
	url string
	ui  *hostedui.Server
	srv *http.Server
}

// startHostedDomain serves the stand-in on a free port; nil when Cognito
// is given by the environment (the stand-in creates users in the pool).
func startHostedDomain(stack *devstack.Stack) (*hostedDomain, error) {
	if stack.Cognito.External {
		return nil, nil
	}
	idp := cip.NewFromConfig(stack.AWS, func(o *cip.Options) { o.BaseEndpoint = aws.String(stack.Cognito.URL) })
	ui, err := hostedui.New(hostedui.Config{Cognito: idp, PoolID: stack.Resources.UserPoolID, ClientID: stack.Resources.ClientID, Provider: localProvider})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("hosted domain stand-in: %w", err)
	}
	h := &hostedDomain{url: "http://" + ln.Addr().String(), ui: ui, srv: &http.Server{Handler: ui, ReadHeaderTimeout: 10 * time.Second}}
	go func() {
		if err := h.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Println("hosted domain stand-in:", err)
		}
	}()
	return h, nil
}

// Close stops the stand-in; a nil one is a no-op.
func (h *hostedDomain) Close() error {
	if h == nil {
		return nil
	}
	return h.srv.Close()
}
