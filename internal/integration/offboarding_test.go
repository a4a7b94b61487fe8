package integration

import (
	"context"
	"errors"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/cognitoadmin"
	"github.com/backchannel-chat/backchannel/internal/local/cognitoext"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// peopleStack is a stack whose admin console manages its pool through the
// real SDK client, talking to cognito-local behind the cognitoext
// stand-in (AdminUserGlobalSignOut, disabled users refused).
type peopleStack struct {
	*stack
	idp *cip.Client // through the stand-in
}

func newPeopleStack(t *testing.T) *peopleStack {
	t.Helper()
	awsCfg := testenv.AWSConfig(t)
	ext, err := cognitoext.New(os.Getenv(testenv.EnvEndpointCognito))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(ext)
	t.Cleanup(srv.Close)
	idp := cip.NewFromConfig(awsCfg, func(o *cip.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	ps := &peopleStack{idp: idp}
	late := &lateDirectory{}
	ps.stack = newStack(t, func(c *service.Config) {
		generousLimits(c)
		c.People = late
	})
	admin, err := cognitoadmin.New(idp, ps.pool.ID) // the pool exists once the stack does
	if err != nil {
		t.Fatal(err)
	}
	admin.TemporaryPassword = func(string) string { return tempPassword } // Cognito would mail a generated one
	late.Directory = admin
	return ps
}

const tempPassword = "Temp-0rary-Pass!"

// lateDirectory is set after the service is built (the stack creates the
// pool and the service together).
type lateDirectory struct{ chat.Directory }

// signIn signs in with USER_PASSWORD_AUTH through the stand-in and returns
// the ID and refresh tokens.
func (ps *peopleStack) signIn(email string) (idToken, refresh string, err error) {
	out, err := ps.idp.InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		ClientId: aws.String(ps.pool.ClientID), AuthFlow: ciptypes.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": testPassword},
	})
	if err != nil {
		return "", "", err
	}
	return aws.ToString(out.AuthenticationResult.IdToken), aws.ToString(out.AuthenticationResult.RefreshToken), nil
}

func (ps *peopleStack) refresh(token string) error {
	_, err := ps.idp.InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		ClientId: aws.String(ps.pool.ClientID), AuthFlow: ciptypes.AuthFlowTypeRefreshTokenAuth,
		AuthParameters: map[string]string{"REFRESH_TOKEN": token},
	})
	return err
}

// admin signs up a user, puts them in the admins group and signs them in
// again, so their token carries the group.
func (ps *peopleStack) admin(name string) user {
	ps.t.Helper()
	u := ps.newUser(name, name)
	if _, err := ps.idp.AdminAddUserToGroup(context.Background(), &cip.AdminAddUserToGroupInput{
		UserPoolId: aws.String(ps.pool.ID), Username: aws.String(name + "@example.com"), GroupName: aws.String("admins"),
	}); err != nil {
		ps.t.Fatal(err)
	}
	tok, _, err := ps.signIn(name + "@example.com")
	if err != nil {
		ps.t.Fatal(err)
	}
	u.token = tok
	return u
}

func isNotAuthorized(err error) bool {
	var na *ciptypes.NotAuthorizedException
	return errors.As(err, &na)
}

// TestDeactivation: an admin deactivates Bo while Bo has three windows
// open. Every one of Bo's connections closes within 5 s, $connect refuses
// his still-valid ID token, his refresh token and his password are
// refused, his messages stay, and others see him marked deactivated.
// Reactivating lets him back in.
func TestDeactivation(t *testing.T) {
	ps := newPeopleStack(t)
	ada := ps.admin("ada")
	bo := ps.newUser("bo", "Bo")
	boToken, boRefresh, err := ps.signIn("bo@example.com")
	if err != nil {
		t.Fatal(err)
	}
	bo.token = boToken

	adaC, _ := ps.online(ada)
	var boWindows []*client
	for range 3 {
		c, _ := ps.online(bo)
		boWindows = append(boWindows, c)
	}
	sent := decode[protocol.AckEvent](t, boWindows[0].call(protocol.ActionSendMessage,
		map[string]any{"roomId": "general", "clientId": "bo-1", "text": "hello from Bo"}, protocol.EventAck))

	// A non-admin cannot.
	boWindows[1].callError(protocol.ActionListPeople, nil, "forbidden")

	people := decode[protocol.PeopleEvent](t, adaC.call(protocol.ActionListPeople, map[string]any{"query": "bo@"}, protocol.EventPeople))
	if len(people.People) != 1 || people.People[0].UserID != bo.id {
		t.Fatalf("listPeople(bo@) = %+v", people.People)
	}
	boUsername := people.People[0].Username

	// Every socket closes (waitClosed fails after waitLimit). How fast is
	// logged, not asserted: a timed assertion fails on a busy machine
	// without saying anything about the code.
	start := time.Now()
	adaC.call(protocol.ActionDeactivatePerson, map[string]any{"username": boUsername}, protocol.EventPerson)
	for _, w := range boWindows {
		w.waitClosed()
	}
	t.Logf("deactivation to the last of Bo's 3 sockets closed: %s", time.Since(start))

	if status := refused(t, ps.stack, bo.token); status != 403 {
		t.Errorf("$connect with Bo's still-valid ID token: status %d, want 403", status)
	}
	if err := ps.refresh(boRefresh); !isNotAuthorized(err) {
		t.Errorf("refresh with Bo's refresh token: %v, want NotAuthorizedException", err)
	}
	if _, _, err := ps.signIn("bo@example.com"); !isNotAuthorized(err) {
		t.Errorf("password sign-in of a deactivated user: %v, want NotAuthorizedException", err)
	}

	// His messages stay, and he shows as deactivated.
	hist := decode[protocol.HistoryEvent](t, adaC.call(protocol.ActionHistory, map[string]any{"roomId": "general"}, protocol.EventHistory))
	found := false
	for _, m := range hist.Messages {
		found = found || (m.Seq == sent.Message.Seq && m.Text == "hello from Bo")
	}
	if !found {
		t.Errorf("Bo's message is gone from #general: %+v", hist.Messages)
	}
	users := decode[protocol.UsersEvent](t, adaC.call(protocol.ActionListUsers, nil, protocol.EventUsers))
	marked := false
	for _, u := range users.Users {
		marked = marked || (u.UserID == bo.id && u.Deactivated)
	}
	if !marked {
		t.Errorf("listUsers does not mark Bo deactivated: %+v", users.Users)
	}

	adaC.call(protocol.ActionReactivatePerson, map[string]any{"username": boUsername}, protocol.EventPerson)
	tok, _, err := ps.signIn("bo@example.com")
	if err != nil {
		t.Fatalf("sign-in after reactivation: %v", err)
	}
	bo.token = tok
	ps.online(bo)
}

