package signup

import (
	"context"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func TestDomains(t *testing.T) {
	d, err := ParseDomains(" Example.com, corp.example ")
	if err != nil {
		t.Fatal(err)
	}
	for email, want := range map[string]bool{
		"ada@example.com": true, "Ada@EXAMPLE.COM": true, "bo@corp.example": true,
		"eve@evil.com": false, "eve@example.com.evil.com": false, "eve@a.example.com": false,
		"eve@": false, "@example.com": false, "no-at": false, "eve@evil.com@example.com": true, // the last @ is Cognito's and ours
	} {
		if got := d.Allows(email); got != want {
			t.Errorf("Allows(%q) = %v, want %v", email, got, want)
		}
	}
	for _, bad := range []string{"", " , ", "a@b.com", "localhost", "exa mple.com"} {
		if _, err := ParseDomains(bad); err == nil {
			t.Errorf("ParseDomains(%q) accepted", bad)
		}
	}
}

func TestPreSignUp(t *testing.T) {
	d, _ := ParseDomains("example.com")
	h := New(d, nil)
	ev := func(source, email string) events.CognitoEventUserPoolsPreSignup {
		var e events.CognitoEventUserPoolsPreSignup
		e.TriggerSource = source
		e.Request.UserAttributes = map[string]string{"email": email}
		return e
	}
	if _, err := h.Handle(context.Background(), ev("PreSignUp_SignUp", "ada@example.com")); err != nil {
		t.Errorf("listed domain refused: %v", err)
	}
	if _, err := h.Handle(context.Background(), ev("PreSignUp_SignUp", "eve@evil.com")); err != ErrNotAllowed {
		t.Errorf("other domain: %v, want ErrNotAllowed", err)
	}
	if _, err := h.Handle(context.Background(), ev("PreSignUp_ExternalProvider", "eve@evil.com")); err != ErrNotAllowed {
		t.Errorf("external provider, other domain: %v, want ErrNotAllowed", err)
	}
	if _, err := h.Handle(context.Background(), ev("PreSignUp_AdminCreateUser", "guest@partner.org")); err != nil {
		t.Errorf("an invitation was refused: %v", err)
	}
}
