package service_test

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// The rest of the authorization matrix (TestAuthorizationMatrix has the
// room actions): the workspace actions, the admin console, the moderation
// queue and audit log, files and invitations, each by every persona of
// personaNames (outsider, member, owner, room moderator, workspace
// moderator, admin, muted, banned, deactivated), the world being
// newModWorld's.

// testP256dh is RFC 8291's example user agent public key.
const testP256dh = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"

// adminOnly: the admin console and the audit log.
var adminOnly = [9]chat.Code{fb, fb, fb, fb, fb, "", fb, fb, nf}

// everyone: workspace actions open to every signed-in user; the
// deactivated persona's connection is gone.
var everyone = [9]chat.Code{"", "", "", "", "", "", "", "", nf}

// fileKey is a file of tgt's in #open (requestDownload's case stores it).
func (w *modWorld) fileKey() string { return "rooms/" + w.room.ID + "/tgt/f1/a.txt" }

// privateWithInvites makes #open private and leaves an invitation for the
// outsider and for the banned persona (as if it predated the ban).
func privateWithInvites(w *modWorld) {
	private := true
	if _, err := w.svc.UpdateChannel(w.ctx, w.p["owner"], protocol.UpdateChannelRequest{RoomID: w.room.ID, Private: &private}); err != nil {
		w.t.Fatal(err)
	}
	for _, id := range []string{"out", "ban"} {
		if err := w.store.PutInvite(w.ctx, chat.Invite{RoomID: w.room.ID, UserID: id, InvitedBy: "alice", InvitedAt: w.clock()}); err != nil {
			w.t.Fatal(err)
		}
	}
}

// reported files a report of tgt's message by the member.
func reported(w *modWorld) string {
	rep, err := w.svc.ReportMessage(w.ctx, w.p["member"], protocol.ReportMessageRequest{RoomID: w.room.ID, Seq: w.tgtMsg.Seq, Reason: "rude"})
	if err != nil {
		w.t.Fatal(err)
	}
	return rep.Report.ID
}

// downloadSeq is the message the requestDownload case's file is attached to.
var downloadSeq int64

