package devstack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/backchannel-chat/backchannel/internal/local/cognitoext"
)

// Names are the resources provisioned in the stack. They are looked up by
// name, so they must be stable for data kept with --data to be found again.
type Names struct {
	Table     string
	UserPool  string
	AppClient string
	Bucket    string
}

// DefaultNames are the names `make dev` uses.
var DefaultNames = Names{
	Table:     "backchannel",
	UserPool:  "backchannel",
	AppClient: "backchannel-web",
	Bucket:    "backchannel-files",
}

// DefaultRegion is used when AWS_REGION is unset.
const DefaultRegion = "us-east-1"

// Options configures Start.
type Options struct {
	Root      string    // repository root; "" finds it from the working directory
	DataDir   string    // keep emulator data here between runs; "" uses a temporary directory removed by Close
	Progress  io.Writer // first-run fetches; nil discards
	S3        bool      // also serve S3 (gofakes3 in-process)
	Provision bool      // ensure the table, user pool, app client, groups and bucket
	Names     Names     // empty fields take DefaultNames
	// CognitoStandIn puts internal/local/cognitoext in front of a
	// cognito-local this stack starts (make dev). Tests that need it start
	// their own, so that the endpoint they get stays cognito-local's (the
	// issuer of its tokens).
	CognitoStandIn bool
	// Getenv reads the endpoint overrides (AWS_ENDPOINT_URL and the
	// per-service AWS_ENDPOINT_URL_DYNAMODB, _COGNITO_IDENTITY_PROVIDER,
	// _S3), AWS_REGION, and existing resources (TABLE_NAME,
	// COGNITO_USER_POOL_ID, COGNITO_CLIENT_ID, COGNITO_ISSUER,
	// FILES_BUCKET). nil means os.Getenv.
	Getenv func(string) string
}

// Endpoint is where a service answers; External means it was given by the
// environment (LocalStack, AWS) rather than started here.
type Endpoint struct {
	URL      string
	External bool
}

// Resources are the provisioned (or given) resource ids.
type Resources struct {
	TableName  string
	UserPoolID string
	ClientID   string
	Issuer     string // the iss of the pool's ID tokens
	JWKSURL    string
	Bucket     string
}

// Stack is a running set of emulators (and the endpoints given instead).
type Stack struct {
	Region    string
	DynamoDB  Endpoint
	Cognito   Endpoint
	S3        Endpoint // zero unless Options.S3
	Resources Resources
	LogDir    string
	AWS       aws.Config // credentials and region for clients of this stack

	services   []*Service
	s3         *S3Server
	s3Data     string // where the in-process S3 is snapshotted on Close; "" keeps nothing
	cognitoDir string // cognito-local's data directory; "" when Cognito is external
	dummyKey   string // the dummy access key (= secret) clients use; "" for the SDK's usual chain
	// cognitoLocal is cognito-local's own URL (its tokens' issuer) when
	// Cognito.URL is the cognitoext stand-in in front of it.
	cognitoLocal string
	cognitoExt   *http.Server
	tempDir      string
	closeOnce    sync.Once
	closeErr     error
}

// Service endpoint variables the AWS SDK reads natively.
const (
	envEndpoint        = "AWS_ENDPOINT_URL"
	envEndpointDynamo  = "AWS_ENDPOINT_URL_DYNAMODB"
	envEndpointCognito = "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"
	envEndpointS3      = "AWS_ENDPOINT_URL_S3"
)

