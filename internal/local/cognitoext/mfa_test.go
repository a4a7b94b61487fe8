package cognitoext_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/backchannel-chat/backchannel/internal/local/cognitoext"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
)

// totp is RFC 6238 (HMAC-SHA1, 6 digits, 30 s steps) over a base32 secret,
// as an authenticator app computes it.
func totp(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(strings.TrimRight(secret, "=")))
	if err != nil {
		t.Fatalf("secret %q: %v", secret, err)
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(at.Unix()/30))
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	code := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", code%1_000_000)
}

// TestTOTPHelper checks the test's own TOTP against RFC 6238's SHA-1
// vectors (appendix B, 8 digits there: the last 6 are ours).
func TestTOTPHelper(t *testing.T) {
	secret := base32.StdEncoding.EncodeToString([]byte("12345678901234567890"))
	for at, want := range map[int64]string{59: "94287082", 1111111109: "07081804", 1234567890: "89005924", 2000000000: "69279037"} {
		if got := totp(t, secret, time.Unix(at, 0)); got != want[2:] {
			t.Errorf("T=%d: %s, want %s", at, got, want[2:])
		}
	}
}

// TestSoftwareTokenMFA: through the real SDK client and the stand-in, a
// user enrols an authenticator (AssociateSoftwareToken,
// VerifySoftwareToken, SetUserMFAPreference); signing in then asks for
// SOFTWARE_TOKEN_MFA, which a wrong code, a forged Session or a replayed
// Session cannot answer, and the right code with the right Session does,
// once.
func TestSoftwareTokenMFA(t *testing.T) {
	cfg := testenv.AWSConfig(t)
	pool := testenv.NewUserPool(t, cfg)
	ext, err := cognitoext.New(os.Getenv(testenv.EnvEndpointCognito))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(ext)
	t.Cleanup(srv.Close)
	idp := cip.NewFromConfig(cfg, func(o *cip.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	ctx := context.Background()
	const email, password = "mfa@example.com", "password-1"
	testenv.SignUp(t, cfg, pool, email, password, "Mia")

	signIn := func() *cip.InitiateAuthOutput {
		t.Helper()
		out, err := idp.InitiateAuth(ctx, &cip.InitiateAuthInput{
			ClientId: aws.String(pool.ClientID), AuthFlow: ciptypes.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": password},
		})
		if err != nil {
			t.Fatalf("sign in: %v", err)
		}
		return out
	}
	first := signIn()
	if first.AuthenticationResult == nil {
		t.Fatalf("before enrolling: challenge %q, want tokens", first.ChallengeName)
	}
	access := first.AuthenticationResult.AccessToken

	assoc, err := idp.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: access})
	if err != nil {
		t.Fatalf("AssociateSoftwareToken: %v", err)
	}
	secret := aws.ToString(assoc.SecretCode)
	if len(secret) < 16 {
		t.Fatalf("secret %q", secret)
	}
	wrong := func(code string) string { return fmt.Sprintf("%06d", (mustAtoi(t, code)+1)%1_000_000) }
	now := time.Now()
	var mismatch *ciptypes.CodeMismatchException
	if _, err := idp.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: access, UserCode: aws.String(wrong(totp(t, secret, now)))}); !errors.As(err, &mismatch) {
		t.Fatalf("VerifySoftwareToken with a wrong code: %v, want CodeMismatchException", err)
	}
	ver, err := idp.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: access, UserCode: aws.String(totp(t, secret, now)), FriendlyDeviceName: aws.String("phone")})
	if err != nil || ver.Status != ciptypes.VerifySoftwareTokenResponseTypeSuccess {
		t.Fatalf("VerifySoftwareToken: %v %v", ver, err)
	}
	if _, err := idp.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{
		AccessToken:              access,
		SoftwareTokenMfaSettings: &ciptypes.SoftwareTokenMfaSettingsType{Enabled: true, PreferredMfa: true},
	}); err != nil {
		t.Fatalf("SetUserMFAPreference: %v", err)
	}
	u, err := idp.GetUser(ctx, &cip.GetUserInput{AccessToken: access})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(u.UserMFASettingList, "SOFTWARE_TOKEN_MFA") || aws.ToString(u.PreferredMfaSetting) != "SOFTWARE_TOKEN_MFA" {
		t.Fatalf("GetUser: MFA %v preferred %q", u.UserMFASettingList, aws.ToString(u.PreferredMfaSetting))
	}

	ch := signIn()
	if ch.ChallengeName != ciptypes.ChallengeNameTypeSoftwareTokenMfa || aws.ToString(ch.Session) == "" || ch.AuthenticationResult != nil {
		t.Fatalf("after enrolling: challenge %q session %q, want SOFTWARE_TOKEN_MFA", ch.ChallengeName, aws.ToString(ch.Session))
	}
	answer := func(session, code string) (*cip.RespondToAuthChallengeOutput, error) {
		return idp.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
			ClientId: aws.String(pool.ClientID), ChallengeName: ciptypes.ChallengeNameTypeSoftwareTokenMfa, Session: aws.String(session),
			ChallengeResponses: map[string]string{"USERNAME": email, "SOFTWARE_TOKEN_MFA_CODE": code},
		})
	}
	var notAuth *ciptypes.NotAuthorizedException
	// The code alone, without the password's Session, is not enough.
	if _, err := answer("forged-session", totp(t, secret, time.Now())); !errors.As(err, &notAuth) {
		t.Fatalf("forged Session: %v, want NotAuthorizedException", err)
	}
	if _, err := answer(aws.ToString(ch.Session), wrong(totp(t, secret, time.Now()))); !errors.As(err, &mismatch) {
		t.Fatalf("wrong code: %v, want CodeMismatchException", err)
	}
	out, err := answer(aws.ToString(ch.Session), totp(t, secret, time.Now()))
	if err != nil {
		t.Fatalf("right code: %v", err)
	}
	if out.AuthenticationResult == nil || aws.ToString(out.AuthenticationResult.IdToken) == "" {
		t.Fatalf("right code: no tokens (challenge %q)", out.ChallengeName)
	}
	if _, err := answer(aws.ToString(ch.Session), totp(t, secret, time.Now())); !errors.As(err, &notAuth) {
		t.Fatalf("replayed Session: %v, want NotAuthorizedException", err)
	}

	// Another user's Session does not answer for this one.
	testenv.SignUp(t, cfg, pool, "other@example.com", password, "Oz")
	other := signIn() // Mia's challenge again
	if _, err := idp.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(pool.ClientID), ChallengeName: ciptypes.ChallengeNameTypeSoftwareTokenMfa, Session: other.Session,
		ChallengeResponses: map[string]string{"USERNAME": "other@example.com", "SOFTWARE_TOKEN_MFA_CODE": "000000"},
	}); !errors.As(err, &notAuth) {
		t.Fatalf("another user's Session: %v, want NotAuthorizedException", err)
	}
}

func mustAtoi(t *testing.T, s string) int {
	var n int
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil {
		t.Fatal(err)
	}
	return n
}
