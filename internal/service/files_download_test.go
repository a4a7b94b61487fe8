package service_test

import (
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

func TestDownloadHeadersNeverLetAFileRunInThePage(t *testing.T) {
	cases := []struct {
		name, typ, disposition string
	}{
		{"page.html", "text/html", `attachment; filename="page.html"; filename*=UTF-8''page.html`},
		{"logo.svg", "image/svg+xml", `attachment; filename="logo.svg"; filename*=UTF-8''logo.svg`},
		{"notes.txt", "text/plain", `attachment; filename="notes.txt"; filename*=UTF-8''notes.txt`},
		{"a.pdf", "application/pdf", `attachment; filename="a.pdf"; filename*=UTF-8''a.pdf`},
		{"photo.png", "image/png", `inline; filename="photo.png"; filename*=UTF-8''photo.png`},
		{"photo.jpg", "image/jpeg", `inline; filename="photo.jpg"; filename*=UTF-8''photo.jpg`},
		{"anim.gif", "image/gif", `inline; filename="anim.gif"; filename*=UTF-8''anim.gif`},
		{"pic.webp", "image/webp", `inline; filename="pic.webp"; filename*=UTF-8''pic.webp`},
		{"Été 2026 \"final\".pdf", "application/pdf", `attachment; filename="_t_ 2026 _final_.pdf"; filename*=UTF-8''%C3%89t%C3%A9%202026%20_final_.pdf`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, blobs := newFilesHarness(t, func(c *service.Config) {
				c.Files.AllowedTypes = []string{tc.typ}
			})
			alice := h.connect("alice", "a1")
			// Stored as a message as it is (the send would sniff the images).
			att := uploaded(t, h, blobs, alice, chat.GeneralRoomID, tc.name, tc.typ, []byte("<svg onload=alert(1)>"))
			m, _, err := h.store.AppendMessage(h.ctx, chat.Message{RoomID: chat.GeneralRoomID, ClientID: "m-" + tc.typ, SenderID: "alice", CreatedAt: h.clock(), Attachments: []chat.Attachment{att}})
			if err != nil {
				t.Fatal(err)
			}
			seq := m.Seq
			ev, err := h.svc.RequestDownload(h.ctx, alice, protocol.RequestDownloadRequest{RoomID: chat.GeneralRoomID, Seq: seq, Key: att.Key})
			if err != nil {
				t.Fatal(err)
			}
			if ev.Type != protocol.EventDownloadURL || ev.Key != att.Key || ev.Thumb || ev.URL == "" {
				t.Errorf("event = %+v", ev)
			}
			if want := h.clock().Add(10 * time.Minute); !ev.ExpiresAt.Equal(want) {
				t.Errorf("expiresAt = %v, want %v", ev.ExpiresAt, want)
			}
			ps := blobs.Presigns()
			p := ps[len(ps)-1]
			if p.Method != "GET" || p.Key != att.Key || p.TTL <= 0 || p.TTL > 10*time.Minute {
				t.Errorf("signed %+v", p)
			}
			if p.Response.ContentType != tc.typ || p.Response.ContentDisposition != tc.disposition {
				t.Errorf("response headers %+v\nwant type %q, disposition %s", p.Response, tc.typ, tc.disposition)
			}
		})
	}
}

func TestDownloadOfAThumbnail(t *testing.T) {
	h, blobs := newFilesHarness(t)
	alice := h.connect("alice", "a1")
	bob := h.connect("bob", "b1")
	data := encodePNG(t, 8, 8)
	att, seq := sent(t, h, alice, chat.GeneralRoomID, uploaded(t, h, blobs, alice, chat.GeneralRoomID, "big.png", "image/png", data), data)
	req := protocol.RequestDownloadRequest{RoomID: chat.GeneralRoomID, Seq: seq, Key: att.Key, Thumb: true}
	_, err := h.svc.RequestDownload(h.ctx, bob, req)
	wantCode(t, err, chat.NotFound) // not made yet: the client shows the original

	thumb := mustParse(t, att.Key).ThumbKey()
	if err := blobs.Put(h.ctx, thumb, "image/jpeg", encodeJPEG(t, 4, 4)); err != nil {
		t.Fatal(err)
	}
	ev, err := h.svc.RequestDownload(h.ctx, bob, req)
	if err != nil || !ev.Thumb || ev.Key != att.Key {
		t.Fatalf("event %+v, %v", ev, err)
	}
	ps := blobs.Presigns()
	if p := ps[len(ps)-1]; p.Key != thumb || p.Response.ContentType != "image/jpeg" ||
		p.Response.ContentDisposition != `inline; filename="big.png"; filename*=UTF-8''big.png` {
		t.Errorf("signed %+v", p)
	}
}

