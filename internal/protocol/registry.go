package protocol

import "github.com/backchannel-chat/backchannel/internal/chat"

// Events maps each server event type to its Go type.
var Events = map[string]any{
	EventPong:            PongEvent{},
	EventError:           ErrorEvent{},
	EventState:           StateEvent{},
	EventUsers:           UsersEvent{},
	EventProfile:         ProfileEvent{},
	EventUserUpdated:     ProfileEvent{},
	EventRoom:            RoomEvent{},
	EventChannels:        ChannelsEvent{},
	EventRoomAdded:       RoomEvent{},
	EventRoomUpdated:     RoomEvent{},
	EventRoomRemoved:     RoomRemovedEvent{},
	EventMemberJoined:    MemberEvent{},
	EventMemberLeft:      MemberEvent{},
	EventMembers:         MembersEvent{},
	EventAck:             AckEvent{},
	EventMessage:         MessageEvent{},
	EventMessageUpdated:  MessageEvent{},
	EventHistory:         HistoryEvent{},
	EventMissed:          MissedEvent{},
	EventSearchResults:   SearchResultsEvent{},
	EventTyping:          TypingEvent{},
	EventRead:            ReadEvent{},
	EventPresence:        PresenceEvent{},
	EventUploadTicket:    UploadTicketEvent{},
	EventDownloadURL:     DownloadURLEvent{},
	EventAvatarURL:       AvatarURLEvent{},
	EventPeople:          PeopleEvent{},
	EventPerson:          PersonEvent{},
	EventSignedOut:       SignedOutEvent{},
	EventMemberUpdated:   MemberUpdatedEvent{},
	EventBans:            BansEvent{},
	EventReport:          ReportEvent{},
	EventReports:         ReportsEvent{},
	EventAudit:           AuditEvent{},
	EventAnalytics:       AnalyticsEvent{}, // issue 16
	EventInvited:         InvitedEvent{},
	EventInvites:         InvitesEvent{},
	EventPreferences:     PreferencesEvent{},
	EventPushSubscribed:  PushSubscribedEvent{},
	EventPins:            PinsEvent{},
	EventSaved:           SavedEvent{},
	EventSavedItems:      SavedItemsEvent{},
	EventVersions:        VersionsEvent{},
	EventThreadHistory:   ThreadHistoryEvent{},
	EventThreadFollow:    ThreadFollowEvent{},
	EventThreads:         ThreadsEvent{},
	EventScheduled:       ScheduledEvent{},
	EventScheduledItems:  ScheduledItemsEvent{},
	EventReminder:        ReminderEvent{},
	EventGifs:            GifsEvent{},
	EventExport:          ExportEvent{},
	EventExportDownload:  ExportDownloadEvent{},
	EventAccountDeletion: AccountDeletionEvent{},
	// Retention (issue 15).
	EventWorkspaceSettings: WorkspaceSettingsEvent{},
	EventTerms:             TermsEvent{},
	// Bot accounts (issue 16).
	EventBot:  BotEvent{},
	EventBots: BotsEvent{},
	// Support widgets (issue 17).
	EventWidget:  WidgetEvent{},
	EventWidgets: WidgetsEvent{},
	// Incoming webhooks (issue 16).
	EventWebhook:  WebhookEvent{},
	EventWebhooks: WebhooksEvent{},
}

// Enums lists the values of the named string types on the wire, for the
// generated TypeScript unions.
var Enums = map[string][]string{
	"Code":           {string(chat.Invalid), string(chat.NotFound), string(chat.Forbidden), string(chat.Conflict), string(chat.TooLarge), string(chat.RateLimited), string(chat.SessionExpired), string(chat.TermsRequired), string(chat.Rejected), string(chat.ReadOnly), string(chat.Internal)},
	"RoomKind":       {string(chat.KindPublic), string(chat.KindPrivate), string(chat.KindDirect)},
	"Role":           {string(chat.RoleOwner), string(chat.RoleModerator), string(chat.RoleMember)},
	"WorkspaceRole":  {string(chat.WorkspaceAdmin), string(chat.WorkspaceModerator), string(chat.WorkspaceMember)},
	"NotifyLevel":    {string(chat.LevelAll), string(chat.LevelMentions), string(chat.LevelNothing)},
	"PersonStatus":   {string(chat.PersonActive), string(chat.PersonInvited), string(chat.PersonDeactivated)},
	"ScheduledKind":  {string(chat.ScheduledMessage), string(chat.ScheduledReminder)},
	"ExportState":    {string(chat.ExportPending), string(chat.ExportRunning), string(chat.ExportReady), string(chat.ExportFailed)},
	"ScheduledState": {string(chat.ScheduledPending), string(chat.ScheduledSending), string(chat.ScheduledFailed), string(chat.ScheduledFired)},
}
