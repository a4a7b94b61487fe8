package outhook_test

import (
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/outhook"
)

var t0 = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func signed(secret string, at time.Time, body []byte) http.Header {
	h := http.Header{}
	outhook.Sign(h, secret, at, body)
	return h
}

// TestSignatureKnownVector pins the scheme (a receiver in another language
// must compute the same): HMAC-SHA256("s3cret", "1764504000.{}").
func TestSignatureKnownVector(t *testing.T) {
	got := outhook.Signature("s3cret", 1764504000, []byte("{}"))
	// python3 -c "import hmac,hashlib;print(hmac.new(b's3cret',b'1764504000.{}',hashlib.sha256).hexdigest())"
	const want = "v1=b58e6e723c53cd4adaaeb279b19649d3201a07cb938e272e0ca73c12618aa1d4"
	if got != want {
		t.Fatalf("signature %q, want %q", got, want)
	}
	if outhook.Signature("s3cret", 1764504001, []byte("{}")) == got {
		t.Fatal("the timestamp is not signed")
	}
}

func TestVerifyValid(t *testing.T) {
	body := []byte(`{"command":"/deploy","text":"prod"}`)
	h := signed("k1", t0, body)
	if h.Get(outhook.HeaderTimestamp) != strconv.FormatInt(t0.Unix(), 10) {
		t.Fatalf("timestamp header %q", h.Get(outhook.HeaderTimestamp))
	}
	for _, at := range []time.Time{t0, t0.Add(outhook.ReplayWindow), t0.Add(-outhook.ReplayWindow)} {
		if err := outhook.Verify("k1", h, body, at); err != nil {
			t.Errorf("verify at %v: %v", at.Sub(t0), err)
		}
	}
	// During a rotation the header may carry several signatures.
	h2 := signed("k2", t0, body)
	h.Set(outhook.HeaderSignature, h2.Get(outhook.HeaderSignature)+", "+h.Get(outhook.HeaderSignature))
	if err := outhook.Verify("k1", h, body, t0); err != nil {
		t.Errorf("verify with two signatures: %v", err)
	}
}

func TestVerifyForged(t *testing.T) {
	body := []byte(`{"text":"hi"}`)
	h := signed("k1", t0, body)
	cases := map[string]func() (string, http.Header, []byte){
		"wrong secret": func() (string, http.Header, []byte) { return "k2", h, body },
		"changed body": func() (string, http.Header, []byte) { return "k1", h, []byte(`{"text":"hI"}`) },
		"changed timestamp": func() (string, http.Header, []byte) {
			h2 := h.Clone()
			h2.Set(outhook.HeaderTimestamp, strconv.FormatInt(t0.Unix()+1, 10))
			return "k1", h2, body
		},
		"other version": func() (string, http.Header, []byte) {
			h2 := h.Clone()
			h2.Set(outhook.HeaderSignature, "v0="+h.Get(outhook.HeaderSignature)[3:])
			return "k1", h2, body
		},
	}
	for name, c := range cases {
		secret, hh, b := c()
		if err := outhook.Verify(secret, hh, b, t0); !errors.Is(err, outhook.ErrSignature) {
			t.Errorf("%s: %v, want ErrSignature", name, err)
		}
	}
	if err := outhook.Verify("k1", http.Header{}, body, t0); !errors.Is(err, outhook.ErrMissing) {
		t.Errorf("no headers: %v, want ErrMissing", err)
	}
	bad := h.Clone()
	bad.Set(outhook.HeaderTimestamp, "yesterday")
	if err := outhook.Verify("k1", bad, body, t0); !errors.Is(err, outhook.ErrMissing) {
		t.Errorf("bad timestamp: %v, want ErrMissing", err)
	}
}

// TestVerifyStaleOrReplayed: a request captured and replayed after the
// window (or one stamped in the future) is refused even with a valid
// signature.
func TestVerifyStaleOrReplayed(t *testing.T) {
	body := []byte(`{"text":"hi"}`)
	h := signed("k1", t0, body)
	for _, at := range []time.Time{t0.Add(outhook.ReplayWindow + time.Second), t0.Add(-outhook.ReplayWindow - time.Second), t0.Add(24 * time.Hour)} {
		if err := outhook.Verify("k1", h, body, at); !errors.Is(err, outhook.ErrStale) {
			t.Errorf("verify at %v: %v, want ErrStale", at.Sub(t0), err)
		}
	}
}
