package iceservers

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/kinesisvideo"
	kvtypes "github.com/aws/aws-sdk-go-v2/service/kinesisvideo/types"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// EndpointAPI is the part of the Kinesis Video Streams control plane the
// KVS source calls (*kinesisvideo.Client).
type EndpointAPI interface {
	GetSignalingChannelEndpoint(ctx context.Context, in *kinesisvideo.GetSignalingChannelEndpointInput, optFns ...func(*kinesisvideo.Options)) (*kinesisvideo.GetSignalingChannelEndpointOutput, error)
}

// DefaultKVSMargin: the cached answer is used until this long before its
// credentials expire, so a browser never gets credentials about to lapse.
const DefaultKVSMargin = 90 * time.Second

// KVS hands out the managed TURN of a Kinesis Video Streams signalling
// channel: GetSignalingChannelEndpoint (protocol HTTPS, role Role) with the
// SDK client, then GetIceServerConfig on the channel's HTTPS endpoint: a
// SigV4-signed REST/JSON POST /v1/get-ice-server-config (service
// "kinesisvideo"), made here with the SDK's signer because the Go module
// proxy serves no version of service/kinesisvideosignaling. The answer
// (TURN URIs, username, password, TTL) is the same for every participant
// and is cached until Margin before its TTL; the endpoint is cached for
// the source's life (it is stable per channel and role).
type KVS struct {
	Control    EndpointAPI
	ChannelARN string
	// Role is "MASTER" (default) or "VIEWER".
	Role string
	// Credentials and Region sign GetIceServerConfig (aws.Config's).
	Credentials aws.CredentialsProvider
	Region      string
	HTTP        *http.Client
	Margin      time.Duration
	Now         func() time.Time

	mu       sync.Mutex
	endpoint string
	cached   []chat.ICEServer
	expires  time.Time
	// Fetches counts GetIceServerConfig calls (tests, logs).
	Fetches int
}

var _ chat.ICEServerSource = (*KVS)(nil)

// NewKVS is the KVS source over cfg (region, credentials, HTTP client and,
// through AWS_ENDPOINT_URL_KINESIS_VIDEO or cfg's base endpoint, where the
// control plane is).
func NewKVS(cfg aws.Config, channelARN, role string) (*KVS, error) {
	if err := CheckChannelARN(channelARN); err != nil {
		return nil, err
	}
	var hc *http.Client
	if c, ok := cfg.HTTPClient.(*http.Client); ok {
		hc = c
	}
	return &KVS{Control: kinesisvideo.NewFromConfig(cfg), ChannelARN: channelARN, Role: role,
		Credentials: cfg.Credentials, Region: cfg.Region, HTTP: hc}, nil
}

// CheckChannelARN checks a signalling channel's ARN
// (arn:<partition>:kinesisvideo:<region>:<account>:channel/<name>/<creation time>).
func CheckChannelARN(arn string) error {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "kinesisvideo" || parts[3] == "" || !strings.HasPrefix(parts[5], "channel/") {
		return fmt.Errorf("iceservers: %q is not a Kinesis Video Streams signalling channel ARN", arn)
	}
	return nil
}

func (k *KVS) now() time.Time {
	if k.Now != nil {
		return k.Now()
	}
	return time.Now()
}

func (k *KVS) ICEServers(ctx context.Context, _, _ string) ([]chat.ICEServer, time.Time, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	margin := k.Margin
	if margin <= 0 {
		margin = DefaultKVSMargin
	}
	now := k.now()
	if k.cached != nil && now.Before(k.expires.Add(-margin)) {
		return clone(k.cached), k.expires, nil
	}
	if k.endpoint == "" {
		ep, err := k.getEndpoint(ctx)
		if err != nil {
			return nil, time.Time{}, err
		}
		k.endpoint = ep
	}
	servers, ttl, err := k.getIceServerConfig(ctx, k.endpoint)
	if err != nil {
		return nil, time.Time{}, err
	}
	k.Fetches++
	// The channel's STUN server comes first (no credentials).
	region := strings.SplitN(k.ChannelARN, ":", 6)[3]
	out := append([]chat.ICEServer{{URLs: []string{"stun:stun.kinesisvideo." + region + ".amazonaws.com:443"}}}, servers...)
	k.cached, k.expires = out, now.Add(ttl).Truncate(time.Second).UTC()
	return clone(out), k.expires, nil
}

