package protocol

import (
	"fmt"
	"reflect"
)

// Budget names the rate budget an action is counted against. The zero
// value is invalid, so a row that forgets its budget fails the tests
// instead of going uncounted.
type Budget int

const (
	_ Budget = iota // invalid: every row names its budget
	// BudgetWrite: actions that write (RatePerWindow per user).
	BudgetWrite
	// BudgetRead: history, resume and the listings (ReadsPerWindow).
	BudgetRead
	// BudgetDownload: download URLs (FileLimits.DownloadsPerWindow).
	BudgetDownload
	// BudgetNone: not counted by the store's limiter (typing has its own
	// per-room counter; ping is counted per user in memory by wsapi,
	// pinglimit.go, since it reads no item; markRead).
	BudgetNone
)

var budgetNames = [...]string{"invalid", "write", "read", "download", "none"}

// Valid reports whether b is one of the named budgets.
func (b Budget) Valid() bool { return b >= BudgetWrite && b <= BudgetNone }

func (b Budget) String() string {
	if b.Valid() {
		return budgetNames[b]
	}
	return fmt.Sprintf("Budget(%d)", int(b))
}

// ActionSpec is one row of the action table.
type ActionSpec struct {
	// Name is the action's route key: the value of "action" in the frame.
	Name string
	// Request is a zero value of the request type (the frame's fields
	// beyond the Envelope), or nil when the action takes none.
	Request any
	// Reply is the event type of the reply on success, or "" when success
	// sends nothing back (typing). Its Go type is Events[Reply].
	Reply string
	// Budget is the rate budget the dispatcher charges before the action
	// runs.
	Budget Budget
	// Weight is how many units of Budget one call charges (0 means 1): an
	// action costing many reads of one history page counts as many
	// (search: SearchWeight).
	Weight int
	// NoConnection says the action is answered without a registered
	// connection (ping, the keepalive). Every other action first loads the
	// caller's stored connection, which it is authorized from.
	NoConnection bool
	// BeforeTerms says the action is answered while the caller has not
	// accepted the current terms (acceptTerms, getState, and a person's
	// rights over their data, which do not depend on new terms: export
	// and deleting the account); every other action with a connection is
	// refused with terms_required then.
	BeforeTerms bool
}

// RequestType is the Go type of the request, or nil when there is none.
func (a ActionSpec) RequestType() reflect.Type {
	if a.Request == nil {
		return nil
	}
	return reflect.TypeOf(a.Request)
}

// ReplyType is the Go type of the reply event, or nil when there is none.
func (a ActionSpec) ReplyType() reflect.Type {
	if a.Reply == "" {
		return nil
	}
	ev, ok := Events[a.Reply]
	if !ok {
		return nil
	}
	return reflect.TypeOf(ev)
}

