package visitor

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"

	"math/bits"
	"strconv"
	"strings"
	"time"
)

// Proof of work: POST /widget/v1/{id}/challenge returns an HMAC-signed
// challenge (stateless); the client finds a nonce such that
// sha256(challenge + nonce) starts with Difficulty zero bits and sends
// both to /session. A challenge is good for ChallengeTTL; the session
// route marks it used in the store so it buys one session only.
const (
	DefaultDifficulty = 18 // ~260k hashes: well under a second in a browser
	MinDifficulty     = 8
	MaxDifficulty     = 28
	ChallengeTTL      = 5 * time.Minute
	MaxNonceLen       = 64
)

// Errors of CheckProof.
var (
	ErrBadChallenge     = errors.New("the challenge is not one of ours (or was altered)")
	ErrChallengeExpired = errors.New("the challenge expired: ask for a new one")
	ErrWeakProof        = errors.New("the nonce does not solve the challenge")
)

// Challenge is what the challenge route returns.
type Challenge struct {
	Challenge  string    `json:"challenge"`
	Difficulty int       `json:"difficulty"`
	ExpiresAt  time.Time `json:"expiresAt"`
}

// NewChallenge signs a challenge for widgetID: "v1.<wid>.<difficulty>.<exp>.<random>.<mac>".
func (k *Keys) NewChallenge(widgetID string, difficulty int, now time.Time) Challenge {
	if difficulty < MinDifficulty || difficulty > MaxDifficulty {
		difficulty = DefaultDifficulty
	}
	exp := now.Add(ChallengeTTL).Truncate(time.Second)
	r := make([]byte, 12)
	_, _ = rand.Read(r)
	body := strings.Join([]string{"v1", widgetID, strconv.Itoa(difficulty), strconv.FormatInt(exp.Unix(), 10), base64.RawURLEncoding.EncodeToString(r)}, ".")
	return Challenge{Challenge: body + "." + k.challengeMAC(body), Difficulty: difficulty, ExpiresAt: exp}
}

func (k *Keys) challengeMAC(body string) string {
	m := hmac.New(sha256.New, k.challenge)
	m.Write([]byte(body))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// CheckProof verifies the challenge's signature, widget and expiry and
// that nonce solves it. It returns the challenge's expiry (how long to
// remember it as used).
func (k *Keys) CheckProof(widgetID, challenge, nonce string, now time.Time) (time.Time, error) {
	parts := strings.Split(challenge, ".")
	if len(parts) != 6 || parts[0] != "v1" {
		return time.Time{}, ErrBadChallenge
	}
	body := strings.Join(parts[:5], ".")
	if !hmac.Equal([]byte(parts[5]), []byte(k.challengeMAC(body))) || parts[1] != widgetID {
		return time.Time{}, ErrBadChallenge
	}
	difficulty, err1 := strconv.Atoi(parts[2])
	expUnix, err2 := strconv.ParseInt(parts[3], 10, 64)
	if err1 != nil || err2 != nil {
		return time.Time{}, ErrBadChallenge
	}
	exp := time.Unix(expUnix, 0)
	if !now.Before(exp) {
		return time.Time{}, ErrChallengeExpired
	}
	if nonce == "" || len(nonce) > MaxNonceLen {
		return time.Time{}, ErrWeakProof
	}
	if LeadingZeroBits(challenge, nonce) < difficulty {
		return time.Time{}, ErrWeakProof
	}
	return exp, nil
}

// LeadingZeroBits counts the leading zero bits of sha256(challenge+nonce).
func LeadingZeroBits(challenge, nonce string) int {
	sum := sha256.Sum256([]byte(challenge + nonce))
	n := 0
	for _, b := range sum {
		if b == 0 {
			n += 8
			continue
		}
		n += bits.LeadingZeros8(b)
		break
	}
	return n
}

// Solve finds a nonce for a challenge (tests, scripts): the widget does
// the same in the browser.
func Solve(challenge string, difficulty int) string {
	for i := 0; ; i++ {
		nonce := strconv.Itoa(i)
		if LeadingZeroBits(challenge, nonce) >= difficulty {
			return nonce
		}
	}
}

// ChallengeID is a short stable name of a challenge for the store's
// used-once mark.
func ChallengeID(challenge string) string {
	sum := sha256.Sum256([]byte(challenge))
	return hex.EncodeToString(sum[:16])
}
