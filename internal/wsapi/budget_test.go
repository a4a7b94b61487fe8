package wsapi

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// The rate budgets are charged by the dispatcher, from the action table:
// these tests send real frames.

// outcome is the error event of a response, or a zero one for a reply.
func outcome(t *testing.T, resp events.APIGatewayProxyResponse) protocol.ErrorEvent {
	t.Helper()
	var ev protocol.ErrorEvent
	if resp.Body == "" {
		return ev
	}
	var head protocol.Head
	if err := json.Unmarshal([]byte(resp.Body), &head); err != nil {
		t.Fatalf("reply %q: %v", resp.Body, err)
	}
	if head.Type != protocol.EventError {
		return ev
	}
	if err := json.Unmarshal([]byte(resp.Body), &ev); err != nil {
		t.Fatalf("reply %q: %v", resp.Body, err)
	}
	return ev
}

// wantCode fails unless resp is an error event with code, or a reply when
// code is "".
func wantCode(t *testing.T, what string, resp events.APIGatewayProxyResponse, code chat.Code) protocol.ErrorEvent {
	t.Helper()
	ev := outcome(t, resp)
	if ev.Code != code {
		t.Fatalf("%s: answered %s, want code %q", what, resp.Body, code)
	}
	return ev
}

func sendFrame(clientID string) string {
	return fmt.Sprintf(`{"action":"sendMessage","roomId":"general","clientId":%q,"text":"x"}`, clientID)
}

func TestRateLimitIsPerUser(t *testing.T) {
	c := newTestChat(t, func(cfg *service.Config) { cfg.RatePerWindow = 3; cfg.RateWindow = 10 * time.Second })
	c.register(testConn)
	c.user("bob", "b1")
	for i := range 3 {
		wantCode(t, fmt.Sprint("send ", i), c.do(sendFrame(fmt.Sprint("a", i))), "")
	}
	ev := wantCode(t, "fourth send", c.do(sendFrame("a9")), chat.RateLimited)
	if !strings.Contains(ev.Message, "limit is 3 per 10s") {
		t.Errorf("message %q does not state the limit", ev.Message)
	}
	// sendMessage's reads run beside its charge (service.OverlapsCharge),
	// but a refused charge still answers first, as when it ran before the
	// method: over the limit, an empty message and a room the caller is
	// not in answer rate_limited too.
	wantCode(t, "empty send over the limit", c.do(`{"action":"sendMessage","roomId":"general","clientId":"e1","text":""}`), chat.RateLimited)
	wantCode(t, "send to an unknown room over the limit", c.do(`{"action":"sendMessage","roomId":"c_nosuchroom","clientId":"e2","text":"x"}`), chat.RateLimited)
	// Other actions count too; the rejected one stored nothing.
	wantCode(t, "createChannel", c.do(`{"action":"createChannel","name":"x"}`), chat.RateLimited)
	if r, _ := c.store.GetRoom(c.ctx, chat.GeneralRoomID); r.LastSeq != 3 {
		t.Errorf("LastSeq = %d, want 3", r.LastSeq)
	}

	// Bob is not affected by alice.
	wantCode(t, "bob's send", c.do(sendFrame("b0"), "b1"), "")
	// Typing, markRead and getState are not counted.
	wantCode(t, "typing", c.do(`{"action":"typing","roomId":"general"}`), "")
	wantCode(t, "markRead", c.do(`{"action":"markRead","roomId":"general","seq":1}`), "")
	wantCode(t, "getState", c.do(`{"action":"getState"}`), "")

	c.advance(10 * time.Second)
	wantCode(t, "next window", c.do(sendFrame("a10")), "")
}

// Every counted action is refused when the caller is over the limit: every
// row of the table whose budget is spent, and none whose budget is not.
func TestRateLimitCoversEveryCountedAction(t *testing.T) {
	c := newTestChat(t, func(cfg *service.Config) { cfg.RatePerWindow, cfg.ReadsPerWindow = 1, 1 })
	c.register(testConn)
	wantCode(t, "the one read", c.do(`{"action":"listUsers"}`), "")
	wantCode(t, "the one write", c.do(`{"action":"updateProfile","displayName":"n"}`), "")
	limited := map[string]bool{}
	for _, a := range protocol.ActionTable {
		ev := outcome(t, c.do(fmt.Sprintf(`{"action":%q}`, a.Name)))
		spent := a.Budget == protocol.BudgetWrite || a.Budget == protocol.BudgetRead
		if got := ev.Code == chat.RateLimited; got != spent {
			t.Errorf("%s (budget %v) over the write and read limits: %+v", a.Name, a.Budget, ev)
		}
		limited[a.Name] = ev.Code == chat.RateLimited
	}
	for _, name := range []string{
		"listUsers", "updateProfile", "createChannel", "listChannels", "joinChannel", "leaveChannel",
		"inviteToChannel", "updateChannel", "listMembers", "openDirect", "sendMessage", "editMessage",
		"deleteMessage", "history", "resume", "requestUpload", "requestAvatarUpload", "requestAvatarUrl",
	} {
		if !limited[name] {
			t.Errorf("%s over the limit: not rate_limited", name)
		}
	}
}

