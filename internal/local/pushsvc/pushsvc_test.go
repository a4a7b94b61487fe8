package pushsvc_test

import (
	"context"
	"crypto/ecdh"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/local/pushsvc"
	"github.com/backchannel-chat/backchannel/internal/webpush"
)

func b64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDecryptRFC8291Example decrypts the example of RFC 8291 §5.
func TestDecryptRFC8291Example(t *testing.T) {
	priv, err := ecdh.P256().NewPrivateKey(b64(t, "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"))
	if err != nil {
		t.Fatal(err)
	}
	body := b64(t, "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN")
	got, err := pushsvc.Decrypt(priv, b64(t, "BTBZMqHH6r4Tts7J_aSIgg"), body)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "When I grow up, I want to be a watermelon" {
		t.Fatalf("plaintext = %q", got)
	}
}

func newSender(t *testing.T, svc *pushsvc.Server) *webpush.Sender {
	t.Helper()
	keys, err := webpush.GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	s, err := webpush.New(webpush.Config{Keys: keys, Subject: "mailto:ops@example.com", TTL: time.Hour, Client: svc.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestWebpushGoToStandIn: the real library's request is accepted, its
// VAPID JWT verified and its payload decrypted; 410 after Gone; a wrong
// key is refused.
func TestWebpushGoToStandIn(t *testing.T) {
	svc := pushsvc.Start()
	defer svc.Close()
	sender := newSender(t, svc)
	sub, err := svc.NewSubscription()
	if err != nil {
		t.Fatal(err)
	}
	cs := chat.PushSubscription{Endpoint: sub.Endpoint, P256dh: sub.P256dh, Auth: sub.Auth}
	if err := chat.ValidatePushSubscription(cs); err != nil {
		t.Fatalf("the stand-in's subscription does not validate: %v", err)
	}
	payload, _ := json.Marshal(webpush.Payload{V: 1, RoomID: "d1", Seq: 4, Room: "Ana", Sender: "Ana", Preview: "hi Bo", Tag: "d1"})
	code, err := sender.Send(context.Background(), cs, payload, webpush.UrgencyHigh, "d1")
	if err != nil || code != http.StatusCreated {
		t.Fatalf("Send = %d, %v; refused: %v", code, err, svc.Refused())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	msgs, err := svc.Wait(ctx, sub.Endpoint, 1)
	if err != nil {
		t.Fatal(err)
	}
	m := msgs[0]
	var got webpush.Payload
	if err := json.Unmarshal(m.Payload, &got); err != nil || got.Preview != "hi Bo" || got.Seq != 4 {
		t.Fatalf("payload %s: %v", m.Payload, err)
	}
	if m.TTL != 3600 || m.Urgency != "high" || m.Topic != "d1" || m.Subject != "mailto:ops@example.com" || m.Bytes != 1024 {
		t.Errorf("message = %+v", m)
	}
	svc.Gone(sub.Endpoint)
	if _, err := sender.Send(context.Background(), cs, payload, webpush.UrgencyHigh, "d1"); !errors.Is(err, webpush.ErrGone) {
		t.Fatalf("after Gone: %v, want ErrGone", err)
	}
	// Encrypted to other keys: the stand-in cannot decrypt and refuses.
	other, _ := svc.NewSubscription()
	wrong := chat.PushSubscription{Endpoint: other.Endpoint, P256dh: sub.P256dh, Auth: sub.Auth}
	if _, err := sender.Send(context.Background(), wrong, payload, "", "x"); !errors.Is(err, webpush.ErrRejected) {
		t.Fatalf("wrong keys: %v, want ErrRejected", err)
	}
	if r := svc.Refused(); len(r) != 1 || !strings.Contains(r[0], "decrypt") {
		t.Errorf("refused = %v", r)
	}
}

// TestVAPIDChecked: a request without VAPID, or for another origin, is 401.
func TestVAPIDChecked(t *testing.T) {
	svc := pushsvc.Start()
	defer svc.Close()
	sub, _ := svc.NewSubscription()
	req, _ := http.NewRequest("POST", sub.Endpoint, strings.NewReader("x"))
	req.Header.Set("TTL", "60")
	req.Header.Set("Content-Encoding", "aes128gcm")
	req.Header.Set("Authorization", "WebPush abc")
	resp, err := svc.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status = %d, want 401", resp.StatusCode)
	}
	// No TTL: 400.
	req, _ = http.NewRequest("POST", sub.Endpoint, strings.NewReader("x"))
	resp, err = svc.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("no TTL: status = %d, want 400", resp.StatusCode)
	}
}