func TestDownloadRefusals(t *testing.T) {
	h, blobs := newFilesHarness(t)
	alice := h.connect("alice", "a1")
	att, seq := sent(t, h, alice, chat.GeneralRoomID, uploaded(t, h, blobs, alice, chat.GeneralRoomID, "a.txt", "text/plain", []byte("a")), []byte("a"))
	missing := mustParse(t, att.Key)
	missing.FileID = "0000"
	for _, tc := range []struct {
		name string
		key  string
		code chat.Code
	}{
		{"not in the message", missing.String(), chat.NotFound},
		{"thumbnail key itself", mustParse(t, att.Key).ThumbKey(), chat.Invalid},
		{"outside the layout", "avatars/alice/a.png", chat.Invalid},
		{"relative", "rooms/general/alice/../../x/a", chat.Invalid},
		{"empty", "", chat.Invalid},
		{"another room", "rooms/c_other/alice/f/a.txt", chat.Forbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := h.svc.RequestDownload(h.ctx, alice, protocol.RequestDownloadRequest{RoomID: chat.GeneralRoomID, Seq: seq, Key: tc.key})
			wantCode(t, err, tc.code)
		})
	}
}

// TestDownloadOnlyWhileItsMessageIs: a file (and its thumbnail) is signed
// only through a message it is attached to, and only while that message
// is there: past its room's retention (before the TTL process and the file
// sweeper get to it) or deleted, the download is not_found; another
// message's seq does not reach it, nor does a missing seq; an upload never
// sent is reachable through no message.
func TestDownloadOnlyWhileItsMessageIs(t *testing.T) {
	h, blobs := newFilesHarness(t, func(c *service.Config) { c.RetentionDays = 1 })
	alice := h.connect("alice", "a1")
	bob := h.connect("bob", "b1")
	data := []byte("quarterly numbers")
	att, seq := sent(t, h, alice, chat.GeneralRoomID, uploaded(t, h, blobs, alice, chat.GeneralRoomID, "q.txt", "text/plain", data), data)
	other := h.send(alice, chat.GeneralRoomID, "no file here")
	unsent := uploaded(t, h, blobs, alice, chat.GeneralRoomID, "draft.txt", "text/plain", []byte("draft"))
	dl := func(seq int64, key string, thumb bool) error {
		_, err := h.svc.RequestDownload(h.ctx, bob, protocol.RequestDownloadRequest{RoomID: chat.GeneralRoomID, Seq: seq, Key: key, Thumb: thumb})
		return err
	}
	if err := dl(seq, att.Key, false); err != nil {
		t.Fatalf("a live message's file: %v", err)
	}
	wantCode(t, dl(0, att.Key, false), chat.Invalid)
	wantCode(t, dl(other.Seq, att.Key, false), chat.NotFound)
	wantCode(t, dl(other.Seq, unsent.Key, false), chat.NotFound)
	wantCode(t, dl(seq+100, att.Key, false), chat.NotFound)

	// A day and a minute later the message is past the room's retention
	// (kept a day): its file and thumbnail are no longer signed, though
	// the objects are still in the bucket.
	before := len(blobs.Presigns())
	h.now = h.now.Add(24*time.Hour + time.Minute)
	wantCode(t, dl(seq, att.Key, false), chat.NotFound)
	wantCode(t, dl(seq, att.Key, true), chat.NotFound)
	if n := len(blobs.Presigns()) - before; n != 0 {
		t.Errorf("%d URLs signed for an expired message's file", n)
	}

	// A deleted message's file is not signed either.
	att2, seq2 := sent(t, h, alice, chat.GeneralRoomID, uploaded(t, h, blobs, alice, chat.GeneralRoomID, "r.txt", "text/plain", data), data)
	if err := dl(seq2, att2.Key, false); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.DeleteMessage(h.ctx, alice, protocol.MessageRef{RoomID: chat.GeneralRoomID, Seq: seq2}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, dl(seq2, att2.Key, false), chat.NotFound)
}