var workspaceCases = []modCase{
	{name: "getWorkspaceSettings", want: everyone,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.GetWorkspaceSettings(w.ctx, c)
			return err
		}},
	{name: "setWorkspaceSettings", want: adminOnly,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			days := 30
			_, err := w.svc.SetWorkspaceSettings(w.ctx, c, protocol.SetWorkspaceSettingsRequest{RetentionDays: &days})
			return err
		}},
	{name: "setRoomRetention", want: [9]chat.Code{fb, fb, "", "", fb, "", fb, fb, nf},
		do: func(w *modWorld, _ string, c chat.Connection) error {
			days := 90
			_, err := w.svc.SetRoomRetention(w.ctx, c, protocol.SetRoomRetentionRequest{RoomID: w.room.ID, RetentionDays: &days})
			return err
		}},
	{name: "setPreferences", want: everyone,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			theme := "dark"
			_, err := w.svc.SetPreferences(w.ctx, c, protocol.SetPreferencesRequest{Appearance: &protocol.AppearancePatch{Theme: &theme}})
			return err
		}},
	{name: "setVisibility", want: everyone,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			return w.svc.SetVisibility(w.ctx, c, protocol.SetVisibilityRequest{Visible: false})
		}},
	{name: "pushSubscribe", want: everyone,
		do: func(w *modWorld, who string, c chat.Connection) error {
			_, err := w.svc.PushSubscribe(w.ctx, c, protocol.PushSubscribeRequest{
				Endpoint: "https://push.example/p/" + c.ID,
				Keys:     protocol.PushKeys{P256dh: testP256dh, Auth: "BTBZMqHH6r4Tts7J_aSIgg"},
			})
			return err
		}},
	{name: "pushUnsubscribe", want: everyone,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.PushUnsubscribe(w.ctx, c, protocol.PushUnsubscribeRequest{Endpoint: "https://push.example/p/" + c.ID})
			return err
		}},
	{name: "blockUser", want: everyone, // the caller's own block list
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.BlockUser(w.ctx, c, protocol.BlockUserRequest{UserID: w.tgt.UserID})
			if chat.ErrorCode(err) == chat.Invalid && c.UserID == w.tgt.UserID {
				return nil // the target blocking themselves: refused as invalid, not by the policy
			}
			return err
		}},
	{name: "unblockUser", want: everyone,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.UnblockUser(w.ctx, c, protocol.BlockUserRequest{UserID: w.tgt.UserID})
			if chat.ErrorCode(err) == chat.Invalid && c.UserID == w.tgt.UserID {
				return nil
			}
			return err
		}},
	{name: "listBlocked", want: everyone,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.ListBlocked(w.ctx, c)
			return err
		}},
	{name: "ping", want: [9]chat.Code{"", "", "", "", "", "", "", "", ""}, // answered before any connection is read
		do: func(w *modWorld, _ string, _ chat.Connection) error {
			_, err := w.svc.Ping(w.ctx)
			return err
		}},
	{name: "getState", want: everyone,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.GetState(w.ctx, c)
			return err
		}},
	{name: "acceptTerms", want: everyone,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			w.svc.SetTermsVersion("1")
			_, err := w.svc.AcceptTerms(w.ctx, c, protocol.AcceptTermsRequest{Version: "1"})
			return err
		}},
	{name: "listUsers", want: everyone,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.ListUsers(w.ctx, c, protocol.ListUsersRequest{})
			return err
		}},
	{name: "updateProfile", want: everyone,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			name := "New Name"
			_, err := w.svc.UpdateProfile(w.ctx, c, protocol.UpdateProfileRequest{DisplayName: &name})
			return err
		}},
	{name: "createChannel", want: everyone,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.CreateChannel(w.ctx, c, protocol.CreateChannelRequest{Name: "fresh"})
			return err
		}},
	{name: "listChannels", want: everyone,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.ListChannels(w.ctx, c, protocol.ListChannelsRequest{})
			return err
		}},
	{name: "openDirect", want: everyone,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.OpenDirect(w.ctx, c, protocol.OpenDirectRequest{UserIDs: []string{"tgt"}})
			return err
		}},
	{name: "requestAvatarUpload", want: everyone,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.RequestAvatarUpload(w.ctx, c, protocol.RequestAvatarUploadRequest{Size: 100, Type: "image/png", SHA256: anySHA256})
			return err
		}},
	{name: "requestAvatarUrl", want: everyone,
		setup: func(w *modWorld) {
			key := "avatars/tgt/a1.png"
			if err := w.blobs.PutPinned(w.ctx, key, "image/png", encodePNG(w.t, 4, 4)); err != nil {
				w.t.Fatal(err)
			}
			if _, err := w.svc.UpdateProfile(w.ctx, w.tgt, protocol.UpdateProfileRequest{AvatarKey: &key}); err != nil {
				w.t.Fatal(err)
			}
		},
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.RequestAvatarURL(w.ctx, c, protocol.RequestAvatarURLRequest{UserID: "tgt"})
			return err
		}},
	{name: "requestUpload", want: [9]chat.Code{fb, "", "", "", "", "", fb, fb, nf},
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.RequestUpload(w.ctx, c, protocol.RequestUploadRequest{RoomID: w.room.ID, Name: "a.txt", Size: 5, Type: "text/plain", SHA256: anySHA256})
			return err
		}},
	{name: "requestDownload", want: [9]chat.Code{fb, "", "", "", "", "", "", fb, nf},
		setup: func(w *modWorld) {
			if err := w.blobs.PutPinned(w.ctx, w.fileKey(), "text/plain", []byte("hello")); err != nil {
				w.t.Fatal(err)
			}
			ack, err := w.svc.SendMessage(w.ctx, w.tgt, protocol.SendMessageRequest{RoomID: w.room.ID, ClientID: "with-file",
				Attachments: []chat.Attachment{{Key: w.fileKey(), Size: 5, Type: "text/plain", SHA256: chat.SHA256Base64([]byte("hello"))}}})
			if err != nil {
				w.t.Fatal(err)
			}
			downloadSeq = ack.Message.Seq
		},
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.RequestDownload(w.ctx, c, protocol.RequestDownloadRequest{RoomID: w.room.ID, Seq: downloadSeq, Key: w.fileKey()})
			return err
		}},
	{name: "listPeople", want: adminOnly,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.ListPeople(w.ctx, c, protocol.ListPeopleRequest{Query: "t"})
			return err
		}},
	{name: "invitePerson", want: adminOnly,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.InvitePerson(w.ctx, c, protocol.InvitePersonRequest{Email: "new@example.com"})
			return err
		}},
	{name: "setWorkspaceRole", want: adminOnly,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.SetWorkspaceRole(w.ctx, c, protocol.SetWorkspaceRoleRequest{Username: "tgt", Role: chat.WorkspaceModerator})
			return err
		}},
	{name: "deactivatePerson", want: adminOnly,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.DeactivatePerson(w.ctx, c, protocol.PersonRequest{Username: "tgt"})
			return err
		}},
	{name: "deleteUser", want: adminOnly,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.DeleteUser(w.ctx, c, protocol.PersonRequest{Username: "tgt"})
			return err
		}},
	{name: "deleteAccount", want: everyone,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.DeleteAccount(w.ctx, c, protocol.DeleteAccountRequest{Confirm: protocol.DeleteAccountConfirmation})
			return err
		}},
	{name: "reactivatePerson", want: adminOnly,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.ReactivatePerson(w.ctx, c, protocol.PersonRequest{Username: "dea"})
			return err
		}},
	{name: "listReports", want: [9]chat.Code{fb, fb, fb, fb, "", "", fb, fb, nf},
		setup: func(w *modWorld) { reported(w) },
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.ListReports(w.ctx, c, protocol.ListReportsRequest{})
			return err
		}},
	{name: "resolveReport", want: [9]chat.Code{fb, fb, fb, fb, "", "", fb, fb, nf},
		do: func(w *modWorld, _ string, c chat.Connection) error {
			return nil // replaced below: needs the report's id from setup
		}},
	{name: "getAnalytics", want: adminOnly,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.GetAnalytics(w.ctx, c, protocol.GetAnalyticsRequest{From: "2026-11-01", To: "2026-11-30"})
			return err
		}},
	{name: "listAudit", want: adminOnly,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.ListAudit(w.ctx, c, protocol.ListAuditRequest{})
			return err
		}},
	// A banned invitee is a non-member of a private channel: not_found,
	// as for anyone without a (usable) invitation.
	{name: "acceptInvite", want: [9]chat.Code{"", "", "", "", "", "", "", nf, nf},
		setup: privateWithInvites,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.AcceptInvite(w.ctx, c, w.roomReq())
			return err
		}},
	{name: "declineInvite", want: [9]chat.Code{"", "", "", "", "", "", "", nf, nf},
		setup: privateWithInvites,
		do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.DeclineInvite(w.ctx, c, w.roomReq())
			return err
		}},
}

