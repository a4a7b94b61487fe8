package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/backchannel-chat/backchannel/internal/local/devstack"
)

// clientConfig is GET /config.json, what the web client needs to find the
// API and Cognito (see the wiring contract).
type clientConfig struct {
	WSURL   string        `json:"wsUrl"`
	Region  string        `json:"region"`
	Cognito cognitoConfig `json:"cognito"`
	Legal   legalConfig   `json:"legal"`
}

type cognitoConfig struct {
	Endpoint   string `json:"endpoint"`
	UserPoolID string `json:"userPoolId"`
	ClientID   string `json:"clientId"`
	// AuthFlow: USER_PASSWORD_AUTH here, since cognito-local cannot do SRP
	// (a deployment's config.json says USER_SRP_AUTH).
	AuthFlow  string     `json:"authFlow"`
	MFA       string     `json:"mfa"`              // the local pool's TOTP MFA is optional
	Domain    string     `json:"domain,omitempty"` // the hosted domain stand-in
	Providers []provider `json:"providers"`
}

type provider struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// webConfig: the browser calls Cognito's API directly. cognito-local answers
// CORS preflights itself (Access-Control-Allow-Origin: *), so no proxy.
// hostedDomain is the hosted domain stand-in's URL, "" without one.
func webConfig(stack *devstack.Stack, wsURL, hostedDomain string) clientConfig {
	cfg := clientConfig{
		WSURL:  wsURL,
		Region: stack.Region,
		Cognito: cognitoConfig{
			Endpoint:   strings.TrimRight(stack.Cognito.URL, "/") + "/",
			UserPoolID: stack.Resources.UserPoolID,
			ClientID:   stack.Resources.ClientID,
			AuthFlow:   "USER_PASSWORD_AUTH",
			MFA:        "optional",
			Providers:  []provider{},
		},
	}
	cfg.Legal = localLegal()
	if hostedDomain != "" {
		cfg.Cognito.Domain = hostedDomain
		cfg.Cognito.Providers = []provider{{ID: localProvider, Name: "the local provider"}}
	}
	return cfg
}

type webServer struct {
	mux    *http.ServeMux // more local pages register here (/dev/codes)
	config *liveConfig    // GET /config.json (terms.go changes its version)
	url    string
	dir    string
	srv    *http.Server
	failed chan error
}

func startWeb(port int, dir string, cfg clientConfig, events http.Handler) (*webServer, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return nil, fmt.Errorf("web server: %w (choose another with --port, or --port 0 for any free one)", err)
	}
	if _, err := json.Marshal(cfg); err != nil {
		return nil, err
	}
	live := &liveConfig{cfg: cfg}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /config.json", func(w http.ResponseWriter, _ *http.Request) {
		configJSON, err := live.json()
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(configJSON)
	})
	if events != nil {
		mux.Handle("GET /events", events) // the chat events published, newest last
	}
	mux.Handle("/", staticFiles(dir))
	s := &webServer{
		mux:    mux,
		config: live,
		url:    "http://" + ln.Addr().String() + "/",
		dir:    dir,
		srv:    &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second},
		failed: make(chan error, 1),
	}
	go func() {
		if err := s.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			s.failed <- fmt.Errorf("web server: %w", err)
		}
	}()
	return s, nil
}

// The web app manifest's type (Go's built-in table lacks it).
func init() { _ = mime.AddExtensionType(".webmanifest", "application/manifest+json") }

// staticFiles serves the built client, never cached (it changes under a
// developer's hands), and index.html for client-side routes. Without a
// build it says how to make one instead of a bare 404.
func staticFiles(dir string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if _, err := os.Stat(filepath.Join(dir, "index.html")); err != nil {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, "The web client is not built: no index.html in %s.\nBuild it (see README.md), or pass --web DIR.\n", dir)
			return
		}
		clean := path.Clean("/" + r.URL.Path)
		if path.Ext(clean) == "" {
			if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(clean))); err != nil {
				r.URL.Path = "/" // a client-side route
			}
		}
		files.ServeHTTP(w, r)
	})
}

func (s *webServer) Close() error { return s.srv.Close() }
