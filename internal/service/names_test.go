package service_test

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Display names refuse characters that hide or reorder text and are
// NFKC-normalised.
func TestDisplayNamesRefuseHiddenCharacters(t *testing.T) {
	cases := []struct {
		name, in, want string
		code           chat.Code
	}{
		{"plain", "Ada Lovelace", "Ada Lovelace", ""},
		{"fullwidth folds", "Ａｄａ", "Ada", ""},
		{"ligature folds", "ﬁona", "fiona", ""},
		{"zero-width space", "Ad\u200ba", "", chat.Invalid},
		{"zero-width joiner", "Ada\u200d", "", chat.Invalid},
		{"bidi override", "\u202eadA", "", chat.Invalid},
		{"bidi isolate", "Ada\u2066x", "", chat.Invalid},
		{"soft hyphen", "A\u00adda", "", chat.Invalid},
		{"private use", "Ada\ue000", "", chat.Invalid},
		{"supplementary private use", "Ada\U000F0000", "", chat.Invalid},
		{"control", "Ada\x07", "", chat.Invalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			alice := h.connect("alice", "a1")
			ev, err := h.svc.UpdateProfile(h.ctx, alice, protocol.UpdateProfileRequest{DisplayName: ptr(tc.in)})
			wantCode(t, err, tc.code)
			if tc.code == "" && ev.Profile.DisplayName != tc.want {
				t.Errorf("display name = %q, want %q", ev.Profile.DisplayName, tc.want)
			}
		})
	}
}

// Channel names are NFKC-normalised before the letters-and-digits rule,
// so fullwidth letters cannot pose as another channel's name, and
// invisible characters are refused.
func TestChannelNamesNormalised(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	_, err := h.svc.CreateChannel(h.ctx, alice, protocol.CreateChannelRequest{Name: "ｇｅｎｅｒａｌ"})
	wantCode(t, err, chat.Conflict)
	for _, in := range []string{"ops\u200b", "\u202eops", "ops\ue000"} {
		_, err := h.svc.CreateChannel(h.ctx, alice, protocol.CreateChannelRequest{Name: in})
		wantCode(t, err, chat.Invalid)
	}
	ev, err := h.svc.CreateChannel(h.ctx, alice, protocol.CreateChannelRequest{Name: "ＯＰＳ"})
	if err != nil || ev.Room.Name != "ops" {
		t.Fatalf("CreateChannel(ＯＰＳ) = %q, %v; want ops", ev.Room.Name, err)
	}
}

// A name from the token is cleaned rather than refused.
func TestSignInNameCleaned(t *testing.T) {
	h := newHarness(t)
	id := chat.Identity{UserID: "bo", Username: "bo", DisplayName: "B\u200bo\u202e"}
	if err := h.svc.Connect(h.ctx, chat.Connection{ID: "b1", Identity: id}); err != nil {
		t.Fatal(err)
	}
	p, err := h.store.GetProfile(h.ctx, "bo")
	if err != nil || p.DisplayName != "Bo" {
		t.Fatalf("profile name = %q, %v; want Bo", p.DisplayName, err)
	}
}
