package chatstack

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskinesisvideo"
	"github.com/aws/jsii-runtime-go"
)

// Calls (issue #18): the actions function hands the calls' ICE servers out
// from one source (`-c iceServers=kvs|turn|none`, default kvs):
//
//   - kvs: one Kinesis Video Streams signalling channel
//     (AWS::KinesisVideo::SignalingChannel, SINGLE_MASTER) whose managed
//     TURN the function fetches (kinesisvideo:GetSignalingChannelEndpoint
//     and kinesisvideo:GetIceServerConfig on exactly that channel). It
//     bills 0.03 USD for each month it is active, plus TURN minutes used
//     (infra/cost/prices.json).
//   - turn: the deployer's STUN/TURN servers (turnUrls, stunUrls) with
//     TURN REST credentials; the shared secret is read from turnSecretArn
//     (the deployer's secret: GetSecretValue on exactly it) or derived
//     from the digest key (HKDF; needs mail, which creates that key). No
//     new secret either way (the idle budget).
//   - none: no servers: host candidates only (one network).
//
// Every way, the function may queue the incoming-call Web Push on the push
// queue (sqs:SendMessage on exactly it) and CALL_MAX_SIZE sizes the calls.
const (
	CtxICEServers    = "iceServers"    // kvs (default), turn or none
	CtxTURNURLs      = "turnUrls"      // with iceServers=turn: "turn:turn.example.org:3478?transport=udp,turns:turn.example.org:5349"
	CtxSTUNURLs      = "stunUrls"      // with iceServers=turn (optional): "stun:turn.example.org:3478"
	CtxTURNSecretArn = "turnSecretArn" // with iceServers=turn (optional): the TURN server's static-auth-secret (else derived from the digest key)
	CtxCallMaxSize   = "callMaxSize"   // people per call (default 6, 2..16)
)

// ICE sources.
const (
	ICEServersKVS  = "kvs"
	ICEServersTURN = "turn"
	ICEServersNone = "none"
)

// CallProps configure calls.
type CallProps struct {
	// ICEServers is kvs (default), turn or none.
	ICEServers string
	// TURNURLs and STUNURLs: the deployer's servers (turn).
	TURNURLs, STUNURLs []string
	// TURNSecretArn: a Secrets Manager secret (full ARN) holding the TURN
	// server's static-auth-secret; empty derives it from the digest key.
	TURNSecretArn string
	// MaxSize is how many people a call holds (0: the service's 6).
	MaxSize float64
}

// KVSChannelActions are exactly what the actions function may do with the
// signalling channel.
var KVSChannelActions = []string{"kinesisvideo:GetIceServerConfig", "kinesisvideo:GetSignalingChannelEndpoint"}

func callPropsFromContext(r *contextReader) CallProps {
	split := func(v string) []string {
		var out []string
		for _, u := range strings.Split(v, ",") {
			if u = strings.TrimSpace(u); u != "" {
				out = append(out, u)
			}
		}
		return out
	}
	return CallProps{ICEServers: r.str(CtxICEServers), TURNURLs: split(r.str(CtxTURNURLs)), STUNURLs: split(r.str(CtxSTUNURLs)),
		TURNSecretArn: r.str(CtxTURNSecretArn), MaxSize: r.number(CtxCallMaxSize)}
}

func (c CallProps) source() string {
	if c.ICEServers == "" {
		return ICEServersKVS
	}
	return c.ICEServers
}

func (c CallProps) validate(digest bool) []error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	switch c.source() {
	case ICEServersKVS, ICEServersNone:
		if len(c.TURNURLs) > 0 || len(c.STUNURLs) > 0 || c.TURNSecretArn != "" {
			bad("turnUrls, stunUrls and turnSecretArn go with iceServers=turn")
		}
	case ICEServersTURN:
		if len(c.TURNURLs) == 0 {
			bad("iceServers=turn needs turnUrls (turn: or turns: URLs)")
		}
		for _, u := range c.TURNURLs {
			if !strings.HasPrefix(u, "turn:") && !strings.HasPrefix(u, "turns:") || strings.ContainsAny(u, " \t") {
				bad("turnUrls: %q is not a turn: or turns: URL", u)
			}
		}
		for _, u := range c.STUNURLs {
			if !strings.HasPrefix(u, "stun:") && !strings.HasPrefix(u, "stuns:") || strings.ContainsAny(u, " \t") {
				bad("stunUrls: %q is not a stun: URL", u)
			}
		}
		if c.TURNSecretArn != "" && !validGifSecretArn(c.TURNSecretArn) {
			bad("turnSecretArn must be a Secrets Manager secret's full ARN, got %q", c.TURNSecretArn)
		}
		if c.TURNSecretArn == "" && !digest {
			bad("iceServers=turn needs turnSecretArn, or mailFrom (whose digest key the TURN secret is derived from)")
		}
	default:
		bad("iceServers must be kvs, turn or none, got %q", c.ICEServers)
	}
	if c.MaxSize != 0 && (c.MaxSize < 2 || c.MaxSize > 16 || c.MaxSize != float64(int(c.MaxSize))) {
		bad("callMaxSize must be a whole number from 2 to 16, got %v", c.MaxSize)
	}
	return errs
}

// calls adds the actions function's ICE source (and the channel, for kvs),
// the ring push and the size.
func (b *builder) calls() {
	actions := b.fns["actions"]
	c := b.props.Calls
	env := func(k, v string) { actions.AddEnvironment(jsii.String(k), jsii.String(v), nil) }
	env("ICE_SERVERS", c.source())
	if c.MaxSize != 0 {
		env("CALL_MAX_SIZE", strconv.Itoa(int(c.MaxSize)))
	}
	actions.AddEnvironment(jsii.String("PUSH_QUEUE_URL"), b.pushQueue.QueueUrl(), nil)
	actions.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("sqs:SendMessage"),
		Resources: jsii.Strings(*b.pushQueue.QueueArn()),
	}))
	switch c.source() {
	case ICEServersKVS:
		channel := awskinesisvideo.NewCfnSignalingChannel(b.stack, jsii.String("CallsSignalingChannel"), &awskinesisvideo.CfnSignalingChannelProps{
			Type: jsii.String("SINGLE_MASTER"),
			// Signalling goes over the chat's WebSocket; the channel is
			// only for its managed TURN, so it keeps no messages long.
			MessageTtlSeconds: jsii.Number(5),
		})
		actions.AddEnvironment(jsii.String("KVS_CHANNEL_ARN"), channel.AttrArn(), nil)
		actions.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings(KVSChannelActions...),
			Resources: jsii.Strings(*channel.AttrArn()),
		}))
	case ICEServersTURN:
		env("TURN_URLS", strings.Join(c.TURNURLs, ","))
		if len(c.STUNURLs) > 0 {
			env("STUN_URLS", strings.Join(c.STUNURLs, ","))
		}
		secret := c.TURNSecretArn
		if secret != "" {
			env("TURN_SECRET_ARN", secret)
		} else {
			secret = *b.digest.key.SecretArn()
			actions.AddEnvironment(jsii.String("DIGEST_KEY_SECRET_ARN"), b.digest.key.SecretArn(), nil)
		}
		actions.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("secretsmanager:GetSecretValue"),
			Resources: jsii.Strings(secret),
		}))
	}
}