// ActionTable is the one list of actions. Everything else that names the
// actions is derived from it: Actions and Requests below, the wsapi
// dispatcher (which charges the budget and calls the service.Chat method of
// the same name through the invoker scripts/gen-protocol generates), the
// generated TypeScript (scripts/gen-protocol) and the API Gateway routes of
// the CDK stack. Adding an action is one row here, one service method and
// `go run ./scripts/gen-protocol` (plus their tests and a docs/PROTOCOL.md
// example).
var ActionTable = append([]ActionSpec{
	{Name: ActionPing, Reply: EventPong, Budget: BudgetNone, NoConnection: true},
	{Name: ActionGetState, Reply: EventState, Budget: BudgetRead, BeforeTerms: true}, // a reconnect loop cannot spin on it
	{Name: ActionListUsers, Request: ListUsersRequest{}, Reply: EventUsers, Budget: BudgetRead},
	{Name: ActionUpdateProfile, Request: UpdateProfileRequest{}, Reply: EventProfile, Budget: BudgetWrite},
	{Name: ActionCreateChannel, Request: CreateChannelRequest{}, Reply: EventRoom, Budget: BudgetWrite},
	{Name: ActionListChannels, Request: ListChannelsRequest{}, Reply: EventChannels, Budget: BudgetRead},
	{Name: ActionJoinChannel, Request: RoomRequest{}, Reply: EventRoom, Budget: BudgetWrite},
	{Name: ActionLeaveChannel, Request: RoomRequest{}, Reply: EventRoomRemoved, Budget: BudgetWrite},
	{Name: ActionInviteToChannel, Request: InviteRequest{}, Reply: EventMembers, Budget: BudgetWrite},
	{Name: ActionUpdateChannel, Request: UpdateChannelRequest{}, Reply: EventRoom, Budget: BudgetWrite},
	{Name: ActionListMembers, Request: RoomRequest{}, Reply: EventMembers, Budget: BudgetRead},
	{Name: ActionOpenDirect, Request: OpenDirectRequest{}, Reply: EventRoom, Budget: BudgetWrite},
	{Name: ActionSendMessage, Request: SendMessageRequest{}, Reply: EventAck, Budget: BudgetWrite},
	{Name: ActionEditMessage, Request: EditMessageRequest{}, Reply: EventMessageUpdated, Budget: BudgetWrite},
	{Name: ActionDeleteMessage, Request: MessageRef{}, Reply: EventMessageUpdated, Budget: BudgetWrite},
	{Name: ActionHistory, Request: HistoryRequest{}, Reply: EventHistory, Budget: BudgetRead},
	{Name: ActionResume, Request: ResumeRequest{}, Reply: EventMissed, Budget: BudgetRead},
	{Name: ActionSearch, Request: SearchRequest{}, Reply: EventSearchResults, Budget: BudgetRead, Weight: SearchWeight},
	{Name: ActionTyping, Request: TypingRequest{}, Budget: BudgetNone}, // throttled silently by the service instead
	{Name: ActionMarkRead, Request: MarkReadRequest{}, Reply: EventRead, Budget: BudgetNone},
	{Name: ActionRequestUpload, Request: RequestUploadRequest{}, Reply: EventUploadTicket, Budget: BudgetWrite},
	{Name: ActionRequestDownload, Request: RequestDownloadRequest{}, Reply: EventDownloadURL, Budget: BudgetDownload},
	{Name: ActionRequestAvatarUpload, Request: RequestAvatarUploadRequest{}, Reply: EventUploadTicket, Budget: BudgetWrite},
	{Name: ActionRequestAvatarURL, Request: RequestAvatarURLRequest{}, Reply: EventAvatarURL, Budget: BudgetRead},
	{Name: ActionListPeople, Request: ListPeopleRequest{}, Reply: EventPeople, Budget: BudgetRead},
	{Name: ActionInvitePerson, Request: InvitePersonRequest{}, Reply: EventPerson, Budget: BudgetWrite},
	{Name: ActionSetWorkspaceRole, Request: SetWorkspaceRoleRequest{}, Reply: EventPerson, Budget: BudgetWrite},
	{Name: ActionDeactivatePerson, Request: PersonRequest{}, Reply: EventPerson, Budget: BudgetWrite},
	{Name: ActionReactivatePerson, Request: PersonRequest{}, Reply: EventPerson, Budget: BudgetWrite},
	{Name: ActionDeleteAccount, Request: DeleteAccountRequest{}, Reply: EventAccountDeletion, Budget: BudgetWrite, BeforeTerms: true},
	{Name: ActionDeleteUser, Request: PersonRequest{}, Reply: EventAccountDeletion, Budget: BudgetWrite},
	{Name: ActionArchiveChannel, Request: RoomRequest{}, Reply: EventRoom, Budget: BudgetWrite},
	{Name: ActionUnarchiveChannel, Request: RoomRequest{}, Reply: EventRoom, Budget: BudgetWrite},
	{Name: ActionDeleteChannel, Request: RoomRequest{}, Reply: EventRoomRemoved, Budget: BudgetWrite},
	{Name: ActionSetMemberRole, Request: SetMemberRoleRequest{}, Reply: EventMembers, Budget: BudgetWrite},
	{Name: ActionMuteMember, Request: MuteMemberRequest{}, Reply: EventMembers, Budget: BudgetWrite},
	{Name: ActionUnmuteMember, Request: MemberActionRequest{}, Reply: EventMembers, Budget: BudgetWrite},
	{Name: ActionRemoveMember, Request: MemberActionRequest{}, Reply: EventMembers, Budget: BudgetWrite},
	{Name: ActionBanMember, Request: MemberActionRequest{}, Reply: EventBans, Budget: BudgetWrite},
	{Name: ActionUnbanMember, Request: MemberActionRequest{}, Reply: EventBans, Budget: BudgetWrite},
	{Name: ActionListBans, Request: RoomRequest{}, Reply: EventBans, Budget: BudgetRead},
	{Name: ActionReportMessage, Request: ReportMessageRequest{}, Reply: EventReport, Budget: BudgetWrite},
	{Name: ActionListReports, Request: ListReportsRequest{}, Reply: EventReports, Budget: BudgetRead},
	{Name: ActionResolveReport, Request: ResolveReportRequest{}, Reply: EventReport, Budget: BudgetWrite},
	{Name: ActionListAudit, Request: ListAuditRequest{}, Reply: EventAudit, Budget: BudgetRead},
	{Name: ActionGetAnalytics, Request: GetAnalyticsRequest{}, Reply: EventAnalytics, Budget: BudgetRead}, // issue 16: usage analytics
	{Name: ActionAcceptInvite, Request: RoomRequest{}, Reply: EventRoom, Budget: BudgetWrite},
	{Name: ActionDeclineInvite, Request: RoomRequest{}, Reply: EventInvites, Budget: BudgetWrite},
	{Name: ActionSetPreferences, Request: SetPreferencesRequest{}, Reply: EventPreferences, Budget: BudgetWrite},
	{Name: ActionAcceptTerms, Request: AcceptTermsRequest{}, Reply: EventTerms, Budget: BudgetWrite, BeforeTerms: true},
	{Name: ActionSetRoomNotify, Request: SetRoomNotifyRequest{}, Reply: EventPreferences, Budget: BudgetWrite},
	{Name: ActionSetVisibility, Request: SetVisibilityRequest{}, Budget: BudgetNone}, // one small write; throttled per connection by the service
	{Name: ActionPushSubscribe, Request: PushSubscribeRequest{}, Reply: EventPushSubscribed, Budget: BudgetWrite},
	{Name: ActionPushUnsubscribe, Request: PushUnsubscribeRequest{}, Reply: EventPushSubscribed, Budget: BudgetWrite},
	// Privacy controls and blocking (issue 15).
	{Name: ActionBlockUser, Request: BlockUserRequest{}, Reply: EventPreferences, Budget: BudgetWrite},
	{Name: ActionUnblockUser, Request: BlockUserRequest{}, Reply: EventPreferences, Budget: BudgetWrite},
	{Name: ActionListBlocked, Reply: EventUsers, Budget: BudgetRead},
	// Conversations (issue 14).
	{Name: ActionReact, Request: ReactRequest{}, Reply: EventMessageUpdated, Budget: BudgetWrite},
	{Name: ActionPinMessage, Request: PinMessageRequest{}, Reply: EventMessageUpdated, Budget: BudgetWrite},
	{Name: ActionListPins, Request: RoomRequest{}, Reply: EventPins, Budget: BudgetRead},
	{Name: ActionSaveMessage, Request: SaveMessageRequest{}, Reply: EventSaved, Budget: BudgetWrite},
	{Name: ActionListSaved, Request: ListSavedRequest{}, Reply: EventSavedItems, Budget: BudgetRead},
	{Name: ActionMessageVersions, Request: MessageRef{}, Reply: EventVersions, Budget: BudgetRead},
	// Polls (issue 14).
	{Name: ActionCreatePoll, Request: CreatePollRequest{}, Reply: EventAck, Budget: BudgetWrite},
	{Name: ActionVote, Request: VoteRequest{}, Reply: EventMessageUpdated, Budget: BudgetWrite},
	{Name: ActionClosePoll, Request: MessageRef{}, Reply: EventMessageUpdated, Budget: BudgetWrite},
	// Threads (issue 14): replies are sent with sendMessage and parentSeq.
	{Name: ActionThreadHistory, Request: ThreadHistoryRequest{}, Reply: EventThreadHistory, Budget: BudgetRead},
	{Name: ActionFollowThread, Request: FollowThreadRequest{}, Reply: EventThreadFollow, Budget: BudgetWrite},
	{Name: ActionMarkThreadRead, Request: MarkThreadReadRequest{}, Reply: EventThreadFollow, Budget: BudgetRead}, // one forward-only write, on the read budget so a busy thread cannot eat the sending one
	{Name: ActionListThreads, Reply: EventThreads, Budget: BudgetRead},
	{Name: ActionRemovePreview, Request: RemovePreviewRequest{}, Reply: EventMessageUpdated, Budget: BudgetWrite},
	// Scheduled messages and reminders (issue 14).
	{Name: ActionScheduleMessage, Request: ScheduleMessageRequest{}, Reply: EventScheduled, Budget: BudgetWrite},
	{Name: ActionRemindMe, Request: RemindMeRequest{}, Reply: EventScheduled, Budget: BudgetWrite},
	{Name: ActionListScheduled, Reply: EventScheduledItems, Budget: BudgetRead},
	{Name: ActionEditScheduled, Request: EditScheduledRequest{}, Reply: EventScheduled, Budget: BudgetWrite},
	{Name: ActionCancelScheduled, Request: ScheduledRef{}, Reply: EventScheduled, Budget: BudgetWrite},
	{Name: ActionSearchGifs, Request: SearchGifsRequest{}, Reply: EventGifs, Budget: BudgetRead, Weight: SearchGifsWeight},
	// Export my data (issue 15): one running export per person (conflict).
	{Name: ActionRequestExport, Reply: EventExport, Budget: BudgetWrite, BeforeTerms: true},
	{Name: ActionExportStatus, Reply: EventExport, Budget: BudgetRead, BeforeTerms: true},
	{Name: ActionRequestExportDownload, Request: ExportDownloadRequest{}, Reply: EventExportDownload, Budget: BudgetDownload, BeforeTerms: true},
	{Name: ActionExportUser, Request: ExportUserRequest{}, Reply: EventExport, Budget: BudgetWrite},
	// Retention (issue 15).
	{Name: ActionGetWorkspaceSettings, Reply: EventWorkspaceSettings, Budget: BudgetRead},
	{Name: ActionSetWorkspaceSettings, Request: SetWorkspaceSettingsRequest{}, Reply: EventWorkspaceSettings, Budget: BudgetWrite},
	{Name: ActionSetRoomRetention, Request: SetRoomRetentionRequest{}, Reply: EventRoom, Budget: BudgetWrite},
	// Bot accounts (issue 16).
	{Name: ActionCreateBot, Request: CreateBotRequest{}, Reply: EventBot, Budget: BudgetWrite},
	{Name: ActionListBots, Reply: EventBots, Budget: BudgetRead},
	{Name: ActionRotateBotToken, Request: BotRequest{}, Reply: EventBot, Budget: BudgetWrite},
	{Name: ActionDeleteBot, Request: BotRequest{}, Reply: EventBot, Budget: BudgetWrite},
	{Name: ActionAddBotToRoom, Request: RoomBotRequest{}, Reply: EventMembers, Budget: BudgetWrite},
	{Name: ActionRemoveBotFromRoom, Request: RoomBotRequest{}, Reply: EventMembers, Budget: BudgetWrite},
	// Incoming webhooks (issue 16): the room's owners and workspace admins.
	{Name: ActionCreateWebhook, Request: CreateWebhookRequest{}, Reply: EventWebhook, Budget: BudgetWrite},
	{Name: ActionListWebhooks, Request: ListWebhooksRequest{}, Reply: EventWebhooks, Budget: BudgetRead},
	{Name: ActionRotateWebhookSecret, Request: WebhookRef{}, Reply: EventWebhook, Budget: BudgetWrite},
	{Name: ActionRevokeWebhook, Request: WebhookRef{}, Reply: EventWebhook, Budget: BudgetWrite},
	// Slash commands and outgoing webhooks (issue 16).
	{Name: ActionRegisterCommand, Request: RegisterCommandRequest{}, Reply: EventIntegration, Budget: BudgetWrite},
	{Name: ActionListCommands, Request: ListCommandsRequest{}, Reply: EventCommands, Budget: BudgetRead},
	{Name: ActionDeleteCommand, Request: DeleteIntegrationRequest{}, Reply: EventIntegrationDeleted, Budget: BudgetWrite},
	{Name: ActionRunCommand, Request: RunCommandRequest{}, Reply: EventCommandResult, Budget: BudgetWrite},
	{Name: ActionRegisterOutgoingWebhook, Request: RegisterOutgoingWebhookRequest{}, Reply: EventIntegration, Budget: BudgetWrite},
	{Name: ActionDeleteOutgoingWebhook, Request: DeleteIntegrationRequest{}, Reply: EventIntegrationDeleted, Budget: BudgetWrite},
	// Support widgets (issue 17): widgets.go.
	{Name: ActionCreateWidget, Request: WidgetRequest{}, Reply: EventWidget, Budget: BudgetWrite},
	{Name: ActionUpdateWidget, Request: WidgetRequest{}, Reply: EventWidget, Budget: BudgetWrite},
	{Name: ActionDeleteWidget, Request: WidgetRef{}, Reply: EventWidget, Budget: BudgetWrite},
	{Name: ActionListWidgets, Reply: EventWidgets, Budget: BudgetRead},
	{Name: ActionRotateWidgetSecret, Request: WidgetRef{}, Reply: EventWidget, Budget: BudgetWrite},
	// Calls (issue 18): signalling over this socket. callSignal is not
	// counted by the limiter: the service counts signals per connection
	// (chat.CallSignalsPerWindow), so an ICE-candidate burst fits.
	{Name: ActionStartCall, Request: StartCallRequest{}, Reply: EventCall, Budget: BudgetWrite},
	{Name: ActionJoinCall, Request: JoinCallRequest{}, Reply: EventCall, Budget: BudgetWrite},
	{Name: ActionLeaveCall, Request: CallRequest{}, Reply: EventCall, Budget: BudgetWrite},
	{Name: ActionDeclineCall, Request: CallRequest{}, Reply: EventCall, Budget: BudgetWrite},
	{Name: ActionCallSignal, Request: CallSignalRequest{}, Budget: BudgetNone},
	{Name: ActionSetCallMedia, Request: SetCallMediaRequest{}, Reply: EventCall, Budget: BudgetWrite},
	{Name: ActionCallHeartbeat, Request: CallRequest{}, Reply: EventCall, Budget: BudgetRead}, // every 15 s per participant
	{Name: ActionGetIceServers, Request: CallRequest{}, Reply: EventIceServers, Budget: BudgetRead},
	// End-to-end encryption (issue 19).
	{Name: ActionRegisterDevice, Request: RegisterDeviceRequest{}, Reply: EventDevice, Budget: BudgetWrite},
	{Name: ActionSetIdentityKey, Request: SetIdentityKeyRequest{}, Reply: EventUserKeys, Budget: BudgetWrite},
	{Name: ActionSignDevice, Request: SignDeviceRequest{}, Reply: EventDevice, Budget: BudgetWrite},
	{Name: ActionListDevices, Reply: EventDevices, Budget: BudgetRead},
	{Name: ActionRemoveDevice, Request: DeviceRequest{}, Reply: EventDevices, Budget: BudgetWrite},
	{Name: ActionGetUserKeys, Request: GetUserKeysRequest{}, Reply: EventUserKeys, Budget: BudgetRead},
	{Name: ActionSetKeyBackup, Request: SetKeyBackupRequest{}, Reply: EventKeyBackup, Budget: BudgetWrite},
	{Name: ActionGetKeyBackup, Request: GetKeyBackupRequest{}, Reply: EventKeyBackup, Budget: BudgetWrite}, // a proof attempt is a write (it counts failures)
	{Name: ActionPutBackupKeys, Request: PutBackupKeysRequest{}, Reply: EventBackupKeys, Budget: BudgetWrite},
	{Name: ActionGetBackupKeys, Request: GetBackupKeysRequest{}, Reply: EventBackupKeys, Budget: BudgetRead},
	{Name: ActionDeviceMessage, Request: DeviceMessageRequest{}, Budget: BudgetRead}, // stores nothing (three reads and a push): a verification's dozen messages stay off the sending budget
	{Name: ActionShareRoomKeys, Request: ShareRoomKeysRequest{}, Reply: EventRoomKeysShared, Budget: BudgetWrite},
	{Name: ActionGetRoomKeys, Request: GetRoomKeysRequest{}, Reply: EventRoomKeys, Budget: BudgetRead},
}, append(supportRows, hoursRows...)...) // customer support (issue 17): support.go, supporthours.go

