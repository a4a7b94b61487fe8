package chat

// The access policy's rows for slash commands and outgoing webhooks
// (issue 16), kept beside their feature: a room's commands and outgoing
// webhooks are registered and deleted by its owners and workspace admins
// (not in direct conversations or archived channels); the workspace's
// commands by workspace admins (ActManageWorkspaceCommands, asked when
// registerCommand or deleteCommand names no room); listing a room's
// commands is for its members (its outgoing webhooks and the URLs only for
// those who may manage them); running one is sending.
const (
	ActRegisterCommand         Action = "registerCommand"
	ActListCommands            Action = "listCommands"
	ActDeleteCommand           Action = "deleteCommand"
	ActRunCommand              Action = "runCommand"
	ActRegisterOutgoingWebhook Action = "registerOutgoingWebhook"
	ActDeleteOutgoingWebhook   Action = "deleteOutgoingWebhook"
	// ActManageWorkspaceCommands is asked for registerCommand and
	// deleteCommand without a room.
	ActManageWorkspaceCommands Action = "manageWorkspaceCommands"
)

func init() {
	manage := func(verb string) rule {
		return rule{room: true, writes: true, staff: true, level: ownerLevel, verb: verb,
			notInKind: map[RoomKind]string{KindDirect: "direct conversations have no commands or outgoing webhooks"}}
	}
	rules[ActRegisterCommand] = manage("register commands here")
	rules[ActDeleteCommand] = manage("delete commands here")
	rules[ActRegisterOutgoingWebhook] = manage("register outgoing webhooks here")
	rules[ActDeleteOutgoingWebhook] = manage("delete outgoing webhooks here")
	rules[ActListCommands] = member
	rules[ActRunCommand] = rule{room: true, writes: true, mutes: true}
	rules[ActManageWorkspaceCommands] = admins
}
