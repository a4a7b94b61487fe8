package service_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// connectAs signs in a person with the given display name and email.
func (h *harness) connectAs(userID, connID, displayName, email string) chat.Connection {
	h.t.Helper()
	id := chat.Identity{UserID: userID, Username: userID, DisplayName: displayName, Email: email}
	if err := h.svc.Connect(h.ctx, chat.Connection{ID: connID, Identity: id}); err != nil {
		h.t.Fatalf("Connect(%s): %v", userID, err)
	}
	c, err := h.svc.Connection(h.ctx, connID)
	if err != nil {
		h.t.Fatal(err)
	}
	return c
}

func (h *harness) handleOf(userID string) string {
	h.t.Helper()
	p, err := h.store.GetProfile(h.ctx, userID)
	if err != nil {
		h.t.Fatal(err)
	}
	return p.Handle
}

func TestSignUpDerivesAUniqueHandle(t *testing.T) {
	h := newHarness(t)
	h.connectAs("u1", "c1", "Bo Berg", "bo@example.com")
	h.connectAs("u2", "c2", "Bo  Berg", "other@example.com")
	h.connectAs("u3", "c3", "Zoë Ångström", "z@example.com")
	h.connectAs("u4", "c4", "東京", "tokyo.fan@example.com")
	h.connectAs("u5", "c5", "Admin", "x@example.com")
	for id, want := range map[string]string{"u1": "bo.berg", "u2": "bo.berg2", "u3": "zoe.angstrom", "u4": "tokyo.fan", "u5": "admin1"} {
		if got := h.handleOf(id); got != want {
			t.Errorf("%s: handle %q, want %q", id, got, want)
		}
	}
	// Reconnecting keeps the handle.
	h.connectAs("u2", "c2b", "Bo Berg", "other@example.com")
	if got := h.handleOf("u2"); got != "bo.berg2" {
		t.Errorf("after reconnect: %q", got)
	}
}

func TestExistingUserWithoutHandleGetsOneOnConnect(t *testing.T) {
	h := newHarness(t)
	// A profile from before handles: EnsureProfile stores none.
	if _, _, err := h.store.EnsureProfile(h.ctx, chat.Profile{UserID: "old", Username: "old", DisplayName: "Old Timer"}); err != nil {
		t.Fatal(err)
	}
	if got := h.handleOf("old"); got != "" {
		t.Fatalf("precondition: handle %q", got)
	}
	h.connectAs("old", "c1", "Old Timer", "")
	if got := h.handleOf("old"); got != "old.timer" {
		t.Errorf("handle %q, want old.timer", got)
	}
}

func TestConnectSurvivesAHandleStoreFailure(t *testing.T) {
	h := newHarness(t)
	h.store.FailOn("SetHandle", errors.New("dynamo down"))
	h.connectAs("u1", "c1", "Bo", "")
	if got := h.handleOf("u1"); got != "" {
		t.Errorf("handle %q", got)
	}
	h.store.FailOn("SetHandle", nil)
	h.connectAs("u1", "c2", "Bo", "")
	if got := h.handleOf("u1"); got != "bo" {
		t.Errorf("next connect: handle %q, want bo", got)
	}
}

func TestChangeHandle(t *testing.T) {
	h := newHarness(t)
	ann := h.connectAs("ann", "a1", "Ann", "")
	bob := h.connectAs("bob", "b1", "Bob", "")
	cases := []struct {
		name, handle string
		code         chat.Code
		want         string // ann's handle afterwards
	}{
		{"rename", "@Ann.Lee", "", "ann.lee"},
		{"same again", "ann.lee", "", "ann.lee"},
		{"claim conflict", "BOB", chat.Conflict, "ann.lee"},
		{"reserved here", "here", chat.Invalid, "ann.lee"},
		{"reserved everyone", "@everyone", chat.Invalid, "ann.lee"},
		{"reserved channel", "channel", chat.Invalid, "ann.lee"},
		{"reserved admin", "Admin", chat.Invalid, "ann.lee"},
		{"too short", "a", chat.Invalid, "ann.lee"},
		{"too long", "abcdefghijabcdefghijabcdefghijk", chat.Invalid, "ann.lee"},
		{"space", "ann lee", chat.Invalid, "ann.lee"},
		{"ends with dot", "ann.", chat.Invalid, "ann.lee"},
		{"double separator", "ann..lee", chat.Invalid, "ann.lee"},
		{"starts with hyphen", "-ann", chat.Invalid, "ann.lee"},
		{"non-latin", "анна", chat.Invalid, "ann.lee"},
		{"NFKC fullwidth", "ＡＮＮＡ_1", "", "anna_1"},
		{"back to the old", "ann", "", "ann"},
	}
	for _, tc := range cases {
		_, err := h.svc.UpdateProfile(h.ctx, ann, protocol.UpdateProfileRequest{Handle: &tc.handle})
		if chat.ErrorCode(err) != tc.code {
			t.Errorf("%s: %q: error %v, want code %q", tc.name, tc.handle, err, tc.code)
		}
		if tc.code == chat.Conflict && !errors.Is(err, chat.ErrHandleTaken) {
			t.Errorf("%s: conflict %v is not ErrHandleTaken", tc.name, err)
		}
		if got := h.handleOf("ann"); got != tc.want {
			t.Errorf("%s: handle %q, want %q", tc.name, got, tc.want)
		}
	}
	// The handles ann held on the way are free again.
	for _, free := range []string{"ann.lee", "anna_1"} {
		if _, err := h.svc.UpdateProfile(h.ctx, bob, protocol.UpdateProfileRequest{Handle: &free}); err != nil {
			t.Errorf("bob claims released %q: %v", free, err)
		}
	}
}

