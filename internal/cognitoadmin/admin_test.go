package cognitoadmin

import (
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

func attrs(kv ...string) []types.AttributeType {
	var out []types.AttributeType
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, types.AttributeType{Name: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

func TestPersonFromPoolUser(t *testing.T) {
	created := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	p := person("u-1", attrs("sub", "s-1", "email", "bo@example.com", "name", "Bo"), true, types.UserStatusTypeConfirmed, &created)
	if p != (chat.Person{UserID: "s-1", Username: "u-1", Email: "bo@example.com", DisplayName: "Bo", Status: chat.PersonActive, CreatedAt: created}) {
		t.Errorf("active: %+v", p)
	}
	if p := person("u-2", attrs("email", "cy@example.com"), true, types.UserStatusTypeForceChangePassword, nil); p.Status != chat.PersonInvited || p.DisplayName != "cy" {
		t.Errorf("invited: %+v", p)
	}
	if p := person("u-3", attrs("email", "eve@example.com"), false, types.UserStatusTypeConfirmed, nil); p.Status != chat.PersonDeactivated {
		t.Errorf("disabled: %+v", p)
	}
}

func TestClassify(t *testing.T) {
	for _, c := range []struct {
		err  error
		code chat.Code
	}{
		{&types.UserNotFoundException{}, chat.NotFound},
		{&types.UsernameExistsException{}, chat.Conflict},
		{&types.InvalidParameterException{}, chat.Invalid},
		{&types.TooManyRequestsException{}, chat.RateLimited},
		{errors.New("boom"), chat.Internal},
	} {
		if got := chat.ErrorCode(classify(c.err, "x")); got != c.code {
			t.Errorf("%T: %s, want %s", c.err, got, c.code)
		}
	}
}

func TestRoleOf(t *testing.T) {
	if roleOf(true, true) != chat.WorkspaceAdmin || roleOf(false, true) != chat.WorkspaceModerator || roleOf(false, false) != chat.WorkspaceMember {
		t.Error("roleOf")
	}
}
