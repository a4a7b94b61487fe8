package wsapi

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

func ptr[T any](v T) *T { return &v }

// Keys of the files seedRouting uploads.
const (
	routingFile  = "rooms/r1/" + testUserID + "/f1/a.txt"
	routingImage = "rooms/r1/" + testUserID + "/f2/cat.png"
)

// seedRouting registers the captured connection (alice, a workspace
// admin) and what every routing case needs: users u2, u3 and u4, channel
// r1 of which alice and u2 are the owners with nine of alice's messages
// and one of u2's (seq 10, reported as rep1), u4 banned from r1, a file
// and an image with its thumbnail uploaded to r1, and a picture of u2. It
// returns alice's stored connection.
func seedRouting(t *testing.T, c *testChat) chat.Connection {
	t.Helper()
	admin := testConn
	admin.Groups = []string{chat.GroupAdmins} // for the people actions
	alice := c.register(admin)
	c.user("u2", testOtherConn)
	c.user("u3", "c3")
	c.user("u4", "c4")
	now := c.clock()
	err := c.store.CreateRoom(c.ctx, chat.Room{ID: "r1", Kind: chat.KindPublic, Name: "r1", CreatedBy: testUserID, CreatedAt: now},
		[]chat.Member{{RoomID: "r1", UserID: testUserID, Role: chat.RoleOwner, JoinedAt: now}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 9 {
		if _, err := c.svc.SendMessage(c.ctx, alice, protocol.SendMessageRequest{RoomID: "r1", ClientID: fmt.Sprint("seed-", i), Text: "m"}); err != nil {
			t.Fatal(err)
		}
	}
	now = c.clock()
	if err := c.store.AddMember(c.ctx, chat.Member{RoomID: "r1", UserID: "u2", Role: chat.RoleOwner, JoinedAt: now}); err != nil {
		t.Fatal(err)
	}
	theirs, _, err := c.store.AppendMessage(c.ctx, chat.Message{RoomID: "r1", ClientID: "u2-1", SenderID: "u2", Text: "spam", CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.store.PutReport(c.ctx, chat.Report{ID: "rep1", RoomID: "r1", Seq: theirs.Seq, ReporterID: testUserID, CreatedAt: now, Message: theirs}); err != nil {
		t.Fatal(err)
	}
	// Seq 11: alice's poll (vote, closePoll).
	if _, err := c.svc.CreatePoll(c.ctx, alice, protocol.CreatePollRequest{RoomID: "r1", ClientID: "poll-1", Question: "Q?", Options: []string{"a", "b"}}); err != nil {
		t.Fatal(err)
	}
	if err := c.store.PutBan(c.ctx, chat.Ban{RoomID: "r1", UserID: "u4", By: testUserID, BannedAt: now}); err != nil {
		t.Fatal(err)
	}
	// u2's private channel r2, to which alice holds an invitation.
	if err := c.store.CreateRoom(c.ctx, chat.Room{ID: "r2", Kind: chat.KindPrivate, Name: "r2", CreatedBy: "u2", CreatedAt: now},
		[]chat.Member{{RoomID: "r2", UserID: "u2", Role: chat.RoleOwner, JoinedAt: now}}); err != nil {
		t.Fatal(err)
	}
	if err := c.store.PutInvite(c.ctx, chat.Invite{RoomID: "r2", UserID: testUserID, InvitedBy: "u2", InvitedAt: now}); err != nil {
		t.Fatal(err)
	}
	avatar := chat.AvatarPrefix("u2") + "p.png"
	for key, typ := range map[string]string{
		routingFile:  "text/plain",
		routingImage: "image/png",
		chat.FileKey{RoomID: "r1", UserID: testUserID, FileID: "f2", Name: "cat.png"}.ThumbKey(): "image/jpeg",
		avatar: "image/png",
	} {
		if err := c.blobs.PutPinned(c.ctx, key, typ, []byte("0123456789")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.store.UpdateProfile(c.ctx, "u2", nil, nil, &avatar); err != nil {
		t.Fatal(err)
	}
	// Seq 12: alice's message with the image (requestDownload).
	if _, _, err := c.store.AppendMessage(c.ctx, chat.Message{RoomID: "r1", ClientID: "img-1", SenderID: testUserID, CreatedAt: now,
		Attachments: []chat.Attachment{{Key: routingImage, Name: "cat.png", Size: 10, Type: "image/png"}}}); err != nil {
		t.Fatal(err)
	}
	return alice
}

// testP256dh is RFC 8291's example user agent public key.
const testP256dh = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"

// TestActionRouting sends each action as a real MESSAGE event and checks it
// reaches the right service method with the decoded request and the
// caller's stored connection, and that the reply carries the request id.
func TestActionRouting(t *testing.T) {
	cases := []routingCase{
		{`{"action":"getState","requestId":"q"}`, "GetState", nil, protocol.EventState},
		{`{"action":"listUsers","requestId":"q","cursor":"c1"}`, "ListUsers", protocol.ListUsersRequest{Cursor: "c1"}, protocol.EventUsers},
		{`{"action":"updateProfile","requestId":"q","displayName":"Ada L.","avatarColor":"#ff0000"}`, "UpdateProfile",
			protocol.UpdateProfileRequest{DisplayName: ptr("Ada L."), AvatarColor: ptr("#ff0000")}, protocol.EventProfile},
		{`{"action":"createChannel","requestId":"q","name":"ops","topic":"pager duty","private":true}`, "CreateChannel",
			protocol.CreateChannelRequest{Name: "ops", Topic: "pager duty", Private: true}, protocol.EventRoom},
		{`{"action":"listChannels","requestId":"q"}`, "ListChannels", protocol.ListChannelsRequest{}, protocol.EventChannels},
		{`{"action":"joinChannel","requestId":"q","roomId":"r1"}`, "JoinChannel", protocol.RoomRequest{RoomID: "r1"}, protocol.EventRoom},
		{`{"action":"leaveChannel","requestId":"q","roomId":"r1"}`, "LeaveChannel", protocol.RoomRequest{RoomID: "r1"}, protocol.EventRoomRemoved},
		{`{"action":"inviteToChannel","requestId":"q","roomId":"r1","userIds":["u2","u3"]}`, "InviteToChannel",
			protocol.InviteRequest{RoomID: "r1", UserIDs: []string{"u2", "u3"}}, protocol.EventMembers},
		{`{"action":"updateChannel","requestId":"q","roomId":"r1","topic":""}`, "UpdateChannel",
			protocol.UpdateChannelRequest{RoomID: "r1", Topic: ptr("")}, protocol.EventRoom},
		{`{"action":"listMembers","requestId":"q","roomId":"r1"}`, "ListMembers", protocol.RoomRequest{RoomID: "r1"}, protocol.EventMembers},
		{`{"action":"openDirect","requestId":"q","userIds":["u2"]}`, "OpenDirect", protocol.OpenDirectRequest{UserIDs: []string{"u2"}}, protocol.EventRoom},
		{`{"action":"sendMessage","requestId":"q","roomId":"r1","clientId":"c-1","text":"hi","attachments":[{"key":"` + routingFile + `","name":"a.txt","size":10,"type":"text/plain"}]}`, "SendMessage",
			protocol.SendMessageRequest{RoomID: "r1", ClientID: "c-1", Text: "hi", Attachments: []chat.Attachment{{Key: routingFile, Name: "a.txt", Size: 10, Type: "text/plain"}}}, protocol.EventAck},
		{`{"action":"editMessage","requestId":"q","roomId":"r1","seq":7,"text":"fixed"}`, "EditMessage",
			protocol.EditMessageRequest{RoomID: "r1", Seq: 7, Text: "fixed"}, protocol.EventMessageUpdated},
		{`{"action":"deleteMessage","requestId":"q","roomId":"r1","seq":7}`, "DeleteMessage", protocol.MessageRef{RoomID: "r1", Seq: 7}, protocol.EventMessageUpdated},
		{`{"action":"history","requestId":"q","roomId":"r1","before":120,"limit":20}`, "History",
			protocol.HistoryRequest{RoomID: "r1", Before: 120, Limit: 20}, protocol.EventHistory},
		{`{"action":"resume","requestId":"q","rooms":{"r1":12,"general":0}}`, "Resume",
			protocol.ResumeRequest{Rooms: map[string]int64{"r1": 12, "general": 0}}, protocol.EventMissed},
		{`{"action":"search","requestId":"q","query":"deploy fri","rooms":["r1"],"limit":5,"order":"relevance"}`, "Search",
			protocol.SearchRequest{Query: "deploy fri", Rooms: []string{"r1"}, Limit: 5, Order: "relevance"}, protocol.EventSearchResults},
		{`{"action":"typing","requestId":"q","roomId":"r1"}`, "Typing", protocol.TypingRequest{RoomID: "r1"}, ""},
		{`{"action":"typing","requestId":"q","roomId":"r1","stopped":true}`, "Typing", protocol.TypingRequest{RoomID: "r1", Stopped: true}, ""},
		{`{"action":"markRead","requestId":"q","roomId":"r1","seq":9}`, "MarkRead", protocol.MarkReadRequest{RoomID: "r1", Seq: 9}, protocol.EventRead},
		{`{"action":"requestUpload","requestId":"q","roomId":"r1","name":"cat.png","size":2048,"type":"image/png","sha256":"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="}`, "RequestUpload",
			protocol.RequestUploadRequest{RoomID: "r1", Name: "cat.png", Size: 2048, Type: "image/png", SHA256: chat.SHA256Base64(nil)}, protocol.EventUploadTicket},
		{`{"action":"requestDownload","requestId":"q","roomId":"r1","seq":12,"key":"` + routingImage + `","thumb":true}`, "RequestDownload",
			protocol.RequestDownloadRequest{RoomID: "r1", Seq: 12, Key: routingImage, Thumb: true}, protocol.EventDownloadURL},
		{`{"action":"requestAvatarUpload","requestId":"q","size":4096,"type":"image/jpeg","sha256":"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="}`, "RequestAvatarUpload",
			protocol.RequestAvatarUploadRequest{Size: 4096, Type: "image/jpeg", SHA256: chat.SHA256Base64(nil)}, protocol.EventUploadTicket},
		{`{"action":"requestAvatarUrl","requestId":"q","userId":"u2"}`, "RequestAvatarURL",
			protocol.RequestAvatarURLRequest{UserID: "u2"}, protocol.EventAvatarURL},
		{`{"action":"archiveChannel","requestId":"q","roomId":"r1"}`, "ArchiveChannel", protocol.RoomRequest{RoomID: "r1"}, protocol.EventRoom},
		{`{"action":"unarchiveChannel","requestId":"q","roomId":"r1"}`, "UnarchiveChannel", protocol.RoomRequest{RoomID: "r1"}, protocol.EventRoom},
		{`{"action":"deleteChannel","requestId":"q","roomId":"r1"}`, "DeleteChannel", protocol.RoomRequest{RoomID: "r1"}, protocol.EventRoomRemoved},
		{`{"action":"setMemberRole","requestId":"q","roomId":"r1","userId":"u2","role":"moderator"}`, "SetMemberRole",
			protocol.SetMemberRoleRequest{RoomID: "r1", UserID: "u2", Role: chat.RoleModerator}, protocol.EventMembers},
		{`{"action":"muteMember","requestId":"q","roomId":"r1","userId":"u2","minutes":10,"reason":"calm down"}`, "MuteMember",
			protocol.MuteMemberRequest{RoomID: "r1", UserID: "u2", Minutes: 10, Reason: "calm down"}, protocol.EventMembers},
		{`{"action":"unmuteMember","requestId":"q","roomId":"r1","userId":"u2"}`, "UnmuteMember", protocol.MemberActionRequest{RoomID: "r1", UserID: "u2"}, protocol.EventMembers},
		{`{"action":"removeMember","requestId":"q","roomId":"r1","userId":"u2"}`, "RemoveMember", protocol.MemberActionRequest{RoomID: "r1", UserID: "u2"}, protocol.EventMembers},
		{`{"action":"banMember","requestId":"q","roomId":"r1","userId":"u2","reason":"spam"}`, "BanMember",
			protocol.MemberActionRequest{RoomID: "r1", UserID: "u2", Reason: "spam"}, protocol.EventBans},
		{`{"action":"unbanMember","requestId":"q","roomId":"r1","userId":"u4"}`, "UnbanMember", protocol.MemberActionRequest{RoomID: "r1", UserID: "u4"}, protocol.EventBans},
		{`{"action":"listBans","requestId":"q","roomId":"r1"}`, "ListBans", protocol.RoomRequest{RoomID: "r1"}, protocol.EventBans},
		{`{"action":"reportMessage","requestId":"q","roomId":"r1","seq":10,"reason":"spam"}`, "ReportMessage",
			protocol.ReportMessageRequest{RoomID: "r1", Seq: 10, Reason: "spam"}, protocol.EventReport},
		{`{"action":"listReports","requestId":"q"}`, "ListReports", protocol.ListReportsRequest{}, protocol.EventReports},
		{`{"action":"resolveReport","requestId":"q","reportId":"rep1","resolution":"dismiss"}`, "ResolveReport",
			protocol.ResolveReportRequest{ReportID: "rep1", Resolution: "dismiss"}, protocol.EventReport},
		{`{"action":"listAudit","requestId":"q"}`, "ListAudit", protocol.ListAuditRequest{}, protocol.EventAudit},
		{`{"action":"getAnalytics","requestId":"q","from":"2026-11-01","to":"2026-11-30"}`, "GetAnalytics", protocol.GetAnalyticsRequest{From: "2026-11-01", To: "2026-11-30"}, protocol.EventAnalytics},
		{`{"action":"acceptInvite","requestId":"q","roomId":"r2"}`, "AcceptInvite", protocol.RoomRequest{RoomID: "r2"}, protocol.EventRoom},
		{`{"action":"declineInvite","requestId":"q","roomId":"r2"}`, "DeclineInvite", protocol.RoomRequest{RoomID: "r2"}, protocol.EventInvites},
		{`{"action":"ping","requestId":"q"}`, "Ping", nil, protocol.EventPong},
		{`{"action":"listPeople","requestId":"q","query":"u"}`, "ListPeople", protocol.ListPeopleRequest{Query: "u"}, protocol.EventPeople},
		{`{"action":"invitePerson","requestId":"q","email":"new@example.com","displayName":"New"}`, "InvitePerson",
			protocol.InvitePersonRequest{Email: "new@example.com", DisplayName: "New"}, protocol.EventPerson},
		{`{"action":"setWorkspaceRole","requestId":"q","username":"u2","role":"moderator"}`, "SetWorkspaceRole",
			protocol.SetWorkspaceRoleRequest{Username: "u2", Role: chat.WorkspaceModerator}, protocol.EventPerson},
		{`{"action":"deactivatePerson","requestId":"q","username":"u2"}`, "DeactivatePerson", protocol.PersonRequest{Username: "u2"}, protocol.EventPerson},
		{`{"action":"deleteUser","requestId":"q","username":"u2"}`, "DeleteUser", protocol.PersonRequest{Username: "u2"}, protocol.EventAccountDeletion},
		{`{"action":"deleteAccount","requestId":"q","confirm":"DELETE"}`, "DeleteAccount", protocol.DeleteAccountRequest{Confirm: "DELETE"}, protocol.EventAccountDeletion},
		{`{"action":"reactivatePerson","requestId":"q","username":"u2"}`, "ReactivatePerson", protocol.PersonRequest{Username: "u2"}, protocol.EventPerson},
		{`{"action":"acceptTerms","requestId":"q","version":"2026-11"}`, "AcceptTerms", protocol.AcceptTermsRequest{Version: "2026-11"}, protocol.EventTerms},
		{`{"action":"setPreferences","requestId":"q","appearance":{"theme":"dark"},"notify":{"dnd":{"enabled":true,"tz":"Europe/Berlin"}}}`, "SetPreferences",
			protocol.SetPreferencesRequest{Appearance: &protocol.AppearancePatch{Theme: ptr("dark")}, Notify: &protocol.NotifyPatch{DND: &protocol.DNDPatch{Enabled: ptr(true), TZ: ptr("Europe/Berlin")}}}, protocol.EventPreferences},
		{`{"action":"setRoomNotify","requestId":"q","roomId":"r1","level":"all","muteUntil":""}`, "SetRoomNotify",
			protocol.SetRoomNotifyRequest{RoomID: "r1", Level: ptr("all"), MuteUntil: ptr("")}, protocol.EventPreferences},
		{`{"action":"setVisibility","requestId":"q","visible":false}`, "SetVisibility", protocol.SetVisibilityRequest{Visible: false}, ""},
		{`{"action":"pushSubscribe","requestId":"q","endpoint":"https://push.example/p/1","keys":{"p256dh":"` + testP256dh + `","auth":"BTBZMqHH6r4Tts7J_aSIgg"},"device":"laptop"}`, "PushSubscribe",
			protocol.PushSubscribeRequest{Endpoint: "https://push.example/p/1", Keys: protocol.PushKeys{P256dh: testP256dh, Auth: "BTBZMqHH6r4Tts7J_aSIgg"}, Device: "laptop"}, protocol.EventPushSubscribed},
		{`{"action":"pushUnsubscribe","requestId":"q","endpoint":"https://push.example/p/1"}`, "PushUnsubscribe",
			protocol.PushUnsubscribeRequest{Endpoint: "https://push.example/p/1"}, protocol.EventPushSubscribed},
		{`{"action":"blockUser","requestId":"q","userId":"u2"}`, "BlockUser", protocol.BlockUserRequest{UserID: "u2"}, protocol.EventPreferences},
		{`{"action":"unblockUser","requestId":"q","userId":"u2"}`, "UnblockUser", protocol.BlockUserRequest{UserID: "u2"}, protocol.EventPreferences},
		{`{"action":"listBlocked","requestId":"q"}`, "ListBlocked", nil, protocol.EventUsers},
		{`{"action":"react","requestId":"q","roomId":"r1","seq":7,"emoji":"👍","on":true}`, "React",
			protocol.ReactRequest{RoomID: "r1", Seq: 7, Emoji: "👍", On: true}, protocol.EventMessageUpdated},
		{`{"action":"pinMessage","requestId":"q","roomId":"r1","seq":7,"pinned":true}`, "PinMessage",
			protocol.PinMessageRequest{RoomID: "r1", Seq: 7, Pinned: true}, protocol.EventMessageUpdated},
		{`{"action":"listPins","requestId":"q","roomId":"r1"}`, "ListPins", protocol.RoomRequest{RoomID: "r1"}, protocol.EventPins},
		{`{"action":"createPoll","requestId":"q","roomId":"r1","clientId":"c1","question":"Q?","options":["a","b"],"multiple":true}`, "CreatePoll",
			protocol.CreatePollRequest{RoomID: "r1", ClientID: "c1", Question: "Q?", Options: []string{"a", "b"}, Multiple: true}, protocol.EventAck},
		{`{"action":"vote","requestId":"q","roomId":"r1","seq":11,"options":[1]}`, "Vote",
			protocol.VoteRequest{RoomID: "r1", Seq: 11, Options: []int{1}}, protocol.EventMessageUpdated},
		{`{"action":"closePoll","requestId":"q","roomId":"r1","seq":11}`, "ClosePoll", protocol.MessageRef{RoomID: "r1", Seq: 11}, protocol.EventMessageUpdated},
		{`{"action":"saveMessage","requestId":"q","roomId":"r1","seq":7,"saved":true}`, "SaveMessage",
			protocol.SaveMessageRequest{RoomID: "r1", Seq: 7, Saved: true}, protocol.EventSaved},
		{`{"action":"listSaved","requestId":"q","limit":5}`, "ListSaved", protocol.ListSavedRequest{Limit: 5}, protocol.EventSavedItems},
		{`{"action":"searchGifs","requestId":"q","query":"cat","pos":"4"}`, "SearchGifs", protocol.SearchGifsRequest{Query: "cat", Pos: "4"}, protocol.EventGifs},
		{`{"action":"messageVersions","requestId":"q","roomId":"r1","seq":7}`, "MessageVersions", protocol.MessageRef{RoomID: "r1", Seq: 7}, protocol.EventVersions},
		{`{"action":"threadHistory","requestId":"q","roomId":"r1","parentSeq":7,"before":20,"limit":10}`, "ThreadHistory",
			protocol.ThreadHistoryRequest{RoomID: "r1", ParentSeq: 7, Before: 20, Limit: 10}, protocol.EventThreadHistory},
		{`{"action":"followThread","requestId":"q","roomId":"r1","parentSeq":7,"follow":true}`, "FollowThread",
			protocol.FollowThreadRequest{RoomID: "r1", ParentSeq: 7, Follow: true}, protocol.EventThreadFollow},
		{`{"action":"markThreadRead","requestId":"q","roomId":"r1","parentSeq":7,"seq":9}`, "MarkThreadRead",
			protocol.MarkThreadReadRequest{RoomID: "r1", ParentSeq: 7, Seq: 9}, protocol.EventThreadFollow},
		{`{"action":"listThreads","requestId":"q"}`, "ListThreads", nil, protocol.EventThreads},
		{`{"action":"removePreview","requestId":"q","roomId":"r1","seq":7,"url":"https://example.com/"}`, "RemovePreview",
			protocol.RemovePreviewRequest{RoomID: "r1", Seq: 7, URL: "https://example.com/"}, protocol.EventMessageUpdated},
		{`{"action":"scheduleMessage","requestId":"q","roomId":"r1","text":"later","at":"2024-01-20T12:30:00Z","clientId":"s2"}`, "ScheduleMessage",
			protocol.ScheduleMessageRequest{RoomID: "r1", Text: "later", At: time.Date(2024, 1, 20, 12, 30, 0, 0, time.UTC), ClientID: "s2"}, protocol.EventScheduled},
		{`{"action":"remindMe","requestId":"q","roomId":"r1","seq":7,"at":"2024-01-20T12:30:00Z"}`, "RemindMe",
			protocol.RemindMeRequest{RoomID: "r1", Seq: 7, At: time.Date(2024, 1, 20, 12, 30, 0, 0, time.UTC)}, protocol.EventScheduled},
		{`{"action":"listScheduled","requestId":"q"}`, "ListScheduled", nil, protocol.EventScheduledItems},
		{`{"action":"editScheduled","requestId":"q","id":"s1","text":"edited"}`, "EditScheduled",
			protocol.EditScheduledRequest{ID: "s1", Text: ptr("edited")}, protocol.EventScheduled},
		{`{"action":"cancelScheduled","requestId":"q","id":"s1"}`, "CancelScheduled", protocol.ScheduledRef{ID: "s1"}, protocol.EventScheduled},
		{`{"action":"requestExport","requestId":"q"}`, "RequestExport", nil, protocol.EventExport},
		{`{"action":"exportStatus","requestId":"q"}`, "ExportStatus", nil, protocol.EventExport},
		{`{"action":"requestExportDownload","requestId":"q","userId":"u2"}`, "RequestExportDownload",
			protocol.ExportDownloadRequest{UserID: "u2"}, protocol.EventExportDownload},
		{`{"action":"exportUser","requestId":"q","userId":"u2"}`, "ExportUser", protocol.ExportUserRequest{UserID: "u2"}, protocol.EventExport},
		{`{"action":"getWorkspaceSettings","requestId":"q"}`, "GetWorkspaceSettings", nil, protocol.EventWorkspaceSettings},
		{`{"action":"setWorkspaceSettings","requestId":"q","retentionDays":30}`, "SetWorkspaceSettings",
			protocol.SetWorkspaceSettingsRequest{RetentionDays: ptr(30)}, protocol.EventWorkspaceSettings},
		{`{"action":"setRoomRetention","requestId":"q","roomId":"r1","retentionDays":90}`, "SetRoomRetention",
			protocol.SetRoomRetentionRequest{RoomID: "r1", RetentionDays: ptr(90)}, protocol.EventRoom},
		{`{"action":"createBot","requestId":"q","name":"Deploy bot"}`, "CreateBot", protocol.CreateBotRequest{Name: "Deploy bot"}, protocol.EventBot},
		{`{"action":"listBots","requestId":"q"}`, "ListBots", nil, protocol.EventBots},
		{`{"action":"rotateBotToken","requestId":"q","botId":"bot_1"}`, "RotateBotToken", protocol.BotRequest{BotID: "bot_1"}, protocol.EventBot},
		{`{"action":"deleteBot","requestId":"q","botId":"bot_1"}`, "DeleteBot", protocol.BotRequest{BotID: "bot_1"}, protocol.EventBot},
		{`{"action":"addBotToRoom","requestId":"q","roomId":"r1","botId":"bot_1"}`, "AddBotToRoom", protocol.RoomBotRequest{RoomID: "r1", BotID: "bot_1"}, protocol.EventMembers},
		{`{"action":"removeBotFromRoom","requestId":"q","roomId":"r1","botId":"bot_1"}`, "RemoveBotFromRoom", protocol.RoomBotRequest{RoomID: "r1", BotID: "bot_1"}, protocol.EventMembers},
		{`{"action":"createWebhook","requestId":"q","roomId":"r1","name":"CI"}`, "CreateWebhook",
			protocol.CreateWebhookRequest{RoomID: "r1", Name: "CI"}, protocol.EventWebhook},
		{`{"action":"listWebhooks","requestId":"q","roomId":"r1"}`, "ListWebhooks",
			protocol.ListWebhooksRequest{RoomID: "r1"}, protocol.EventWebhooks},
		{`{"action":"rotateWebhookSecret","requestId":"q","roomId":"r1","webhookId":"wh_1"}`, "RotateWebhookSecret",
			protocol.WebhookRef{RoomID: "r1", WebhookID: "wh_1"}, protocol.EventWebhook},
		{`{"action":"revokeWebhook","requestId":"q","roomId":"r1","webhookId":"wh_1"}`, "RevokeWebhook",
			protocol.WebhookRef{RoomID: "r1", WebhookID: "wh_1"}, protocol.EventWebhook},
		{`{"action":"registerCommand","requestId":"q","roomId":"r1","command":"/deploy","url":"https://example.com/c"}`, "RegisterCommand",
			protocol.RegisterCommandRequest{RoomID: "r1", Command: "/deploy", URL: "https://example.com/c"}, protocol.EventIntegration},
		{`{"action":"listCommands","requestId":"q","roomId":"r1"}`, "ListCommands", protocol.ListCommandsRequest{RoomID: "r1"}, protocol.EventCommands},
		{`{"action":"deleteCommand","requestId":"q","roomId":"r1","id":"ig_cmd"}`, "DeleteCommand",
			protocol.DeleteIntegrationRequest{RoomID: "r1", ID: "ig_cmd"}, protocol.EventIntegrationDeleted},
		{`{"action":"runCommand","requestId":"q","roomId":"r1","command":"ping","clientId":"k1"}`, "RunCommand",
			protocol.RunCommandRequest{RoomID: "r1", Command: "ping", ClientID: "k1"}, protocol.EventCommandResult},
		{`{"action":"registerOutgoingWebhook","requestId":"q","roomId":"r1","url":"https://example.com/o2","allMessages":true}`, "RegisterOutgoingWebhook",
			protocol.RegisterOutgoingWebhookRequest{RoomID: "r1", URL: "https://example.com/o2", AllMessages: true}, protocol.EventIntegration},
		{`{"action":"deleteOutgoingWebhook","requestId":"q","roomId":"r1","id":"ig_out"}`, "DeleteOutgoingWebhook",
			protocol.DeleteIntegrationRequest{RoomID: "r1", ID: "ig_out"}, protocol.EventIntegrationDeleted},
		// Customer support (issue 17).
		{`{"action":"saveSupportTeam","requestId":"q","team":{"name":"Billing"}}`, "SaveSupportTeam", protocol.SaveSupportTeamRequest{Team: chat.SupportTeam{Name: "Billing"}}, protocol.EventSupportTeam},
		{`{"action":"deleteSupportTeam","requestId":"q","teamId":"team_1"}`, "DeleteSupportTeam", protocol.SupportTeamRef{TeamID: "team_1"}, protocol.EventSupportTeam},
		{`{"action":"listSupportTeams","requestId":"q"}`, "ListSupportTeams", nil, protocol.EventSupportTeams},
		{`{"action":"saveCannedAnswer","requestId":"q","answer":{"shortcut":"hi","title":"Hi","text":"Hello"}}`, "SaveCannedAnswer",
			protocol.SaveCannedAnswerRequest{Answer: chat.CannedAnswer{Shortcut: "hi", Title: "Hi", Text: "Hello"}}, protocol.EventCannedAnswer},
		{`{"action":"deleteCannedAnswer","requestId":"q","id":"can_1"}`, "DeleteCannedAnswer", protocol.CannedAnswerRef{ID: "can_1"}, protocol.EventCannedAnswer},
		{`{"action":"listCannedAnswers","requestId":"q","teamId":"team_1"}`, "ListCannedAnswers", protocol.ListCannedAnswersRequest{TeamID: "team_1"}, protocol.EventCannedAnswers},
		{`{"action":"setAgentStatus","requestId":"q","availability":"online"}`, "SetAgentStatus", protocol.SetAgentStatusRequest{Availability: "online"}, protocol.EventAgentStatus},
		{`{"action":"getSupportInbox","requestId":"q"}`, "GetSupportInbox", nil, protocol.EventSupportInbox},
		{`{"action":"claimSupport","requestId":"q","roomId":"s1"}`, "ClaimSupport", protocol.RoomRequest{RoomID: "s1"}, protocol.EventSupportConversation},
		{`{"action":"transferSupport","requestId":"q","roomId":"s1","toTeamId":"team_2","note":"n"}`, "TransferSupport",
			protocol.TransferSupportRequest{RoomID: "s1", ToTeamID: "team_2", Note: "n"}, protocol.EventSupportConversation},
		{`{"action":"escalateSupport","requestId":"q","roomId":"s1","priority":"high"}`, "EscalateSupport",
			protocol.EscalateSupportRequest{RoomID: "s1", Priority: "high"}, protocol.EventSupportConversation},
		{`{"action":"closeSupport","requestId":"q","roomId":"s1"}`, "CloseSupport", protocol.RoomRequest{RoomID: "s1"}, protocol.EventSupportConversation},
		{`{"action":"reopenSupport","requestId":"q","roomId":"s2"}`, "ReopenSupport", protocol.RoomRequest{RoomID: "s2"}, protocol.EventSupportConversation},
		{`{"action":"addSupportNote","requestId":"q","roomId":"s1","text":"n"}`, "AddSupportNote", protocol.AddSupportNoteRequest{RoomID: "s1", Text: "n"}, protocol.EventAck},
		{`{"action":"listVisitorConversations","requestId":"q","visitorId":"` + routingVisitor + `"}`, "ListVisitorConversations",
			protocol.ListVisitorConversationsRequest{VisitorID: routingVisitor}, protocol.EventSupportConversations},
		{`{"action":"startSupport","requestId":"q","topic":"billing","page":{"url":"https://a.example/"}}`, "StartSupport",
			protocol.StartSupportRequest{Topic: "billing", Page: chat.SupportPage{URL: "https://a.example/"}}, protocol.EventSupportStarted},
		{`{"action":"requestHuman","requestId":"q","roomId":"s3"}`, "RequestHuman", protocol.RoomRequest{RoomID: "s3"}, protocol.EventSupportConversation},
		{`{"action":"rateSupport","requestId":"q","roomId":"s2","score":4}`, "RateSupport", protocol.RateSupportRequest{RoomID: "s2", Score: 4}, protocol.EventSupportConversation},
		// support-hours (supporthours_routing_test.go seeds them).
		{`{"action":"leaveSupportMessage","requestId":"q","email":"kim@example.org","text":"Where is my parcel?","page":{"url":"https://a.example/"}}`, "LeaveSupportMessage",
			protocol.LeaveSupportMessageRequest{Email: "kim@example.org", Text: "Where is my parcel?", Page: chat.SupportPage{URL: "https://a.example/"}}, protocol.EventSupportStarted},
		{`{"action":"requestTranscript","requestId":"q","roomId":"s2","email":"kim@example.org"}`, "RequestTranscript", protocol.RequestTranscriptRequest{RoomID: "s2", Email: "kim@example.org"}, protocol.EventTranscriptRequested},
		{`{"action":"handOverSupport","requestId":"q","roomId":"s3","reason":"asks about a refund"}`, "HandOverSupport", protocol.HandOverSupportRequest{RoomID: "s3", Reason: "asks about a refund"}, protocol.EventSupportConversation},
		{`{"action":"resume","requestId":"q","rooms":{"r1":12},"changes":{"r1":0}}`, "Resume",
			protocol.ResumeRequest{Rooms: map[string]int64{"r1": 12}, Changes: map[string]int64{"r1": 0}}, protocol.EventMissed},
	}
	cases = append(cases, widgetRoutingCases...) // widgets_routing_test.go
	for _, c := range callRoutingCases {         // calls_routing_test.go (element-wise: an unnamed struct type)
		cases = append(cases, c)
	}
	for _, c := range keyRoutingCases { // e2ee_keys_routing_test.go
		cases = append(cases, c)
	}
	covered := map[string]bool{}
	for _, tc := range cases {
		c := newTestChat(t, func(cfg *service.Config) {
			cfg.People = chattest.NewDirectory(chat.Person{UserID: "u2", Username: "u2", Email: "u2@example.com", DisplayName: "u2", Role: chat.WorkspaceMember, Status: chat.PersonActive})
			cfg.Closer = &chattest.Closer{}
			cfg.Erasure = noErasure{}
			cfg.PushKey = "test-push-key"
			cfg.Timer = nopTimer{}
			cfg.Gifs = &chattest.Gifs{}
			cfg.ExportQueue = nopExportQueue{}
			cfg.TermsVersion = "2026-11" // accepted below: every action passes the gate
			cfg.Hooks = routingHooks     // integrations_routing_test.go
		})
		alice := seedRouting(t, c)
		seedIntegrations(t, c)
		seedWidgets(t, c)
		if err := c.store.AcceptTerms(c.ctx, testUserID, chat.TermsAcceptance{Version: "2026-11", AcceptedAt: c.clock()}); err != nil {
			t.Fatal(err)
		}
		// A ready export of u2's that alice (an admin) asked for.
		if err := c.store.CreateExport(c.ctx, chat.Export{ID: "x1", UserID: "u2", State: chat.ExportReady, RequestedBy: testUserID,
			CreatedAt: c.clock(), ExpiresAt: c.clock().Add(time.Hour), Key: chat.ExportKey("u2", "x1")}, c.clock()); err != nil {
			t.Fatal(err)
		}
		// A scheduled message of alice's for editScheduled and cancelScheduled.
		if err := c.store.PutScheduled(c.ctx, chat.ScheduledItem{ID: "s1", UserID: testUserID, Kind: chat.ScheduledMessage, RoomID: "r1",
			Text: "x", ClientID: "s1", At: c.clock().Add(time.Hour)}, 0); err != nil {
			t.Fatal(err)
		}
		seedBot(t, c)   // bot_1, in r1: the bot actions (bots_test.go)
		seedCalls(t, c) // r3's call (calls_routing_test.go)
		// A webhook of r1 for rotateWebhookSecret and revokeWebhook.
		if err := c.store.CreateWebhook(c.ctx, chat.Webhook{ID: "wh_1", RoomID: "r1", Name: "CI", CreatedBy: testUserID, CreatedAt: c.clock()}); err != nil {
			t.Fatal(err)
		}
		if seed, ok := routingSeeds[tc.method]; ok { // support_routing_test.go
			alice = seed(t, c, alice)
		}
		resp := c.do(tc.body)
		calls := c.recorded()
		if len(calls) != 1 {
			t.Fatalf("%s: calls = %+v, want one %s", tc.body, calls, tc.method)
		}
		got := calls[0]
		if got.method != tc.method {
			t.Errorf("%s: called %s, want %s", tc.body, got.method, tc.method)
		}
		if !reflect.DeepEqual(got.req, tc.req) {
			t.Errorf("%s: request = %#v, want %#v", tc.body, got.req, tc.req)
		}
		wantConn := alice
		if tc.method == "Ping" {
			wantConn = chat.Connection{} // ping needs no connection
		}
		if !reflect.DeepEqual(got.conn, wantConn) {
			t.Errorf("%s: connection = %+v, want the stored %+v", tc.body, got.conn, wantConn)
		}
		if tc.wantType == "" {
			if resp.StatusCode != 200 || resp.Body != "" {
				t.Errorf("%s: response = %d %q, want 200 with no body", tc.body, resp.StatusCode, resp.Body)
			}
		} else {
			reply := replyOf(t, resp)
			if reply["type"] != tc.wantType || reply["requestId"] != "q" {
				t.Errorf("%s: reply = %s, want type %s and requestId q", tc.body, resp.Body, tc.wantType)
			}
		}
		var env protocol.Envelope
		_ = decodeEnvelopeForTest(tc.body, &env)
		covered[env.Action] = true
		row, _ := protocol.LookupAction(env.Action)
		if row.Reply != tc.wantType {
			t.Errorf("%s: the table says the reply is %q, the service answered %q", tc.body, row.Reply, tc.wantType)
		}
	}
	for _, a := range protocol.ActionTable {
		if !covered[a.Name] {
			t.Errorf("action %s has no routing case", a.Name)
		}
	}
}

// decodeEnvelopeForTest reads a test frame's envelope.
func decodeEnvelopeForTest(body string, env *protocol.Envelope) error {
	f, err := decodeFrame([]byte(body), nil)
	env.Action, env.RequestID = f.action, f.requestID
	return err
}

// A forged identity in the payload is ignored: the service gets the stored
// connection, and the request struct has no place for it.
func TestForgedIdentityFieldsAreIgnored(t *testing.T) {
	c := newTestChat(t)
	c.register(testConn)
	resp, _ := c.actions.Handle(c.ctx, loadEvent(t, "send-message.json"))
	if reply := replyOf(t, resp); reply["type"] != protocol.EventAck || reply["requestId"] != "r-1" {
		t.Fatalf("reply = %s", resp.Body)
	}
	calls := c.recorded()
	want := protocol.SendMessageRequest{RoomID: "general", ClientID: "01HMG5K4Z8Q3", Text: "hello @bob"}
	if !reflect.DeepEqual(calls[0].req, want) || calls[0].conn.UserID != testUserID {
		t.Fatalf("call = %+v, want %+v from user %s", calls[0], want, testUserID)
	}
	if m, err := c.store.GetMessage(c.ctx, chat.GeneralRoomID, 1); err != nil || m.SenderID != testUserID {
		t.Fatalf("stored message %+v, %v: want sent by %s", m, err, testUserID)
	}
}

func TestPingAnswersWithoutTouchingTheService(t *testing.T) {
	c := newTestChat(t) // no registered connection: ping must not look
	c.failStore()
	resp := c.do(`{"action":"ping","requestId":"p-1"}`)
	reply := replyOf(t, resp)
	if reply["type"] != protocol.EventPong || reply["requestId"] != "p-1" || reply["time"] != float64(testClock) {
		t.Fatalf("reply = %s", resp.Body)
	}
	if calls := c.recorded(); len(calls) != 1 || calls[0].method != "Ping" {
		t.Fatalf("calls = %+v, want only Ping", calls)
	}
}

func TestBinaryFramesAreDecoded(t *testing.T) {
	c := newTestChat(t)
	resp, _ := c.actions.Handle(c.ctx, loadEvent(t, "default-binary.json"))
	if reply := replyOf(t, resp); reply["type"] != protocol.EventPong || reply["requestId"] != "b-1" {
		t.Fatalf("reply = %s", resp.Body)
	}
}

// TestBadFrames checks that every malformed frame gets an error event with
// the code, a message saying what was wrong, the request id when it could be
// read and the trace id, without reaching the service.
func TestBadFrames(t *testing.T) {
	cases := []struct {
		name, body  string
		requestID   string
		action      string
		wantMessage string
	}{
		{"not JSON", "hello there", "", "", "malformed JSON: invalid character 'h' looking for beginning of value"},
		{"truncated JSON", `{"action":"ping"`, "", "", "malformed JSON: unexpected end of JSON input"},
		{"empty frame", ``, "", "", "malformed JSON: unexpected end of JSON input"},
		{"JSON array", `[{"action":"ping"}]`, "", "", "frame must be a JSON object, got an array"},
		{"JSON string", `"ping"`, "", "", "frame must be a JSON object, got a string"},
		{"JSON number", `7`, "", "", "frame must be a JSON object, got a number"},
		{"JSON boolean", `true`, "", "", "frame must be a JSON object, got a boolean"},
		{"JSON null", `null`, "", "", "frame must be a JSON object, got null"},
		{"missing action", `{"requestId":"r-2","roomId":"general"}`, "r-2", "", `missing field "action"`},
		{"null action", `{"requestId":"r-2","action":null}`, "r-2", "", `missing field "action"`},
		{"action in another case", `{"requestId":"r-2","Action":"ping"}`, "r-2", "", `missing field "action"`},
		{"action not a string", `{"requestId":"r-3","action":7}`, "r-3", "", `field "action" must be a string`},
		// The action is echoed wherever it can be read.
		{"requestId not a string", `{"requestId":7,"action":"ping"}`, "", "ping", `field "requestId" must be a string`},
		{"unknown action", `{"action":"foo","requestId":"r-4"}`, "r-4", "foo", `unknown action "foo"`},
		{"invalid UTF-8", "{\"action\":\"sendMessage\",\"requestId\":\"r-5\",\"text\":\"\xff\xfe\"}", "r-5", "sendMessage", "frame is not valid UTF-8"},
		{"bad base64", "", "", "", ""}, // filled below
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestChat(t)
			c.register(testConn)
			c.failStore()
			req := frameEvent(t, tc.body)
			want := tc.wantMessage
			if tc.name == "bad base64" {
				req.IsBase64Encoded, req.Body, want = true, "%%%", "binary frame is not valid base64"
			}
			resp, err := c.actions.Handle(c.ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			ev := errorOf(t, resp)
			if ev.Code != chat.Invalid || ev.Message != want || ev.RequestID != tc.requestID || ev.TraceID != testTraceID || ev.Action != tc.action {
				t.Errorf("error event = %+v, want code invalid, message %q, requestId %q, action %q, traceId %s", ev, want, tc.requestID, tc.action, testTraceID)
			}
			if calls := c.recorded(); len(calls) != 0 {
				t.Errorf("bad frame reached the service: %+v", calls)
			}
			if c.logs.Len() != 0 {
				t.Errorf("client errors must not be logged, got %s", c.logs.String())
			}
		})
	}
}

// TestWrongTypedFields checks that a known field of the wrong type is named
// in the error, for top-level fields and nested ones.
func TestWrongTypedFields(t *testing.T) {
	cases := []struct{ body, want string }{
		{`{"action":"joinChannel","requestId":"w","roomId":42}`, `field "roomId" must be a string`},
		{`{"action":"sendMessage","requestId":"w","roomId":"r","clientId":"c","text":["hi"]}`, `field "text" must be a string`},
		{`{"action":"editMessage","requestId":"w","roomId":"r","seq":"7","text":"x"}`, `field "seq" must be an integer`},
		{`{"action":"history","requestId":"w","roomId":"r","before":1.5}`, `field "before" must be an integer`},
		{`{"action":"createChannel","requestId":"w","name":"n","private":"yes"}`, `field "private" must be a boolean`},
		{`{"action":"inviteToChannel","requestId":"w","roomId":"r","userIds":"u2"}`, `field "userIds" must be an array`},
		{`{"action":"openDirect","requestId":"w","userIds":[1,2]}`, `field "userIds" must contain only strings`},
		{`{"action":"resume","requestId":"w","rooms":{"r":"x"}}`, `field "rooms" must contain only integers`},
		{`{"action":"resume","requestId":"w","rooms":[1]}`, `field "rooms" must be an object`},
		{`{"action":"updateProfile","requestId":"w","displayName":false}`, `field "displayName" must be a string`},
		{`{"action":"sendMessage","requestId":"w","roomId":"r","clientId":"c","text":"t","attachments":[{"key":"k","size":"big"}]}`, `field "attachments.size" must be an integer`},
		{`{"action":"typing","requestId":"w","roomId":{}}`, `field "roomId" must be a string`},
		// The wrong field first, the envelope after it.
		{`{"roomId":42,"requestId":"w","action":"joinChannel"}`, `field "roomId" must be a string`},
	}
	for _, tc := range cases {
		c := newTestChat(t)
		c.register(testConn)
		// Only the connection lookup may reach the store: not the budget,
		// not the action's method.
		c.failStore("GetConnection")
		resp := c.do(tc.body)
		ev := errorOf(t, resp)
		var env protocol.Envelope
		_ = decodeEnvelopeForTest(tc.body, &env)
		if ev.Code != chat.Invalid || ev.Message != tc.want || ev.RequestID != "w" || ev.Action != env.Action || ev.TraceID != testTraceID {
			t.Errorf("%s: error event = %+v, want invalid %q", tc.body, ev, tc.want)
		}
		if calls := c.recorded(); len(calls) != 0 {
			t.Errorf("%s: calls = %+v, want only the connection lookup", tc.body, calls)
		}
	}
}

// A frame on the $default route that names a known action (API Gateway
// never sends one; a gateway without that route would) still runs it.
func TestKnownActionOnTheDefaultRoute(t *testing.T) {
	c := newTestChat(t)
	c.register(testConn)
	req := frameEvent(t, `{"action":"listMembers","requestId":"d","roomId":"general"}`)
	req.RequestContext.RouteKey = "$default"
	resp, _ := c.actions.Handle(c.ctx, req)
	if reply := replyOf(t, resp); reply["type"] != protocol.EventMembers || reply["requestId"] != "d" {
		t.Fatalf("reply = %s", resp.Body)
	}
	// And a frame whose route is another action's is run as the one it names.
	req = frameEvent(t, `{"action":"ping","requestId":"p"}`)
	req.RequestContext.RouteKey = protocol.ActionSendMessage
	resp, _ = c.actions.Handle(c.ctx, req)
	if reply := replyOf(t, resp); reply["type"] != protocol.EventPong {
		t.Fatalf("reply = %s", resp.Body)
	}
}

func TestUnregisteredConnectionIsForbidden(t *testing.T) {
	c := newTestChat(t) // nothing registered
	c.failStore("GetConnection")
	resp := c.do(`{"action":"getState","requestId":"s"}`)
	ev := errorOf(t, resp)
	if ev.Code != chat.Forbidden || ev.Message != "connection not registered" || ev.RequestID != "s" || ev.Action != "getState" {
		t.Fatalf("error event = %+v", ev)
	}
	if calls := c.recorded(); len(calls) != 0 {
		t.Fatalf("calls = %+v, want only the lookup", calls)
	}
	// A wrong-typed field of an unregistered caller: the connection first.
	ev = errorOf(t, c.do(`{"action":"joinChannel","requestId":"s","roomId":42}`))
	if ev.Code != chat.Forbidden {
		t.Fatalf("error event = %+v, want forbidden", ev)
	}
}

// TestServiceErrorsMapToCodes checks each chat.Error code reaches the client
// with its message, and that only Internal errors are logged (with the
// cause kept out of the reply).
func TestServiceErrorsMapToCodes(t *testing.T) {
	cases := []struct {
		err         error
		wantCode    chat.Code
		wantMessage string
	}{
		{chat.Errorf(chat.Invalid, "text is empty"), chat.Invalid, "text is empty"},
		{chat.Errorf(chat.NotFound, "room not found"), chat.NotFound, "room not found"},
		{chat.Errorf(chat.Forbidden, "not a member of this room"), chat.Forbidden, "not a member of this room"},
		{chat.Errorf(chat.Conflict, "already a member"), chat.Conflict, "already a member"},
		{chat.Errorf(chat.TooLarge, "text is over 8192 bytes"), chat.TooLarge, "text is over 8192 bytes"},
		{chat.Errorf(chat.RateLimited, "slow down"), chat.RateLimited, "slow down"},
		{chat.Wrap(errors.New("dynamodb: ProvisionedThroughputExceeded secret-table"), "store message"), chat.Internal, "internal error"},
		{errors.New("a bare error"), chat.Internal, "internal error"},
	}
	for _, tc := range cases {
		c := newTestChat(t)
		c.register(testConn)
		c.store.FailOn("AppendMessage", tc.err)
		resp := c.do(`{"action":"sendMessage","requestId":"e","roomId":"general","clientId":"c","text":"x"}`)
		ev := errorOf(t, resp)
		if ev.Code != tc.wantCode || ev.Message != tc.wantMessage || ev.RequestID != "e" || ev.Action != "sendMessage" || ev.TraceID != testTraceID {
			t.Errorf("%v: error event = %+v, want %s %q", tc.err, ev, tc.wantCode, tc.wantMessage)
		}
		lines := logLines(t, c.logs)
		if tc.wantCode != chat.Internal {
			if len(lines) != 0 {
				t.Errorf("%v: logged a client error: %v", tc.err, lines)
			}
			continue
		}
		if len(lines) != 1 {
			t.Fatalf("%v: log lines = %v, want one", tc.err, lines)
		}
		l := lines[0]
		if l["level"] != "ERROR" || l["requestId"] != testTraceID || l["connectionId"] != testConnID || l["action"] != "sendMessage" || !strings.Contains(l["error"].(string), tc.err.Error()) {
			t.Errorf("log line = %v", l)
		}
	}
}

// A failing typing frame is answered even though a successful one is not,
// so a client learns it is not allowed.
func TestTypingErrorIsReplied(t *testing.T) {
	c := newTestChat(t)
	c.register(testConn)
	c.user("u2", testOtherConn)
	now := c.clock()
	if err := c.store.CreateRoom(c.ctx, chat.Room{ID: "secret", Kind: chat.KindPublic, Name: "secret", CreatedBy: "u2", CreatedAt: now},
		[]chat.Member{{RoomID: "secret", UserID: "u2", Role: chat.RoleOwner, JoinedAt: now}}); err != nil {
		t.Fatal(err)
	}
	resp := c.do(`{"action":"typing","roomId":"secret"}`)
	if ev := errorOf(t, resp); ev.Code != chat.Forbidden || ev.Action != "typing" {
		t.Fatalf("error event = %+v", ev)
	}
}

func TestConnectionLookupFailureIsInternal(t *testing.T) {
	c := newTestChat(t)
	c.register(testConn)
	c.store.FailOn("GetConnection", chat.Wrap(errors.New("timeout"), "get connection"))
	resp := c.do(`{"action":"getState","requestId":"s"}`)
	if ev := errorOf(t, resp); ev.Code != chat.Internal || ev.Message != "internal error" {
		t.Fatalf("error event = %+v", ev)
	}
	if lines := logLines(t, c.logs); len(lines) != 1 || lines[0]["connectionId"] != testConnID {
		t.Fatalf("log = %v", lines)
	}
}

func TestNewActionHandlerRejectsNil(t *testing.T) {
	logger, _ := logBuffer()
	if _, err := NewActionHandler(nil, logger); err == nil {
		t.Error("nil service accepted")
	}
	if _, err := NewActionHandler(newTestChat(t).svc, nil); err == nil {
		t.Error("nil logger accepted")
	}
}

// Ping is counted per user (the authorizer's userId on every frame), over
// all of their connections, in memory: past PingsPerMinute it answers
// rate_limited, others are not affected, and the next minute starts anew.
// It still reads nothing from the store.
func TestPingIsLimitedPerUser(t *testing.T) {
	c := newTestChat(t)
	c.failStore()
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	c.actions.pings.now = func() time.Time { return now }
	ping := func(userID, connID string) string {
		req := frameEvent(t, `{"action":"ping","requestId":"p"}`)
		req.RequestContext.ConnectionID = connID
		req.RequestContext.Authorizer = map[string]any{"userId": userID, "principalId": userID}
		resp, err := c.actions.Handle(c.ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		return replyOf(t, resp)["type"].(string)
	}
	for i := range PingsPerMinute {
		// Spread over two connections of the same person.
		if got := ping("ann", []string{"a1", "a2"}[i%2]); got != protocol.EventPong {
			t.Fatalf("ping %d: %s", i+1, got)
		}
	}
	if got := ping("ann", "a3"); got != protocol.EventError {
		t.Errorf("ping past the limit: %s, want an error", got)
	}
	if got := ping("bob", "b1"); got != protocol.EventPong {
		t.Errorf("another user's ping: %s", got)
	}
	now = now.Add(time.Minute)
	if got := ping("ann", "a1"); got != protocol.EventPong {
		t.Errorf("ping in the next minute: %s", got)
	}
}

// nopExportQueue accepts every export job.
type nopExportQueue struct{}

func (nopExportQueue) EnqueueExport(context.Context, chat.ExportJob) error { return nil }

// nopTimer accepts every schedule.
type nopTimer struct{}

func (nopTimer) At(context.Context, string, time.Time, []byte) error { return nil }
func (nopTimer) Cancel(context.Context, string) error                { return nil }

// noErasure accepts every erasure job.
type noErasure struct{}

func (noErasure) EnqueueErasure(context.Context, chat.ErasureJob) error { return nil }
