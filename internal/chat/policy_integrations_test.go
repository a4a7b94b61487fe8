package chat_test

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// The integrations' rows of the policy matrix (policy_integrations.go).
//
//	out mem own rmod wmod adm wmodOut admOut muted banned
func init() {
	manage := [10]string{F, F, y, F, F, y, F, y, F, F}
	matrix = append(matrix,
		matrixRow{action: chat.ActRegisterCommand, want: manage},
		matrixRow{action: chat.ActDeleteCommand, want: manage},
		matrixRow{action: chat.ActRegisterOutgoingWebhook, want: manage},
		matrixRow{action: chat.ActDeleteOutgoingWebhook, want: manage},
		matrixRow{action: chat.ActListCommands, want: [10]string{F, y, y, y, y, y, F, F, y, F}},
		matrixRow{action: chat.ActRunCommand, want: [10]string{F, y, y, y, y, y, F, F, F, F}},
	)
	adminActions = append(adminActions, chat.ActManageWorkspaceCommands)
}

// TestIntegrationsNotInDirectRooms: direct conversations have no commands
// or outgoing webhooks, even for an admin.
func TestIntegrationsNotInDirectRooms(t *testing.T) {
	direct := chat.Room{ID: "d_x", Kind: chat.KindDirect}
	for _, a := range []chat.Action{chat.ActRegisterCommand, chat.ActRegisterOutgoingWebhook} {
		err := chat.Authorize(a, chat.Access{Room: direct, Role: chat.RoleMember, Groups: []string{chat.GroupAdmins}})
		if chat.ErrorCode(err) != chat.Invalid {
			t.Errorf("%s in a direct room: %v, want invalid", a, err)
		}
	}
}

func TestCommandText(t *testing.T) {
	for text, want := range map[string][2]string{
		"/deploy prod now": {"deploy", "prod now"},
		"  /Deploy":        {"deploy", ""},
		"//not":            {"", ""},
		"no /deploy":       {"", ""},
		"/":                {"", ""},
	} {
		name, rest, ok := chat.ParseCommandText(text)
		if ok != (want[0] != "") || name != want[0] || rest != want[1] {
			t.Errorf("%q: %q %q %v, want %q %q", text, name, rest, ok, want[0], want[1])
		}
	}
	if _, err := chat.NormalizeCommand("/me"); chat.ErrorCode(err) != chat.Invalid {
		t.Errorf("/me is built in: %v", err)
	}
	if n, err := chat.NormalizeCommand("/Deploy"); err != nil || n != "deploy" {
		t.Errorf("/Deploy: %q %v", n, err)
	}
}

func TestOutgoingFires(t *testing.T) {
	hook := chat.Integration{Kind: chat.KindOutgoing, TriggerWords: []string{"deploy", "alert"}}
	for text, want := range map[string]bool{
		"please deploy now": true, "DEPLOY!": true, "(alert)": true,
		"deployment done": false, "nothing": false,
	} {
		if got := hook.Fires(text); got != want {
			t.Errorf("%q: %v, want %v", text, got, want)
		}
	}
	if !(chat.Integration{Kind: chat.KindOutgoing, AllMessages: true}).Fires("anything") {
		t.Error("all messages")
	}
	if (chat.Integration{Kind: chat.KindCommand, AllMessages: true}).Fires("anything") {
		t.Error("a command is not an outgoing webhook")
	}
}
