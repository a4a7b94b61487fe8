package devstack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/local/s3lifecycle"
	"github.com/backchannel-chat/backchannel/internal/local/s3notify"
)

// S3Server is gofakes3 served in-process on its own loopback port, behind
// S3Verifier (signatures checked as S3 does). Clients must use path-style
// addressing (S3_USE_PATH_STYLE=true) and the credentials StandInAccessKey
// (or LocalStack's "test"). It keeps objects in memory only.
type S3Server struct {
	Endpoint string // http://127.0.0.1:port
	Backend  *s3mem.Backend
	srv      *http.Server
	served   chan struct{}
	notifier *s3notify.Notifier
	// Lifecycle holds the object tags gofakes3 lacks and sweeps what the
	// files bucket's lifecycle rule expires: uploads still tagged pending
	// a day after (chat.PendingUploadTTL; issue 15).
	Lifecycle *s3lifecycle.Handler
	// onCreated receives the files bucket's object-created notifications,
	// as the thumbnail Lambda does in AWS; nil until OnObjectCreated.
	onCreated atomic.Pointer[s3notify.Target]
}

// OnObjectCreated sends every object created under chat.FilesPrefix to t,
// asynchronously, shaped as S3's notification to Lambda.
func (s *S3Server) OnObjectCreated(t s3notify.Target) { s.onCreated.Store(&t) }

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
		served:   make(chan struct{}),
	}
	notifier, err := s3notify.New(faker.Server(), s3notify.Config{
		Prefix: chat.FilesPrefix,
		Target: func(ctx context.Context, ev events.S3Event) error {
			if t := s.onCreated.Load(); t != nil {
				return (*t)(ctx, ev)
			}
			return nil
		},
	})
	if err != nil {
		return nil, errors.Join(err, ln.Close())
	}
	s.notifier = notifier
	// Signatures are checked as S3 does (s3sig.go), for the stand-in's
	// credentials and LocalStack's dummy ones.
	s.Lifecycle = s3lifecycle.New(notifier, func(bucket, key string) error {
		_, err := backend.DeleteObject(bucket, key)
		return err
	}, s3lifecycle.Rule{Key: chat.TagState, Value: chat.TagPending, After: chat.PendingUploadTTL})
	verifier := &S3Verifier{Next: s.Lifecycle, Secrets: map[string]string{
		StandInAccessKey:    StandInSecretKey,
		LocalStackAccessKey: LocalStackSecretKey,
	}}
	s.srv = &http.Server{Handler: verifier, ReadHeaderTimeout: 10 * time.Second}
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
	s.notifier.Close() // lets notifications in flight finish
	err := s.srv.Close()
	<-s.served
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// S3Lifecycle is the in-process S3's lifecycle (object tags and the
// pending-upload rule), or nil when S3 is external (LocalStack or AWS run
// their own lifecycle) or not started.
func (s *Stack) S3Lifecycle() *s3lifecycle.Handler {
	if s.s3 == nil {
		return nil
	}
	return s.s3.Lifecycle
}

// OnObjectCreated routes the in-process S3's object-created notifications
// to t; it reports false when S3 is external (LocalStack or AWS, which
// notify on their own) or not started.
func (s *Stack) OnObjectCreated(t s3notify.Target) bool {
	if s.s3 == nil {
		return false
	}
	s.s3.OnObjectCreated(t)
	return true
}