func init() {
	// resolveReport resolves the report setup filed (dismissing it).
	for i := range workspaceCases {
		if workspaceCases[i].name == "resolveReport" {
			var id string
			workspaceCases[i].setup = func(w *modWorld) { id = reported(w) }
			workspaceCases[i].do = func(w *modWorld, _ string, c chat.Connection) error {
				_, err := w.svc.ResolveReport(w.ctx, c, protocol.ResolveReportRequest{ReportID: id, Resolution: protocol.ResolveDismiss})
				return err
			}
		}
	}
}

// TestAuthorizationMatrixWorkspace is the matrix's other half: every
// action that is not about #open's members and messages, by every
// persona, with the same assertions as TestAuthorizationMatrix (a refusal
// has the code and changes nothing in the store, the user pool, the
// bucket or the live connections, and pushes and publishes nothing).
func TestAuthorizationMatrixWorkspace(t *testing.T) {
	runMatrix(t, workspaceCases)
}

// TestAuthorizationMatrixCoversEveryAction: adding an action to
// protocol.ActionTable without a matrix case fails here.
func TestAuthorizationMatrixCoversEveryAction(t *testing.T) {
	covered := map[string]bool{}
	for _, mc := range append(append([]modCase{}, modCases...), workspaceCases...) {
		covered[matrixAction(mc.name)] = true
	}
	for _, a := range protocol.ActionTable {
		if !covered[a.Name] {
			t.Errorf("action %q has no case in the authorization matrix (modCases or workspaceCases)", a.Name)
		}
	}
}