// Start starts every emulator that the environment does not replace with an
// endpoint of its own, waits until they answer and, if asked, provisions
// the resources. On error nothing is left running.
func Start(ctx context.Context, opts Options) (_ *Stack, err error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if opts.Root == "" {
		if opts.Root, err = RepoRoot(); err != nil {
			return nil, err
		}
	}
	s := &Stack{Region: firstNonEmpty(getenv("AWS_REGION"), DefaultRegion)}
	defer func() {
		if err != nil {
			err = errors.Join(err, s.Close())
		}
	}()

	dataDir := opts.DataDir
	if dataDir == "" {
		if s.tempDir, err = os.MkdirTemp("", "backchannel-stack-*"); err != nil {
			return nil, fmt.Errorf("devstack: temporary data directory: %w", err)
		}
		dataDir = s.tempDir
	} else if dataDir, err = filepath.Abs(dataDir); err != nil {
		return nil, fmt.Errorf("devstack: data directory: %w", err)
	}
	s.LogDir = filepath.Join(dataDir, "logs")

	external := func(name string) string { return firstNonEmpty(getenv(name), getenv(envEndpoint)) }
	s.DynamoDB = Endpoint{URL: external(envEndpointDynamo), External: external(envEndpointDynamo) != ""}
	// Cognito follows only its own variable: AWS_ENDPOINT_URL alone (say,
	// LocalStack's, whose free edition has no Cognito) keeps cognito-local.
	s.Cognito = Endpoint{URL: getenv(envEndpointCognito), External: getenv(envEndpointCognito) != ""}
	if opts.S3 {
		s.S3 = Endpoint{URL: external(envEndpointS3), External: external(envEndpointS3) != ""}
	}

	s.dummyKey = dummyCredentials(s, getenv)
	if err := s.startEmulators(ctx, opts, dataDir); err != nil {
		return nil, err
	}
	if s.AWS, err = s.loadAWSConfig(ctx); err != nil {
		return nil, err
	}
	if opts.Provision {
		if err := s.provision(ctx, withDefaults(opts.Names), getenv); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// startEmulators starts the JVM and Node children side by side (the JVM is
// the slow one) and gofakes3 in-process.
func (s *Stack) startEmulators(ctx context.Context, opts Options, dataDir string) error {
	var (
		wg                 sync.WaitGroup
		mu                 sync.Mutex
		errs               []error
		persistentDynamoDB string
	)
	if opts.DataDir != "" {
		persistentDynamoDB = filepath.Join(dataDir, "dynamodb")
	}
	start := func(f func() (*Service, error), into *Endpoint) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			svc, err := f()
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			s.services = append(s.services, svc)
			into.URL = svc.Endpoint
		}()
	}
	if !s.DynamoDB.External {
		start(func() (*Service, error) {
			return StartDynamoDBLocal(ctx, DynamoDBLocalOptions{
				Root: opts.Root, DataDir: persistentDynamoDB, LogDir: s.LogDir, Progress: opts.Progress,
			})
		}, &s.DynamoDB)
	}
	if !s.Cognito.External {
		s.cognitoDir = filepath.Join(dataDir, "cognito")
		start(func() (*Service, error) {
			return StartCognitoLocal(ctx, CognitoLocalOptions{
				Root: opts.Root, DataDir: filepath.Join(dataDir, "cognito"), LogDir: s.LogDir, Progress: opts.Progress,
			})
		}, &s.Cognito)
	}
	if opts.S3 && !s.S3.External {
		err := s.startS3(opts.DataDir != "", filepath.Join(dataDir, "s3"))
		mu.Lock()
		errs = append(errs, err) // nil is dropped by errors.Join
		mu.Unlock()
	}
	wg.Wait()
	if errors.Join(errs...) == nil && s.cognitoDir != "" && opts.CognitoStandIn {
		errs = append(errs, s.startCognitoExt())
	}
	return errors.Join(errs...)
}

// startCognitoExt puts the cognitoext stand-in (AdminUserGlobalSignOut,
// disabled users refused) in front of cognito-local: every client, the
// browser included, talks to it; tokens keep cognito-local's issuer.
func (s *Stack) startCognitoExt() error {
	ext, err := cognitoext.New(s.Cognito.URL)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("devstack: cognito stand-in: %w", err)
	}
	s.cognitoExt = &http.Server{Handler: ext, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.cognitoExt.Serve(ln) }()
	s.cognitoLocal, s.Cognito.URL = s.Cognito.URL, "http://"+ln.Addr().String()
	return nil
}

// startS3 serves S3 in-process; with persistent data it restores the last
// snapshot and saves one on Close.
func (s *Stack) startS3(persistent bool, dir string) error {
	srv, err := StartS3()
	if err != nil {
		return err
	}
	s.s3, s.S3.URL = srv, srv.Endpoint
	if !persistent {
		return nil
	}
	if err := srv.LoadSnapshot(dir); err != nil {
		return err // and never save over the snapshot we could not read
	}
	s.s3Data = dir
	return nil
}