func TestHandleChangeWithNameIsAllOrNothing(t *testing.T) {
	h := newHarness(t)
	ann := h.connectAs("ann", "a1", "Ann", "")
	h.connectAs("bob", "b1", "Bob", "")
	_, err := h.svc.UpdateProfile(h.ctx, ann, protocol.UpdateProfileRequest{Handle: ptr("bob"), DisplayName: ptr("Annie")})
	wantCode(t, err, chat.Conflict)
	p, _ := h.store.GetProfile(h.ctx, "ann")
	if p.DisplayName != "Ann" || p.Handle != "ann" {
		t.Errorf("refused change left %+v", p)
	}
	ev, err := h.svc.UpdateProfile(h.ctx, ann, protocol.UpdateProfileRequest{Handle: ptr("annie"), DisplayName: ptr("Annie")})
	if err != nil || ev.Profile.Handle != "annie" || ev.Profile.DisplayName != "Annie" {
		t.Fatalf("UpdateProfile = %+v, %v", ev.Profile, err)
	}
}

func TestMentionByHandle(t *testing.T) {
	h := newHarness(t)
	ann := h.connectAs("ann", "a1", "Ann Lee", "")
	h.connectAs("bob", "b1", "Robert Berg", "")
	if _, err := h.svc.UpdateProfile(h.ctx, ann, protocol.UpdateProfileRequest{Handle: ptr("annie.l")}); err != nil {
		t.Fatal(err)
	}
	bob, _ := h.svc.Connection(h.ctx, "b1")
	cases := []struct {
		text string
		want []string
	}{
		{"hi @annie.l, see this", []string{"ann"}},
		{"@ANNIE.L.", []string{"ann"}},
		{"@robert.berg lunch?", []string{"bob"}},
		{"old style @Ann Lee still works", []string{"ann"}},
		{"@annie.lx is nobody", nil},
	}
	for _, tc := range cases {
		m := h.send(bob, chat.GeneralRoomID, tc.text)
		got := m.Mentions
		if tc.want == nil && len(got) == 0 {
			continue
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q: mentions %v, want %v", tc.text, got, tc.want)
		}
	}
	// The old handle no longer mentions anyone.
	if _, err := h.svc.UpdateProfile(context.Background(), ann, protocol.UpdateProfileRequest{Handle: ptr("ann.lee")}); err != nil {
		t.Fatal(err)
	}
	if m := h.send(bob, chat.GeneralRoomID, "@annie.l?"); len(m.Mentions) != 0 {
		t.Errorf("old handle still mentions %v", m.Mentions)
	}
	if m := h.send(bob, chat.GeneralRoomID, "@ann.lee!"); !slices.Equal(m.Mentions, []string{"ann"}) {
		t.Errorf("new handle mentions %v", m.Mentions)
	}
}

func TestAdminSearchFindsPeopleByHandle(t *testing.T) {
	h, _, _, admin := peopleHarness(t)
	bo := h.connectAs("bo", "b1", "Bo", "bo@example.com")
	if _, err := h.svc.UpdateProfile(h.ctx, bo, protocol.UpdateProfileRequest{Handle: ptr("bo.berg")}); err != nil {
		t.Fatal(err)
	}
	list, err := h.svc.ListPeople(h.ctx, admin, protocol.ListPeopleRequest{Query: "@bo.be"})
	if err != nil || len(list.People) != 1 || list.People[0].UserID != "bo" || list.People[0].Handle != "bo.berg" {
		t.Fatalf("ListPeople(@bo.be) = %+v, %v", list.People, err)
	}
}

// A token without a name claim gives the placeholder name (the email's
// local part) and a handle made from it; the sign-up name the client then
// sends replaces both, once. A later rename, or a chosen handle, keeps the
// handle.
func TestSignUpNameReplacesAPlaceholderHandleOnce(t *testing.T) {
	h := newHarness(t)
	bo := h.connectAs("bo", "b1", "bo1-x7", "bo1-x7@example.com")
	if got := h.handleOf("bo"); got != "bo1.x7" {
		t.Fatalf("placeholder handle %q", got)
	}
	ev, err := h.svc.UpdateProfile(h.ctx, bo, protocol.UpdateProfileRequest{DisplayName: ptr("Bo Berg")})
	if err != nil || ev.Profile.Handle != "bo.berg" {
		t.Fatalf("after the sign-up name: %+v, %v", ev.Profile, err)
	}
	if _, err := h.svc.UpdateProfile(h.ctx, bo, protocol.UpdateProfileRequest{DisplayName: ptr("Robert Berg")}); err != nil {
		t.Fatal(err)
	}
	if got := h.handleOf("bo"); got != "bo.berg" {
		t.Errorf("a later rename moved the handle to %q", got)
	}
	// A token that carries the name: the handle never follows a rename.
	ann := h.connectAs("ann", "a1", "Ann Lee", "ann@example.com")
	if _, err := h.svc.UpdateProfile(h.ctx, ann, protocol.UpdateProfileRequest{DisplayName: ptr("Annie")}); err != nil {
		t.Fatal(err)
	}
	if got := h.handleOf("ann"); got != "ann.lee" {
		t.Errorf("ann's handle %q, want ann.lee", got)
	}
	// A chosen handle stays even on the first rename from a placeholder.
	cy := h.connectAs("cy", "c1", "cy", "cy@example.com")
	if _, err := h.svc.UpdateProfile(h.ctx, cy, protocol.UpdateProfileRequest{Handle: ptr("the.cy")}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.UpdateProfile(h.ctx, cy, protocol.UpdateProfileRequest{DisplayName: ptr("Cy Young")}); err != nil {
		t.Fatal(err)
	}
	if got := h.handleOf("cy"); got != "the.cy" {
		t.Errorf("cy's chosen handle became %q", got)
	}
}
