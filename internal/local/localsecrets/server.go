// Package localsecrets is a Secrets Manager stand-in for the tests: the
// real SDK client (AWS JSON 1.1, X-Amz-Target secretsmanager.<Op>) talks
// to it, pointed at with AWS_ENDPOINT_URL_SECRETS_MANAGER. It keeps the
// current version of each secret in memory and answers the calls the
// project makes: CreateSecret, GetSecretValue, PutSecretValue,
// DescribeSecret, DeleteSecret, with Secrets Manager's error types
// (ResourceNotFoundException, ResourceExistsException,
// InvalidRequestException for a secret scheduled for deletion,
// InvalidParameterException). A secret is named by its name or its ARN
// (name plus "-" and six random characters), as in AWS. Not kept:
// version stages beyond AWSCURRENT, rotation, resource policies,
// replication, tags.
package localsecrets

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Region and Account are those of the ARNs made.
const (
	Region  = "us-east-1"
	Account = "000000000000"
)

type secret struct {
	name, arn string
	str       *string
	bin       []byte
	version   string
	created   time.Time
	deleted   time.Time // scheduled for deletion
}

// Server is the stand-in.
type Server struct {
	mu      sync.Mutex
	secrets map[string]*secret // by name
	srv     *http.Server
	url     string
}

// New returns a stand-in to serve with ServeHTTP.
func New() *Server { return &Server{secrets: map[string]*secret{}} }

// Start serves a new stand-in on addr ("127.0.0.1:0" for a free port).
func Start(addr string) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("localsecrets: %w", err)
	}
	s := New()
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.url = "http://" + ln.Addr().String()
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// URL is the endpoint for AWS_ENDPOINT_URL_SECRETS_MANAGER.
func (s *Server) URL() string { return s.url }

// Close stops the server.
func (s *Server) Close() error {
	if s.srv == nil {
		return nil
	}
	return s.srv.Close()
}

type apiErr struct {
	status int
	typ    string
	msg    string
}

func notFound() *apiErr {
	return &apiErr{http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret."}
}

func invalidParam(format string, args ...any) *apiErr {
	return &apiErr{http.StatusBadRequest, "InvalidParameterException", fmt.Sprintf(format, args...)}
}

// ServeHTTP answers one JSON 1.1 call.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "secretsmanager.")
	if r.Method != http.MethodPost || !ok {
		writeErr(w, &apiErr{http.StatusBadRequest, "UnknownOperationException", "POST with X-Amz-Target secretsmanager.<Operation>"})
		return
	}
	var in struct {
		Name                       string
		SecretId                   string
		SecretString               *string
		SecretBinary               []byte
		ForceDeleteWithoutRecovery bool
		ClientRequestToken         string
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&in); err != nil {
		writeErr(w, &apiErr{http.StatusBadRequest, "SerializationException", err.Error()})
		return
	}
	if in.SecretString != nil && len(*in.SecretString) > 65536 || len(in.SecretBinary) > 65536 {
		writeErr(w, invalidParam("the secret value is over 65,536 bytes"))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out any
	var e *apiErr
	switch op {
	case "CreateSecret":
		out, e = s.create(in.Name, in.SecretString, in.SecretBinary, in.ClientRequestToken)
	case "GetSecretValue":
		out, e = s.get(in.SecretId)
	case "PutSecretValue":
		out, e = s.put(in.SecretId, in.SecretString, in.SecretBinary, in.ClientRequestToken)
	case "DescribeSecret":
		out, e = s.describe(in.SecretId)
	case "DeleteSecret":
		out, e = s.delete(in.SecretId, in.ForceDeleteWithoutRecovery)
	default:
		e = &apiErr{http.StatusBadRequest, "UnknownOperationException", "localsecrets does not implement " + op}
	}
	if e != nil {
		writeErr(w, e)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}

func writeErr(w http.ResponseWriter, e *apiErr) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": e.typ, "message": e.msg})
}

func randomSuffix() string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = letters[int(b[i])%len(letters)]
	}
	return string(b)
}

