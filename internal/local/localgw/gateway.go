package localgw

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Gateway is a local stand-in for one stage of an API Gateway WebSocket API.
type Gateway struct {
	cfg   Config
	log   *slog.Logger
	newID func() string // connection ids; replaced in tests to force '/' '+' '='

	mu      sync.Mutex
	conns   map[string]*conn
	closing bool
	addr    string // host:port once started
	srv     *http.Server
	served  chan struct{}

	// wg counts handshakes in progress and the goroutines of every
	// connection, so Close can wait for every $disconnect.
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

// New validates cfg and returns a Gateway that is not yet listening.
func New(cfg Config) (*Gateway, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Gateway{
		cfg:   cfg,
		log:   cfg.Logger.With("component", "localgw", "apiId", cfg.APIID, "stage", cfg.Stage),
		conns: make(map[string]*conn),
		newID: newConnectionID,
	}, nil
}

// Start listens on cfg.Addr and serves in the background.
func (g *Gateway) Start() error {
	if err := g.listen(); err != nil {
		return err
	}
	g.log.Info("local API Gateway listening", "url", g.URL(), "callbackUrl", g.CallbackURL())
	return nil
}

func (g *Gateway) listen() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.srv != nil || g.closing {
		return errors.New("localgw: gateway already started or closed")
	}
	ln, err := net.Listen("tcp", g.cfg.Addr)
	if err != nil {
		return fmt.Errorf("localgw: listen on %s: %w", g.cfg.Addr, err)
	}
	g.addr = ln.Addr().String()
	g.srv = &http.Server{
		Handler:           g,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(g.log.Handler(), slog.LevelWarn),
	}
	g.served = make(chan struct{})
	srv, served := g.srv, g.served
	go func() {
		defer close(served)
		_ = srv.Serve(ln) // returns http.ErrServerClosed after Close
	}()
	return nil
}

// URL is the WebSocket endpoint clients connect to: ws://127.0.0.1:port/stage.
func (g *Gateway) URL() string { return "ws://" + g.domainName() + "/" + g.cfg.Stage }

// CallbackURL is the management API base endpoint for the SDK
// (apigatewaymanagementapi BaseEndpoint, WS_CALLBACK_URL).
func (g *Gateway) CallbackURL() string { return "http://" + g.domainName() + "/" + g.cfg.Stage }

// APIID is the id used in events and the authorizer's methodArn.
func (g *Gateway) APIID() string { return g.cfg.APIID }

// Connections reports how many connections are open.
func (g *Gateway) Connections() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.conns)
}

// Close closes every connection with 1001 "Going away", waits until each
// one's $disconnect has run, then stops the listener. It is idempotent.
func (g *Gateway) Close() error {
	g.closeOnce.Do(func() {
		g.mu.Lock()
		g.closing = true
		open := make([]*conn, 0, len(g.conns))
		for _, c := range g.conns {
			open = append(open, c)
		}
		srv, served := g.srv, g.served
		g.mu.Unlock()

		for _, c := range open {
			c.closeWith(closeGoingAway, "Going away")
		}
		// The listener stays up meanwhile: $disconnect handlers may still
		// call the management API (for example to tell others).
		g.wg.Wait()
		if srv == nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			g.closeErr = errors.Join(err, srv.Close())
		}
		<-served
		g.log.Info("local API Gateway stopped")
	})
	return g.closeErr
}

// ServeHTTP serves the WebSocket endpoint at /{stage} and the management
// API at /{stage}/@connections/{connectionId}. The escaped path is used
// because connection ids contain '/' (sent as %2F).
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.EscapedPath()
	stagePath := "/" + g.cfg.Stage
	const connectionsPrefix = "/@connections/"
	switch {
	case path == stagePath || path == stagePath+"/":
		g.serveUpgrade(w, r)
	case strings.HasPrefix(path, stagePath+connectionsPrefix):
		g.serveManagement(w, r, strings.TrimPrefix(path, stagePath+connectionsPrefix))
	default:
		writeAWSError(w, http.StatusForbidden, "ForbiddenException", msgForbidden)
	}
}

// beginHandshake reserves a wg slot for a handshake unless the gateway is closing.
func (g *Gateway) beginHandshake() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closing {
		return false
	}
	g.wg.Add(1)
	return true
}

// register makes an established connection visible to the management API
// and reports whether the gateway is closing, in which case the caller
// closes the connection at once.
func (g *Gateway) register(c *conn) (closing bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.conns[c.id] = c
	return g.closing
}

func (g *Gateway) unregister(c *conn) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.conns[c.id] == c {
		delete(g.conns, c.id)
	}
}

// lookup returns an open connection, or nil if it is unknown or closing.
func (g *Gateway) lookup(id string) *conn {
	g.mu.Lock()
	c := g.conns[id]
	g.mu.Unlock()
	if c == nil || c.isClosing() {
		return nil
	}
	return c
}

func (g *Gateway) domainName() string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.addr
}

func (g *Gateway) port() string {
	_, port, _ := net.SplitHostPort(g.domainName())
	return port
}