// anyExternal reports whether some service is not an emulator of ours.
func (s *Stack) anyExternal() bool {
	return s.DynamoDB.External || s.Cognito.External || s.S3.External
}

// dummyCredentials: against emulators only, fixed dummy credentials
// ("local"), so real ones are never sent anywhere and a machine without any
// works. With external endpoints all on this machine (LocalStack) and no
// credentials configured, LocalStack's dummy ones ("test", the only secret
// its S3 accepts presigned URLs for). Otherwise (an account) the SDK's
// usual chain.
func dummyCredentials(s *Stack, getenv func(string) string) string {
	if !s.anyExternal() {
		return StandInAccessKey
	}
	for _, e := range []Endpoint{s.DynamoDB, s.Cognito, s.S3} {
		if e.External && !isLoopback(e.URL) {
			return ""
		}
	}
	if getenv("AWS_ACCESS_KEY_ID") != "" || getenv("AWS_PROFILE") != "" {
		return ""
	}
	return LocalStackAccessKey
}

// isLoopback reports an endpoint on this machine.
func isLoopback(endpoint string) bool {
	u, err := url.Parse(endpoint)
	if err != nil {
		return false
	}
	switch u.Hostname() {
	case "127.0.0.1", "localhost", "::1":
		return true
	}
	return false
}

// loadAWSConfig uses the dummy credentials when there are some.
func (s *Stack) loadAWSConfig(ctx context.Context) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{config.WithRegion(s.Region)}
	if s.dummyKey != "" {
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(s.dummyKey, s.dummyKey, "")))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("devstack: AWS configuration: %w", err)
	}
	return cfg, nil
}

// DynamoDBClient is a client of the stack's DynamoDB.
func (s *Stack) DynamoDBClient() *dynamodb.Client {
	return dynamodb.NewFromConfig(s.AWS, func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(s.DynamoDB.URL) })
}

// CognitoClient is a client of the stack's Cognito user pools API.
func (s *Stack) CognitoClient() *cip.Client {
	return cip.NewFromConfig(s.AWS, func(o *cip.Options) { o.BaseEndpoint = aws.String(s.Cognito.URL) })
}

// S3Client is a path-style client of the stack's S3.
func (s *Stack) S3Client() *s3.Client {
	return s3.NewFromConfig(s.AWS, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(s.S3.URL)
		o.UsePathStyle = true
	})
}

func (s *Stack) provision(ctx context.Context, names Names, getenv func(string) string) error {
	r := Resources{
		TableName:  firstNonEmpty(getenv("TABLE_NAME"), names.Table),
		UserPoolID: getenv("COGNITO_USER_POOL_ID"),
		ClientID:   getenv("COGNITO_CLIENT_ID"),
		Bucket:     firstNonEmpty(getenv("FILES_BUCKET"), names.Bucket),
	}
	if err := EnsureTable(ctx, s.DynamoDBClient(), r.TableName); err != nil {
		return err
	}
	switch {
	case r.UserPoolID != "" && r.ClientID != "":
		// given: used as is
	case r.UserPoolID != "" || r.ClientID != "":
		return errors.New("devstack: set both COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID, or neither")
	default:
		pool, err := EnsureUserPool(ctx, s.CognitoClient(), names.UserPool, names.AppClient)
		if err != nil {
			return err
		}
		r.UserPoolID, r.ClientID = pool.ID, pool.ClientID
	}
	r.Issuer = firstNonEmpty(getenv("COGNITO_ISSUER"), Issuer(firstNonEmpty(s.cognitoLocal, s.Cognito.URL), s.Region, r.UserPoolID))
	r.JWKSURL = firstNonEmpty(getenv("COGNITO_JWKS_URL"), r.Issuer+"/.well-known/jwks.json")
	if s.S3.URL != "" {
		if err := EnsureBucket(ctx, s.S3Client(), r.Bucket); err != nil {
			return err
		}
		// Versioned as in AWS: a message's attachment is served by the
		// version checked at send (docs/ARCHITECTURE.md "Pinned uploads").
		if err := EnsureVersioning(ctx, s.S3Client(), r.Bucket); err != nil {
			return err
		}
		// The browser PUTs to presigned URLs from the dev server's origin;
		// the in-process S3 allows any origin, an external one needs CORS.
		if s.S3.External && isLoopback(s.S3.URL) {
			if err := EnsureLocalCORS(ctx, s.S3Client(), r.Bucket); err != nil {
				return err
			}
		}
	}
	s.Resources = r
	return nil
}