func newVersion(token string) string {
	if token != "" {
		return token
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// find resolves a name or an ARN.
func (s *Server) find(id string) (*secret, *apiErr) {
	if id == "" {
		return nil, invalidParam("SecretId is required")
	}
	if sec, ok := s.secrets[id]; ok {
		return sec, nil
	}
	for _, sec := range s.secrets {
		if sec.arn == id {
			return sec, nil
		}
	}
	return nil, notFound()
}

func (s *Server) create(name string, str *string, bin []byte, token string) (any, *apiErr) {
	if name == "" || len(name) > 512 {
		return nil, invalidParam("Name must be 1 to 512 characters")
	}
	if str != nil && bin != nil {
		return nil, invalidParam("You can't specify both a binary secret value and a string secret value in the same secret.")
	}
	if old, ok := s.secrets[name]; ok && !old.deleted.IsZero() {
		return nil, &apiErr{http.StatusBadRequest, "InvalidRequestException", "You can't create this secret because a secret with this name is already scheduled for deletion."}
	} else if ok {
		return nil, &apiErr{http.StatusBadRequest, "ResourceExistsException", fmt.Sprintf("The operation failed because the secret %s already exists.", name)}
	}
	sec := &secret{
		name: name, arn: fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:%s-%s", Region, Account, name, randomSuffix()),
		str: str, bin: bin, created: time.Now().UTC(),
	}
	out := map[string]any{"ARN": sec.arn, "Name": name}
	if str != nil || bin != nil {
		sec.version = newVersion(token)
		out["VersionId"] = sec.version
	}
	s.secrets[name] = sec
	return out, nil
}

func (s *Server) get(id string) (any, *apiErr) {
	sec, e := s.find(id)
	if e != nil {
		return nil, e
	}
	if !sec.deleted.IsZero() {
		return nil, &apiErr{http.StatusBadRequest, "InvalidRequestException", "You can't perform this operation on the secret because it was marked for deletion."}
	}
	if sec.version == "" {
		return nil, &apiErr{http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT"}
	}
	out := map[string]any{
		"ARN": sec.arn, "Name": sec.name, "VersionId": sec.version, "VersionStages": []string{"AWSCURRENT"},
		"CreatedDate": float64(sec.created.UnixMilli()) / 1000,
	}
	if sec.str != nil {
		out["SecretString"] = *sec.str
	} else {
		out["SecretBinary"] = sec.bin
	}
	return out, nil
}

func (s *Server) put(id string, str *string, bin []byte, token string) (any, *apiErr) {
	sec, e := s.find(id)
	if e != nil {
		return nil, e
	}
	if !sec.deleted.IsZero() {
		return nil, &apiErr{http.StatusBadRequest, "InvalidRequestException", "You can't perform this operation on the secret because it was marked for deletion."}
	}
	if (str == nil) == (bin == nil) {
		return nil, invalidParam("exactly one of SecretString and SecretBinary is required")
	}
	sec.str, sec.bin, sec.version = str, bin, newVersion(token)
	return map[string]any{"ARN": sec.arn, "Name": sec.name, "VersionId": sec.version, "VersionStages": []string{"AWSCURRENT"}}, nil
}

func (s *Server) describe(id string) (any, *apiErr) {
	sec, e := s.find(id)
	if e != nil {
		return nil, e
	}
	out := map[string]any{"ARN": sec.arn, "Name": sec.name, "CreatedDate": float64(sec.created.UnixMilli()) / 1000}
	if sec.version != "" {
		out["VersionIdsToStages"] = map[string][]string{sec.version: {"AWSCURRENT"}}
	}
	if !sec.deleted.IsZero() {
		out["DeletedDate"] = float64(sec.deleted.UnixMilli()) / 1000
	}
	return out, nil
}

func (s *Server) delete(id string, force bool) (any, *apiErr) {
	sec, e := s.find(id)
	if e != nil {
		return nil, e
	}
	now := time.Now().UTC()
	if force {
		delete(s.secrets, sec.name)
	} else {
		sec.deleted = now
	}
	return map[string]any{"ARN": sec.arn, "Name": sec.name, "DeletionDate": float64(now.UnixMilli()) / 1000}, nil
}