// TestInviteAndRoles: an admin invites a person, who signs in with the
// temporary password and must set their own (NEW_PASSWORD_REQUIRED); the
// admin makes them a moderator, and their next token carries the group.
func TestInviteAndRoles(t *testing.T) {
	ps := newPeopleStack(t)
	ada := ps.admin("ada")
	adaC, _ := ps.online(ada)
	adaC.callError(protocol.ActionInvitePerson, map[string]any{"email": "not an email"}, "invalid")
	inv := decode[protocol.PersonEvent](t, adaC.call(protocol.ActionInvitePerson, map[string]any{"email": "cy@example.com", "displayName": "Cy"}, protocol.EventPerson))
	if inv.Person.Status != "invited" || inv.Person.Email != "cy@example.com" {
		t.Fatalf("invited = %+v", inv.Person)
	}
	adaC.callError(protocol.ActionInvitePerson, map[string]any{"email": "cy@example.com"}, "conflict")

	adaC.call(protocol.ActionSetWorkspaceRole, map[string]any{"username": inv.Person.Username, "role": "moderator"}, protocol.EventPerson)
	people := decode[protocol.PeopleEvent](t, adaC.call(protocol.ActionListPeople, map[string]any{"query": "cy"}, protocol.EventPeople))
	if len(people.People) != 1 || people.People[0].Role != "moderator" || people.People[0].Status != "invited" {
		t.Fatalf("listPeople(cy) = %+v", people.People)
	}
	adaC.callError(protocol.ActionDeactivatePerson, map[string]any{"username": "ada@example.com"}, "invalid")

	// Cy signs in with the temporary password and must choose their own.
	ctx := context.Background()
	out, err := ps.idp.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId: aws.String(ps.pool.ClientID), AuthFlow: ciptypes.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "cy@example.com", "PASSWORD": tempPassword},
	})
	if err != nil || out.ChallengeName != ciptypes.ChallengeNameTypeNewPasswordRequired {
		t.Fatalf("first sign-in: challenge %q, %v; want NEW_PASSWORD_REQUIRED", out.ChallengeName, err)
	}
	done, err := ps.idp.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
		ClientId: aws.String(ps.pool.ClientID), ChallengeName: ciptypes.ChallengeNameTypeNewPasswordRequired, Session: out.Session,
		ChallengeResponses: map[string]string{"USERNAME": "cy@example.com", "NEW_PASSWORD": testPassword},
	})
	if err != nil || done.AuthenticationResult == nil {
		t.Fatalf("set new password: %v", err)
	}
	cyTok, _, err := ps.signIn("cy@example.com")
	if err != nil {
		t.Fatalf("sign-in with the new password: %v", err)
	}
	cy := user{name: "cy", token: cyTok, id: claimsOf(t, cyTok).Sub}
	_, st := ps.online(cy)
	if st.Me.UserID != cy.id {
		t.Errorf("state.me = %+v, want Cy", st.Me)
	}
	people = decode[protocol.PeopleEvent](t, adaC.call(protocol.ActionListPeople, map[string]any{"query": "cy"}, protocol.EventPeople))
	if people.People[0].Status != "active" {
		t.Errorf("after setting a password Cy is %q, want active", people.People[0].Status)
	}
}
