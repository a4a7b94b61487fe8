package devstack

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// S3Server is gofakes3 served in-process on its own loopback port. Clients
// must use path-style addressing (S3_USE_PATH_STYLE=true). It keeps objects
// in memory only.
type S3Server struct {
	Endpoint string // http://127.0.0.1:port
	Backend  *s3mem.Backend
	srv      *http.Server
	served   chan struct{}
}

// StartS3 starts gofakes3 on a free 127.0.0.1 port.
func StartS3() (*S3Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("devstack: listen for S3: %w", err)
	}
	backend := s3mem.New()
	// Local CORS is wide open so the browser can PUT to presigned URLs from
	// the dev server's origin; the deployed bucket's CORS is set in infra/.
	faker := gofakes3.New(backend, gofakes3.WithInsecureCORS())
	s := &S3Server{
		Endpoint: "http://" + ln.Addr().String(),
		Backend:  backend,
		srv:      &http.Server{Handler: faker.Server(), ReadHeaderTimeout: 10 * time.Second},
		served:   make(chan struct{}),
	}
	go func() {
		defer close(s.served)
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

// Close stops the server.
func (s *S3Server) Close() error {
	if s == nil {
		return nil
	}
	err := s.srv.Close()
	<-s.served
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
