package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// legalConfig is config.json's "legal", as the deployment writes it
// (infra/chatstack/legal.go): the pages, and the version to accept.
type legalConfig struct {
	Terms      string `json:"terms"`
	Privacy    string `json:"privacy"`
	Guidelines string `json:"guidelines"`
	Version    string `json:"version"`
}

// localLegal is the bundled pages (web/public/legal) and TERMS_VERSION,
// the variable the chat's service reads too ("" by default: nobody is asked).
func localLegal() legalConfig {
	return legalConfig{Terms: "/legal/terms.md", Privacy: "/legal/privacy.md", Guidelines: "/legal/guidelines.md", Version: os.Getenv(app.EnvTermsVersion)}
}

// liveConfig is config.json, whose terms version POST /dev/terms changes.
type liveConfig struct {
	mu  sync.Mutex
	cfg clientConfig
}

func (c *liveConfig) json() ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return json.Marshal(c.cfg)
}

func (c *liveConfig) setTermsVersion(v string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cfg.Legal.Version = v
}

// registerTerms serves the test hook POST /dev/terms?version=V: a new
// terms version, as a deployment with another termsVersion would publish
// (config.json and the service at once; everyone is asked again).
func registerTerms(web *webServer, svc *service.Chat) {
	web.mux.HandleFunc("POST /dev/terms", func(w http.ResponseWriter, r *http.Request) {
		v := r.URL.Query().Get("version")
		if v == "" || len(v) > 64 {
			http.Error(w, "version: 1 to 64 characters", http.StatusBadRequest)
			return
		}
		svc.SetTermsVersion(v)
		web.config.setTermsVersion(v)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"version": v})
	})
}

func describeTerms(out io.Writer, webURL string) {
	if v := os.Getenv(app.EnvTermsVersion); v != "" {
		fmt.Fprintf(out, "Terms: version %s must be accepted (new version: curl -X POST '%sdev/terms?version=2')\n", v, webURL)
	}
}
