package chatstack_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/infra/chatstack"
)

const turnSecretArn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:backchannel/turn-AbCdEf"

// kvsStatements are the template's statements naming a kinesisvideo action.
func kvsStatements(s *synthesized) []statement {
	var out []statement
	for _, st := range s.statements() {
		if slices.ContainsFunc(st.Actions, func(a string) bool { return strings.HasPrefix(a, "kinesisvideo:") }) {
			out = append(out, st)
		}
	}
	return out
}

// TestCallsKVSByDefault: the default stack has one signalling channel; the
// actions function (and nothing else) may GetSignalingChannelEndpoint and
// GetIceServerConfig on exactly that channel, and names it in its
// environment with ICE_SERVERS=kvs; it may queue the ring push on the push
// queue.
func TestCallsKVSByDefault(t *testing.T) {
	s := synth(t, cfgDefault)
	ch := s.one(t, "AWS::KinesisVideo::SignalingChannel", "CallsSignalingChannel")
	if render(ch.Props["Type"]) != "SINGLE_MASTER" {
		t.Errorf("channel %v", ch.Props)
	}
	fn := functionNamed(t, s, "actions")
	env, _ := get(fn.Props, "Environment", "Variables").(map[string]any)
	arn := "${" + ch.ID + ".Arn}"
	if render(env["ICE_SERVERS"]) != "kvs" || render(env["KVS_CHANNEL_ARN"]) != arn || env["CALL_MAX_SIZE"] != nil {
		t.Errorf("actions environment: ICE_SERVERS %s, KVS_CHANNEL_ARN %s, CALL_MAX_SIZE %v", render(env["ICE_SERVERS"]), render(env["KVS_CHANNEL_ARN"]), env["CALL_MAX_SIZE"])
	}
	if !strings.Contains(render(env["PUSH_QUEUE_URL"]), "PushQueue") {
		t.Errorf("actions PUSH_QUEUE_URL = %s", render(env["PUSH_QUEUE_URL"]))
	}
	grants := policyOf(t, s, fn)
	for _, a := range chatstack.KVSChannelActions {
		if !slices.Equal(grants[a], []string{arn}) {
			t.Errorf("actions may %s on %v, want exactly the channel", a, grants[a])
		}
	}
	if sends := grants["sqs:SendMessage"]; !slices.ContainsFunc(sends, func(r string) bool { return strings.Contains(r, "PushQueue") }) {
		t.Errorf("actions may SendMessage to %v, want the push queue among them", sends)
	}
	sts := kvsStatements(s)
	if len(sts) != 1 {
		t.Fatalf("kinesisvideo statements: %+v", sts)
	}
	acts := slices.Clone(sts[0].Actions)
	slices.Sort(acts)
	if !slices.Equal(acts, chatstack.KVSChannelActions) || !slices.Equal(sts[0].Resources, []string{arn}) || sts[0].Effect != "Allow" {
		t.Errorf("the kinesisvideo statement: %+v", sts[0])
	}
}

// TestCallsTURN: with iceServers=turn the function gets the deployer's
// URLs and secret (GetSecretValue on exactly it); no channel, no
// kinesisvideo grant.
func TestCallsTURN(t *testing.T) {
	s := synth(t, cfgGoogle)
	if n := len(s.resources("AWS::KinesisVideo::SignalingChannel")); n != 0 {
		t.Errorf("%d signalling channels with iceServers=turn", n)
	}
	fn := functionNamed(t, s, "actions")
	env, _ := get(fn.Props, "Environment", "Variables").(map[string]any)
	if render(env["ICE_SERVERS"]) != "turn" || render(env["TURN_URLS"]) != "turn:turn.example.org:3478?transport=udp,turns:turn.example.org:5349?transport=tcp" ||
		render(env["STUN_URLS"]) != "stun:turn.example.org:3478" || render(env["TURN_SECRET_ARN"]) != turnSecretArn || env["KVS_CHANNEL_ARN"] != nil {
		t.Errorf("actions environment %s", render(env))
	}
	if got := policyOf(t, s, fn)["secretsmanager:GetSecretValue"]; !slices.Equal(got, []string{turnSecretArn}) {
		t.Errorf("actions may GetSecretValue on %v, want exactly the TURN secret", got)
	}
	if sts := kvsStatements(s); len(sts) != 0 {
		t.Errorf("kinesisvideo grants with iceServers=turn: %+v", sts)
	}
}

