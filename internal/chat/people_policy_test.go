package chat_test

import (
	"os"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// groupSets: the workspace groups a caller may hold.
var groupSets = [][]string{nil, {chat.GroupModerators}, {chat.GroupAdmins}, {chat.GroupAdmins, chat.GroupModerators}}

// adminActions manage people: workspace admins only, whatever else the
// caller is.
var adminActions = []chat.Action{
	chat.ActListPeople, chat.ActInvitePerson, chat.ActSetWorkspaceRole,
	chat.ActDeactivatePerson, chat.ActReactivatePerson,
}

func TestPeopleActionsAdminsOnly(t *testing.T) {
	for _, a := range adminActions {
		for _, groups := range groupSets {
			err := chat.Authorize(a, chat.Access{Groups: groups})
			isAdmin := slicesContains(groups, chat.GroupAdmins)
			switch {
			case isAdmin && err != nil:
				t.Errorf("%s by %v: %v, want allowed", a, groups, err)
			case !isAdmin && answer(err) != "forbidden: only workspace admins may do this":
				t.Errorf("%s by %v: %q, want forbidden", a, groups, answer(err))
			}
		}
		// A room role never makes anyone an admin.
		if err := chat.Authorize(a, chat.Access{Role: chat.RoleOwner, Room: publicRoom}); chat.ErrorCode(err) != chat.Forbidden {
			t.Errorf("%s by a room owner: %v, want forbidden", a, err)
		}
	}
}

// TestPeoplePolicyDoc: docs/ARCHITECTURE.md lists the admin actions.
func TestPeoplePolicyDoc(t *testing.T) {
	doc, err := os.ReadFile("../../docs/ARCHITECTURE.md")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("| Action | workspace admin | anyone else |\n|---|---|---|\n")
	for _, a := range adminActions {
		b.WriteString("| `" + string(a) + "` | yes | no (forbidden) |\n")
	}
	if !strings.Contains(string(doc), b.String()) {
		t.Errorf("docs/ARCHITECTURE.md does not contain the people policy table; it should read:\n%s", b.String())
	}
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
