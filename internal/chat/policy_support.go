package chat

// The access policy's rows for customer support (issue #17; support.go has
// the model):
//   - Visitors (GroupVisitors) may do only visitorActions, and room actions
//     only in the support room whose visitor they are and of which they
//     are a member; any other room answers NotFound, exactly as for a room
//     that does not exist. Everything else: Forbidden "visitors may not
//     use X". startSupport, requestHuman and rateSupport are for visitors
//     only.
//   - Support rooms take only the conversation's actions (sending, editing,
//     deleting, history, resume, typing, read positions, files, reactions,
//     members) and the support actions; a closed conversation takes no
//     more messages (reopenSupport first).
//   - Agents of the conversation's team (Access.Support.Agent) and
//     workspace admins may read a conversation they are not in (history,
//     members, files) and claim, transfer, escalate, close, reopen it and
//     add internal notes; only its members send.
//   - Teams are managed by workspace admins; canned answers by admins and,
//     for their team, its leads; the inbox, availability, canned answers'
//     list and a visitor's past conversations are for agents (any team)
//     and admins.

// agentReads are the room actions a support room's team agents (and
// admins) may do without being its members: reading it.
var agentReads = map[Action]bool{
	ActHistory: true, ActResume: true, ActListMembers: true, ActRequestDownload: true,
}

// supportRoomActions are the ordinary room actions a support room takes
// (besides its rows marked support).
var supportRoomActions = map[Action]bool{
	ActSendMessage: true, ActEditMessage: true, ActDeleteMessage: true, ActHistory: true,
	ActResume: true, ActTyping: true, ActMarkRead: true, ActRequestUpload: true,
	ActRequestDownload: true, ActListMembers: true, ActReact: true, ActMessageVersions: true,
	ActRemovePreview: true, ActSetRoomNotify: true,
}

func init() {
	agentRoom := func(verb string) rule { return rule{room: true, support: true, agents: true, verb: verb} }
	rules[ActSaveSupportTeam] = rule{groups: []string{GroupAdmins}, verb: "manage support teams"}
	rules[ActDeleteSupportTeam] = rule{groups: []string{GroupAdmins}, verb: "manage support teams"}
	rules[ActListSupportTeams] = workspace // agents see their teams, admins all, others none
	rules[ActSaveCannedAnswer] = rule{groups: []string{GroupAdmins}, leads: true, verb: "manage canned answers"}
	rules[ActDeleteCannedAnswer] = rule{groups: []string{GroupAdmins}, leads: true, verb: "manage canned answers"}
	rules[ActListCannedAnswers] = rule{agents: true, verb: "use canned answers"}
	rules[ActSetAgentStatus] = rule{agents: true, verb: "set an agent status"}
	rules[ActGetSupportInbox] = rule{agents: true, verb: "open the support inbox"}
	rules[ActListVisitorConversations] = rule{agents: true, verb: "see a visitor's conversations"}
	rules[ActClaimSupport] = agentRoom("claim conversations")
	rules[ActTransferSupport] = agentRoom("transfer conversations")
	rules[ActEscalateSupport] = agentRoom("escalate conversations")
	rules[ActCloseSupport] = agentRoom("close conversations")
	rules[ActReopenSupport] = agentRoom("reopen conversations")
	rules[ActAddSupportNote] = agentRoom("add internal notes")
	rules[ActStartSupport] = rule{visitorOnly: true, verb: "start support conversations"}
	rules[ActRequestHuman] = rule{room: true, support: true, visitorOnly: true, verb: "ask for a person"}
	rules[ActRateSupport] = rule{room: true, support: true, visitorOnly: true, verb: "rate conversations"}
}

// supportAgent says whether the caller acts as a support agent: of the
// team concerned, or a workspace admin.
func (a Access) supportAgent() bool { return a.Support.Agent || a.InGroup(GroupAdmins) }

// visitorAccess applies the visitor's rules and narrows acc to a plain
// member (no other group, no room role above member).
func visitorAccess(a Action, r rule, acc *Access) error {
	if !visitorActions[a] {
		return Errorf(Forbidden, "visitors may not use %s", a)
	}
	if r.room {
		conv := acc.Room.Support
		if acc.Role == "" || acc.Room.Kind != KindSupport || conv == nil || conv.Visitor.ID == "" || conv.Visitor.ID != acc.UserID {
			return ErrRoomNotFound()
		}
	}
	role := acc.Role
	if role != "" {
		role = RoleMember
	}
	*acc = Access{Groups: []string{GroupVisitors}, Role: role, Room: acc.Room, Author: acc.Author, MutedUntil: acc.MutedUntil, UserID: acc.UserID}
	return nil
}

// supportRoom applies a support room's own rules to a caller allowed in it.
func supportRoom(a Action, r rule, acc Access) error {
	if !r.support && !supportRoomActions[a] {
		return Errorf(Invalid, "support conversations do not take %s", a)
	}
	if r.writes && !r.support && acc.Room.Support != nil && acc.Room.Support.State == SupportClosed {
		return Errorf(Invalid, "this conversation is closed")
	}
	return nil
}