// TestCallsNoneAndSize: iceServers=none has no channel and no grant; the
// full configuration sizes calls.
func TestCallsNoneAndSize(t *testing.T) {
	s := synth(t, cfgRestored)
	env, _ := get(functionNamed(t, s, "actions").Props, "Environment", "Variables").(map[string]any)
	if render(env["ICE_SERVERS"]) != "none" || len(s.resources("AWS::KinesisVideo::SignalingChannel")) != 0 || len(kvsStatements(s)) != 0 {
		t.Errorf("none: ICE_SERVERS %s, %d channels", render(env["ICE_SERVERS"]), len(s.resources("AWS::KinesisVideo::SignalingChannel")))
	}
	full := synth(t, cfgFull)
	env, _ = get(functionNamed(t, full, "actions").Props, "Environment", "Variables").(map[string]any)
	if render(env["CALL_MAX_SIZE"]) != "8" || render(env["ICE_SERVERS"]) != "kvs" {
		t.Errorf("full: CALL_MAX_SIZE %s, ICE_SERVERS %s", render(env["CALL_MAX_SIZE"]), render(env["ICE_SERVERS"]))
	}
}

// TestCallPropsValidate: a source needs what it uses, and nothing else.
func TestCallPropsValidate(t *testing.T) {
	for name, c := range map[string]struct {
		props chatstack.CallProps
		mail  bool
		ok    bool
	}{
		"kvs (default)":               {chatstack.CallProps{}, false, true},
		"none":                        {chatstack.CallProps{ICEServers: "none"}, false, true},
		"turn with a secret":          {chatstack.CallProps{ICEServers: "turn", TURNURLs: []string{"turn:t.example:3478"}, TURNSecretArn: turnSecretArn}, false, true},
		"turn from the digest key":    {chatstack.CallProps{ICEServers: "turn", TURNURLs: []string{"turns:t.example:5349"}}, true, true},
		"turn without a secret":       {chatstack.CallProps{ICEServers: "turn", TURNURLs: []string{"turn:t.example:3478"}}, false, false},
		"turn without urls":           {chatstack.CallProps{ICEServers: "turn", TURNSecretArn: turnSecretArn}, false, false},
		"turn with an http url":       {chatstack.CallProps{ICEServers: "turn", TURNURLs: []string{"https://t.example"}, TURNSecretArn: turnSecretArn}, false, false},
		"turn with a wildcard secret": {chatstack.CallProps{ICEServers: "turn", TURNURLs: []string{"turn:t"}, TURNSecretArn: "arn:aws:secretsmanager:eu-west-1:1:secret:*"}, false, false},
		"kvs with turn urls":          {chatstack.CallProps{TURNURLs: []string{"turn:t.example"}}, false, false},
		"an unknown source":           {chatstack.CallProps{ICEServers: "xirsys"}, false, false},
		"a call of one":               {chatstack.CallProps{MaxSize: 1}, false, false},
	} {
		p := chatstack.ChatStackProps{Calls: c.props}
		if c.mail {
			p.MailFrom = "Backchannel <chat@example.com>"
		}
		err := p.Validate()
		// Validate also checks other things (the functions' builds): only
		// the calls' refusals count here.
		callsRefused := err != nil && slices.ContainsFunc([]string{"iceServers", "turnUrls", "stunUrls", "turnSecretArn", "callMaxSize"},
			func(k string) bool { return strings.Contains(err.Error(), k) })
		if callsRefused == c.ok {
			t.Errorf("%s: %v", name, err)
		}
	}
}