// Issuer is the iss claim of a pool's ID tokens: Cognito's public URL for
// the pool on AWS, the endpoint itself elsewhere (cognito-local signs with
// http://host:port/poolId).
func Issuer(endpoint, region, poolID string) string {
	if u, err := url.Parse(endpoint); err == nil && strings.HasSuffix(u.Hostname(), ".amazonaws.com") {
		return "https://cognito-idp." + region + ".amazonaws.com/" + poolID
	}
	return strings.TrimRight(endpoint, "/") + "/" + poolID
}

// SDKEnv is the environment an AWS SDK client needs to reach this stack:
// region, endpoints and, against emulators only, dummy credentials.
func (s *Stack) SDKEnv() []string {
	env := []string{"AWS_REGION=" + s.Region}
	if s.dummyKey != "" {
		env = append(env, "AWS_ACCESS_KEY_ID="+s.dummyKey, "AWS_SECRET_ACCESS_KEY="+s.dummyKey, "AWS_SESSION_TOKEN=")
	}
	env = append(env, envEndpointDynamo+"="+s.DynamoDB.URL, envEndpointCognito+"="+s.Cognito.URL)
	if s.S3.URL != "" {
		env = append(env, envEndpointS3+"="+s.S3.URL, "S3_USE_PATH_STYLE=true")
	}
	return env
}

// AppEnv is SDKEnv plus the chat's own variables for the provisioned
// resources (see the wiring contract), all but WS_CALLBACK_URL.
func (s *Stack) AppEnv() []string {
	r := s.Resources
	return append(s.SDKEnv(),
		"TABLE_NAME="+r.TableName,
		"FILES_BUCKET="+r.Bucket,
		"COGNITO_ISSUER="+r.Issuer,
		"COGNITO_CLIENT_ID="+r.ClientID,
		"COGNITO_JWKS_URL="+r.JWKSURL,
		"USER_POOL_ID="+r.UserPoolID,
	)
}

// PIDs are the process ids (and process group ids) of the emulator children.
func (s *Stack) PIDs() map[string]int {
	pids := make(map[string]int, len(s.services))
	for _, svc := range s.services {
		pids[svc.Name] = svc.Process.PID()
	}
	return pids
}

// LogPaths are the log files of the emulator children, by name.
func (s *Stack) LogPaths() map[string]string {
	paths := make(map[string]string, len(s.services))
	for _, svc := range s.services {
		paths[svc.Name] = svc.LogPath
	}
	return paths
}

// Close stops every child, the in-process S3, and removes temporary data.
// It is idempotent.
func (s *Stack) Close() error {
	s.closeOnce.Do(func() {
		var errs []error
		if s.cognitoExt != nil {
			errs = append(errs, s.cognitoExt.Close())
		}
		for _, svc := range s.services {
			errs = append(errs, svc.Stop())
		}
		if s.s3 != nil && s.s3Data != "" {
			errs = append(errs, s.s3.SaveSnapshot(s.s3Data))
		}
		errs = append(errs, s.s3.Close())
		if s.tempDir != "" {
			errs = append(errs, os.RemoveAll(s.tempDir))
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

func withDefaults(n Names) Names {
	n.Table = firstNonEmpty(n.Table, DefaultNames.Table)
	n.UserPool = firstNonEmpty(n.UserPool, DefaultNames.UserPool)
	n.AppClient = firstNonEmpty(n.AppClient, DefaultNames.AppClient)
	n.Bucket = firstNonEmpty(n.Bucket, DefaultNames.Bucket)
	return n
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}
