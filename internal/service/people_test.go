package service_test

import (
	"slices"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

func peopleHarness(t *testing.T) (*harness, *chattest.Directory, *chattest.Closer, chat.Connection) {
	t.Helper()
	dir := chattest.NewDirectory(
		chat.Person{UserID: "admin", Username: "admin", Email: "admin@example.com", DisplayName: "Admin", Role: chat.WorkspaceAdmin, Status: chat.PersonActive},
		chat.Person{UserID: "bo", Username: "bo", Email: "bo@example.com", DisplayName: "Bo", Role: chat.WorkspaceMember, Status: chat.PersonActive},
	)
	closer := &chattest.Closer{}
	h := newHarness(t, func(c *service.Config) { c.People, c.Closer = dir, closer })
	id := chat.Identity{UserID: "admin", Username: "admin", DisplayName: "Admin", Groups: []string{chat.GroupAdmins}}
	if err := h.svc.Connect(h.ctx, chat.Connection{ID: "adm1", Identity: id}); err != nil {
		t.Fatal(err)
	}
	admin, err := h.svc.Connection(h.ctx, "adm1")
	if err != nil {
		t.Fatal(err)
	}
	return h, dir, closer, admin
}

func TestDeactivateClosesEveryConnectionAndRefusesConnect(t *testing.T) {
	h, dir, closer, admin := peopleHarness(t)
	h.connect("bo", "b1")
	h.connect("bo", "b2")
	h.connect("bo", "b3")
	ev, err := h.svc.DeactivatePerson(h.ctx, admin, protocol.PersonRequest{Username: "bo"})
	if err != nil {
		t.Fatalf("DeactivatePerson: %v", err)
	}
	if ev.Person.Status != chat.PersonDeactivated {
		t.Errorf("status = %q", ev.Person.Status)
	}
	closed := closer.Closed()
	slices.Sort(closed)
	if !slices.Equal(closed, []string{"b1", "b2", "b3"}) {
		t.Errorf("closed = %v, want b1 b2 b3", closed)
	}
	if ids, _ := h.store.UserConnections(h.ctx, "bo"); len(ids) != 0 {
		t.Errorf("bo still has connections %v", ids)
	}
	if !slices.Contains(dir.Calls, "Deactivate bo") {
		t.Errorf("directory calls = %v, want Deactivate bo", dir.Calls)
	}
	err = h.svc.Connect(h.ctx, chat.Connection{ID: "b4", Identity: chat.Identity{UserID: "bo", Username: "bo"}})
	wantCode(t, err, chat.Forbidden)
	p, _ := h.store.GetProfile(h.ctx, "bo")
	if !p.Deactivated {
		t.Error("profile not marked deactivated")
	}
	// The audit log says who deactivated whom.
	if a := h.store.AuditEntries(); len(a) != 1 || a[0].Action != "deactivatePerson" || a[0].ActorID != "admin" || a[0].TargetID != "bo" || a[0].Detail != "3 connections closed" {
		t.Errorf("audit = %+v", a)
	}

	if _, err := h.svc.ReactivatePerson(h.ctx, admin, protocol.PersonRequest{Username: "bo"}); err != nil {
		t.Fatalf("ReactivatePerson: %v", err)
	}
	if err := h.svc.Connect(h.ctx, chat.Connection{ID: "b5", Identity: chat.Identity{UserID: "bo", Username: "bo"}}); err != nil {
		t.Fatalf("Connect after reactivation: %v", err)
	}
}

// A person who never connected gets a profile carrying the marker, so a
// token they still hold cannot open a connection either.
func TestDeactivateNeverConnected(t *testing.T) {
	h, _, _, admin := peopleHarness(t)
	if _, err := h.svc.DeactivatePerson(h.ctx, admin, protocol.PersonRequest{Username: "bo"}); err != nil {
		t.Fatalf("DeactivatePerson: %v", err)
	}
	err := h.svc.Connect(h.ctx, chat.Connection{ID: "b1", Identity: chat.Identity{UserID: "bo", Username: "bo"}})
	wantCode(t, err, chat.Forbidden)
}

func TestPeopleActionsRefusedToNonAdmins(t *testing.T) {
	h, dir, _, _ := peopleHarness(t)
	mod := chat.Identity{UserID: "mo", Username: "mo", DisplayName: "Mo", Groups: []string{chat.GroupModerators}}
	if err := h.svc.Connect(h.ctx, chat.Connection{ID: "m1", Identity: mod}); err != nil {
		t.Fatal(err)
	}
	c, _ := h.svc.Connection(h.ctx, "m1")
	h.connect("bo", "b1")
	_, err := h.svc.ListPeople(h.ctx, c, protocol.ListPeopleRequest{})
	wantCode(t, err, chat.Forbidden)
	_, err = h.svc.InvitePerson(h.ctx, c, protocol.InvitePersonRequest{Email: "x@example.com"})
	wantCode(t, err, chat.Forbidden)
	_, err = h.svc.SetWorkspaceRole(h.ctx, c, protocol.SetWorkspaceRoleRequest{Username: "mo", Role: chat.WorkspaceAdmin})
	wantCode(t, err, chat.Forbidden)
	_, err = h.svc.DeactivatePerson(h.ctx, c, protocol.PersonRequest{Username: "bo"})
	wantCode(t, err, chat.Forbidden)
	_, err = h.svc.ReactivatePerson(h.ctx, c, protocol.PersonRequest{Username: "bo"})
	wantCode(t, err, chat.Forbidden)
	if len(dir.Calls) != 0 {
		t.Errorf("directory changed: %v", dir.Calls)
	}
	if _, err := h.svc.Connection(h.ctx, "b1"); err != nil {
		t.Errorf("bo's connection is gone: %v", err)
	}
}

func TestAdminCannotActOnThemselves(t *testing.T) {
	h, dir, _, admin := peopleHarness(t)
	_, err := h.svc.DeactivatePerson(h.ctx, admin, protocol.PersonRequest{Username: "admin"})
	wantCode(t, err, chat.Invalid)
	_, err = h.svc.SetWorkspaceRole(h.ctx, admin, protocol.SetWorkspaceRoleRequest{Username: "admin", Role: chat.WorkspaceMember})
	wantCode(t, err, chat.Invalid)
	if len(dir.Calls) != 0 {
		t.Errorf("directory changed: %v", dir.Calls)
	}
}

func TestInviteAndSearch(t *testing.T) {
	h, _, _, admin := peopleHarness(t)
	for _, bad := range []string{"", "not-an-email", "Cy <cy@example.com>", "a@b@c"} {
		_, err := h.svc.InvitePerson(h.ctx, admin, protocol.InvitePersonRequest{Email: bad})
		wantCode(t, err, chat.Invalid)
	}
	_, err := h.svc.InvitePerson(h.ctx, admin, protocol.InvitePersonRequest{Email: "cy@example.com", DisplayName: "C\u200by"})
	wantCode(t, err, chat.Invalid)
	ev, err := h.svc.InvitePerson(h.ctx, admin, protocol.InvitePersonRequest{Email: "Cy@Example.com", DisplayName: "Cy"})
	if err != nil || ev.Person.Status != chat.PersonInvited || ev.Person.Email != "cy@example.com" {
		t.Fatalf("InvitePerson = %+v, %v", ev.Person, err)
	}
	_, err = h.svc.InvitePerson(h.ctx, admin, protocol.InvitePersonRequest{Email: "cy@example.com"})
	wantCode(t, err, chat.Conflict)
	list, err := h.svc.ListPeople(h.ctx, admin, protocol.ListPeopleRequest{Query: "CY"})
	if err != nil || len(list.People) != 1 || list.People[0].Email != "cy@example.com" {
		t.Fatalf("ListPeople(CY) = %+v, %v", list.People, err)
	}
	all, _ := h.svc.ListPeople(h.ctx, admin, protocol.ListPeopleRequest{})
	if len(all.People) != 3 || all.People[0].DisplayName != "Admin" {
		t.Fatalf("ListPeople = %+v", all.People)
	}
}