// Reads have their own budget: a reconnect's resume and history after a
// burst of sends are not refused, and reads never use up the sends.
func TestReadsAndWritesAreCountedApart(t *testing.T) {
	c := newTestChat(t, func(cfg *service.Config) { cfg.RatePerWindow, cfg.ReadsPerWindow = 2, 3 })
	c.register(testConn)
	wantCode(t, "one", c.do(sendFrame("one")), "")
	wantCode(t, "two", c.do(sendFrame("two")), "")
	wantCode(t, "third send", c.do(sendFrame("three")), chat.RateLimited)
	for i := range 3 {
		wantCode(t, fmt.Sprint("read ", i+1, " after the sends were used up"), c.do(`{"action":"resume","rooms":{"general":0}}`), "")
	}
	ev := wantCode(t, "fourth read", c.do(`{"action":"history","roomId":"general"}`), chat.RateLimited)
	if !strings.Contains(ev.Message, "too many reads") {
		t.Fatalf("fourth read: %+v, want rate_limited about reads", ev)
	}
}

func TestUploadsAndDownloadsAreRateLimited(t *testing.T) {
	c := newTestChat(t, func(cfg *service.Config) {
		cfg.RatePerWindow = 2
		cfg.Files.DownloadsPerWindow = 3
	})
	c.register(testConn)
	upload := `{"action":"requestUpload","roomId":"general","name":"a.txt","size":2,"type":"text/plain","sha256":"` + chat.SHA256Base64([]byte("hi")) + `"}`
	var ticket protocol.UploadTicketEvent
	if err := json.Unmarshal([]byte(c.do(upload).Body), &ticket); err != nil || ticket.Key == "" { // 1 action
		t.Fatalf("ticket %+v, %v", ticket, err)
	}
	if err := c.blobs.PutPinned(c.ctx, ticket.Key, "text/plain", []byte("hi")); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "second upload", c.do(upload), "") // 2
	wantCode(t, "third upload", c.do(upload), chat.RateLimited)
	// Downloads have their own budget: the spent action budget does not
	// stop them, and theirs runs out on its own.
	m, _, err := c.store.AppendMessage(c.ctx, chat.Message{RoomID: "general", ClientID: "with-file", SenderID: testUserID, CreatedAt: c.now,
		Attachments: []chat.Attachment{{Key: ticket.Key, Name: "a.txt", Size: 2, Type: "text/plain"}}})
	if err != nil {
		t.Fatal(err)
	}
	dl := fmt.Sprintf(`{"action":"requestDownload","roomId":"general","seq":%d,"key":%q}`, m.Seq, ticket.Key)
	for i := range 3 {
		wantCode(t, fmt.Sprint("download ", i+1), c.do(dl), "")
	}
	wantCode(t, "fourth download", c.do(dl), chat.RateLimited)
	c.advance(service.DefaultRateWindow)
	wantCode(t, "next window", c.do(dl), "")
}

func TestAvatarRequestsCountAgainstTheirBudgets(t *testing.T) {
	c := newTestChat(t, func(cfg *service.Config) { cfg.RatePerWindow = 1; cfg.ReadsPerWindow = 1 })
	c.register(testConn)
	upload := `{"action":"requestAvatarUpload","size":10,"type":"image/png","sha256":"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="}`
	wantCode(t, "upload", c.do(upload), "")
	wantCode(t, "second upload", c.do(upload), chat.RateLimited)

	url := fmt.Sprintf(`{"action":"requestAvatarUrl","userId":%q}`, testUserID)
	wantCode(t, "the one read of the window", c.do(url), chat.NotFound)
	wantCode(t, "second read", c.do(url), chat.RateLimited)
}

// A search charges protocol.SearchWeight reads: with a read budget of
// exactly that, one search is admitted and then not even a history page.
func TestSearchChargesItsWeightOfReads(t *testing.T) {
	c := newTestChat(t, func(cfg *service.Config) { cfg.ReadsPerWindow = protocol.SearchWeight })
	c.register(testConn)
	ev := c.do(`{"action":"search","query":"hello "}`)
	if strings.Contains(ev.Body, `"rate_limited"`) {
		t.Fatalf("first search refused: %s", ev.Body)
	}
	wantCode(t, "history after a search", c.do(`{"action":"history","roomId":"general"}`), chat.RateLimited)
	c.advance(service.DefaultRateWindow)
	wantCode(t, "history in the next window", c.do(`{"action":"history","roomId":"general"}`), "")
}

// A GIF search charges protocol.SearchGifsWeight reads (a call to the
// provider): with a read budget of exactly that, one is admitted, then
// neither another nor a history page, and the provider is asked once.
func TestSearchGifsChargesItsWeightOfReads(t *testing.T) {
	gifs := &chattest.Gifs{}
	c := newTestChat(t, func(cfg *service.Config) { cfg.ReadsPerWindow, cfg.Gifs = protocol.SearchGifsWeight, gifs })
	c.register(testConn)
	if ev := c.do(`{"action":"searchGifs","query":"cat"}`); !strings.Contains(ev.Body, `"type":"gifs"`) {
		t.Fatalf("first GIF search: %s", ev.Body)
	}
	wantCode(t, "a second GIF search", c.do(`{"action":"searchGifs","query":"cat"}`), chat.RateLimited)
	wantCode(t, "history after a GIF search", c.do(`{"action":"history","roomId":"general"}`), chat.RateLimited)
	if gifs.Asked() != 1 {
		t.Errorf("the provider was asked %d times", gifs.Asked())
	}
	c.advance(service.DefaultRateWindow)
	if ev := c.do(`{"action":"searchGifs","query":"cat"}`); !strings.Contains(ev.Body, `"type":"gifs"`) {
		t.Errorf("in the next window: %s", ev.Body)
	}
}