func clone(s []chat.ICEServer) []chat.ICEServer {
	out := make([]chat.ICEServer, len(s))
	for i, v := range s {
		v.URLs = append([]string(nil), v.URLs...)
		out[i] = v
	}
	return out
}

func (k *KVS) role() kvtypes.ChannelRole {
	if k.Role == string(kvtypes.ChannelRoleViewer) {
		return kvtypes.ChannelRoleViewer
	}
	return kvtypes.ChannelRoleMaster
}

func (k *KVS) getEndpoint(ctx context.Context) (string, error) {
	out, err := k.Control.GetSignalingChannelEndpoint(ctx, &kinesisvideo.GetSignalingChannelEndpointInput{
		ChannelARN: aws.String(k.ChannelARN),
		SingleMasterChannelEndpointConfiguration: &kvtypes.SingleMasterChannelEndpointConfiguration{
			Protocols: []kvtypes.ChannelProtocol{kvtypes.ChannelProtocolHttps}, Role: k.role(),
		},
	})
	if err != nil {
		return "", fmt.Errorf("iceservers: GetSignalingChannelEndpoint: %w", err)
	}
	for _, e := range out.ResourceEndpointList {
		if e.Protocol == kvtypes.ChannelProtocolHttps && aws.ToString(e.ResourceEndpoint) != "" {
			return strings.TrimRight(aws.ToString(e.ResourceEndpoint), "/"), nil
		}
	}
	return "", errors.New("iceservers: GetSignalingChannelEndpoint named no HTTPS endpoint")
}

// getIceServerConfigRequest and getIceServerConfigResponse are the
// Kinesis Video Signaling wire shapes (REST/JSON).
type getIceServerConfigRequest struct {
	ChannelARN string `json:"ChannelARN"`
	ClientID   string `json:"ClientId,omitempty"`
	Service    string `json:"Service"`
}

type getIceServerConfigResponse struct {
	IceServerList []struct {
		Password string   `json:"Password"`
		TTL      int      `json:"Ttl"`
		URIs     []string `json:"Uris"`
		Username string   `json:"Username"`
	} `json:"IceServerList"`
}

// getIceServerConfig calls GetIceServerConfig and returns the servers and
// the shortest TTL among them.
func (k *KVS) getIceServerConfig(ctx context.Context, endpoint string) ([]chat.ICEServer, time.Duration, error) {
	in := getIceServerConfigRequest{ChannelARN: k.ChannelARN, Service: "TURN"}
	if k.role() == kvtypes.ChannelRoleViewer {
		in.ClientID = "backchannel-server"
	}
	body, err := json.Marshal(in)
	if err != nil {
		return nil, 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+"/v1/get-ice-server-config", bytes.NewReader(body))
	if err != nil {
		return nil, 0, fmt.Errorf("iceservers: GetIceServerConfig: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	sum := sha256.Sum256(body)
	if k.Credentials == nil {
		return nil, 0, errors.New("iceservers: GetIceServerConfig: no AWS credentials")
	}
	creds, err := k.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("iceservers: GetIceServerConfig: credentials: %w", err)
	}
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "kinesisvideo", k.Region, k.now().UTC()); err != nil {
		return nil, 0, fmt.Errorf("iceservers: GetIceServerConfig: sign: %w", err)
	}
	hc := k.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 5 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, 0, fmt.Errorf("iceservers: GetIceServerConfig: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, 0, fmt.Errorf("iceservers: GetIceServerConfig: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(raw, &e)
		return nil, 0, fmt.Errorf("iceservers: GetIceServerConfig: %d %s %s", resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"), e.Message)
	}
	var out getIceServerConfigResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, 0, fmt.Errorf("iceservers: GetIceServerConfig: %w", err)
	}
	if len(out.IceServerList) == 0 {
		return nil, 0, errors.New("iceservers: GetIceServerConfig returned no servers")
	}
	var (
		servers []chat.ICEServer
		ttl     = time.Duration(-1)
	)
	for _, s := range out.IceServerList {
		servers = append(servers, chat.ICEServer{URLs: s.URIs, Username: s.Username, Credential: s.Password})
		if d := time.Duration(s.TTL) * time.Second; ttl < 0 || d < ttl {
			ttl = d
		}
	}
	if ttl <= 0 {
		return nil, 0, errors.New("iceservers: GetIceServerConfig returned credentials without a lifetime")
	}
	return servers, ttl, nil
}