// SearchWeight is what one search charges to the read budget: it reads the
// postings of up to 100 rooms (one Query per room and driving word) and a
// page of messages, about 40 read units across 50 rooms, where a history
// page is one Query (docs/ARCHITECTURE.md "Message search"). With the
// default 120 reads a minute, a person can search 24 times a minute, which
// as-you-type searching (one per 300 ms pause) stays within.
const SearchWeight = 5

// Units is what one call charges to its budget (Weight, at least 1).
func (a ActionSpec) Units() int { return max(a.Weight, 1) }

// LookupAction returns the row of the named action.
func LookupAction(name string) (ActionSpec, bool) {
	for _, a := range ActionTable {
		if a.Name == name {
			return a, true
		}
	}
	return ActionSpec{}, false
}

// Actions lists every route key the API has, besides $connect, $disconnect
// and $default, in table order.
var Actions = actionNames()

// Requests maps each action to the type of its frame (beyond the Envelope).
// Actions without fields map to struct{}.
var Requests = requestTypes()

func actionNames() []string {
	names := make([]string, len(ActionTable))
	for i, a := range ActionTable {
		names[i] = a.Name
	}
	return names
}

func requestTypes() map[string]any {
	m := make(map[string]any, len(ActionTable))
	for _, a := range ActionTable {
		if a.Request == nil {
			m[a.Name] = struct{}{}
		} else {
			m[a.Name] = a.Request
		}
	}
	return m
}
