package integration

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/outhook"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// guideBlock is a ```sh block of docs/INTEGRATIONS.md marked runnable (an
// HTML comment `<!-- runnable -->` on the line before it), with the
// section it is in.
type guideBlock struct {
	section string // the "## " heading above it
	line    int    // its first line in the file (1-based)
	script  string
}

// runnableBlocks extracts the runnable blocks of the guide, in order.
func runnableBlocks(t *testing.T, doc string) []guideBlock {
	t.Helper()
	var out []guideBlock
	lines := strings.Split(doc, "\n")
	section := ""
	for i := 0; i < len(lines); i++ {
		if strings.HasPrefix(lines[i], "## ") {
			section = strings.TrimPrefix(lines[i], "## ")
		}
		if strings.TrimSpace(lines[i]) != "<!-- runnable -->" {
			continue
		}
		if i+1 >= len(lines) || lines[i+1] != "```sh" {
			t.Fatalf("docs/INTEGRATIONS.md:%d: <!-- runnable --> must be followed by a ```sh block", i+1)
		}
		start := i + 2
		end := start
		for end < len(lines) && lines[end] != "```" {
			end++
		}
		if end == len(lines) {
			t.Fatalf("docs/INTEGRATIONS.md:%d: unterminated block", start)
		}
		out = append(out, guideBlock{section: section, line: start, script: strings.Join(lines[start:end], "\n")})
		i = end
	}
	return out
}

// expectedOutputs are a block's shown outputs: the comment lines that are
// JSON or a bare number ("# {…}", "# [...]", "# 401").
func expectedOutputs(script string) []string {
	var out []string
	for _, l := range strings.Split(script, "\n") {
		rest, ok := strings.CutPrefix(l, "# ")
		if !ok {
			continue
		}
		rest = strings.TrimSpace(rest)
		if json.Valid([]byte(rest)) {
			out = append(out, rest)
		}
	}
	return out
}

// sameShape: a shown output matches an actual one when both are the same
// JSON with the same keys, the same numbers' kinds, and the same strings,
// booleans and nulls, except for ids, timestamps and message numbers
// (keys ending in "Id"/"Ids"/"At", "seq", "parentSeq"), which differ from
// run to run.
func sameShape(want, got any, key string) bool {
	variable := strings.HasSuffix(key, "Id") || strings.HasSuffix(key, "Ids") || strings.HasSuffix(key, "At") || key == "seq" || key == "parentSeq" || key == "id"
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for k, v := range w {
			gv, ok := g[k]
			if !ok || !sameShape(v, gv, k) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || (len(g) != len(w) && !variable) {
			return false
		}
		for i := range min(len(w), len(g)) {
			if !sameShape(w[i], g[i], key) {
				return false
			}
		}
		return true
	case string:
		g, ok := got.(string)
		return ok && (variable || g == w)
	case float64:
		g, ok := got.(float64)
		return ok && (variable || g == w)
	default:
		return reflect.DeepEqual(want, got)
	}
}

// jsonValues are the JSON values in out, in order: curl prints no newline
// after a body, so values may follow each other on one line; text that is
// not JSON is skipped up to the next line.
func jsonValues(out string) []any {
	var vals []any
	for rest := out; strings.TrimSpace(rest) != ""; {
		dec := json.NewDecoder(strings.NewReader(rest))
		var v any
		if err := dec.Decode(&v); err != nil {
			nl := strings.IndexByte(rest, '\n')
			if nl < 0 {
				break
			}
			rest = rest[nl+1:]
			continue
		}
		vals = append(vals, v)
		rest = rest[dec.InputOffset():]
	}
	return vals
}

// matchOutputs checks that the shown outputs appear in the actual output,
// in order (each shown value matched by a later printed one).
func matchOutputs(t *testing.T, b guideBlock, stdout string) {
	t.Helper()
	actual := jsonValues(stdout)
	next := 0
	for _, w := range expectedOutputs(b.script) {
		var want any
		if err := json.Unmarshal([]byte(w), &want); err != nil {
			t.Fatal(err)
		}
		found := false
		for next < len(actual) {
			got := actual[next]
			next++
			if sameShape(want, got, "") {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("docs/INTEGRATIONS.md:%d (%s): shown output %s not in what the block printed:\n%s", b.line, b.section, w, stdout)
			return
		}
	}
}

// TestIntegrationsGuideExamples runs the runnable curl examples of
// docs/INTEGRATIONS.md with bash against the integration stack's HTTP API
// on a real socket (as make dev serves it), the guide's variables set as
// its setup steps would (a channel #ops owned by ann, an admin; its
// webhook; a bot added to it; a slash-command receiver), and checks that
// each shown output (a "# {…}" line under a command) is what the command
// printed, ids and numbers aside. Needs bash, curl, jq and openssl.
func TestIntegrationsGuideExamples(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "jq", "openssl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: the guide's examples need it", tool)
		}
	}
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "INTEGRATIONS.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := runnableBlocks(t, string(raw))
	if len(blocks) < 8 {
		t.Fatalf("only %d runnable blocks in docs/INTEGRATIONS.md", len(blocks))
	}

	s := newStack(t, generousLimits)
	api := s.httpAPI()
	ann, _ := s.online(s.staff(s.newUser("ann", "ann"), chat.GroupAdmins))
	ops := decode[protocol.RoomEvent](t, ann.call(protocol.ActionCreateChannel, map[string]any{"name": "ops"}, protocol.EventRoom)).Room.Room
	hook := decode[protocol.WebhookEvent](t, ann.call(protocol.ActionCreateWebhook, map[string]any{"roomId": ops.ID, "name": "CI"}, protocol.EventWebhook))

	// A receiver of /echo, as the guide's Node.js one: verified with the
	// chat's own outhook.Verify.
	secret := "bcsec_" + strings.Repeat("ab", 32)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := outhook.Verify(secret, r.Header, body, time.Now()); err != nil {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var req struct{ Command, Text, UserName string }
		_ = json.Unmarshal(body, &req)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"text": fmt.Sprintf("%s: %s (asked by %s)", req.Command, req.Text, req.UserName), "visibility": "ephemeral"})
	}))
	t.Cleanup(receiver.Close)

	env := append(os.Environ(), "BC="+api, "HOOK="+api+hook.Path, "SECRET="+secret, "RECEIVER="+receiver.URL+"/")
	// The blocks of one section run in one shell, in order, as a reader
	// types them (they share variables: ROOM, SEQ); a marker line
	// separates their outputs.
	var sections [][]guideBlock
	for i, b := range blocks {
		if i == 0 || b.section != blocks[i-1].section {
			sections = append(sections, nil)
		}
		sections[len(sections)-1] = append(sections[len(sections)-1], b)
	}
	botMade := false
	for _, sec := range sections {
		if strings.HasPrefix(sec[0].section, "Bots") {
			// The guide's steps 2 and 3: an admin creates the bot, the
			// channel's owner adds it.
			created := decode[protocol.BotEvent](t, ann.call(protocol.ActionCreateBot, map[string]any{"name": "Deploy bot"}, protocol.EventBot))
			ann.call(protocol.ActionAddBotToRoom, map[string]any{"roomId": ops.ID, "botId": created.Bot.ID}, protocol.EventMembers)
			env = append(env, "TOKEN="+created.Token)
			botMade = true
		}
		const marker = "@@ next block @@"
		var script strings.Builder
		script.WriteString("set -eu -o pipefail\n")
		for i, b := range sec {
			if i > 0 {
				script.WriteString("echo '" + marker + "'\n")
			}
			script.WriteString(b.script + "\n")
		}
		cmd := exec.Command("bash", "-c", script.String())
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("docs/INTEGRATIONS.md, section %q: %v\n%s", sec[0].section, err, out)
			continue
		}
		outs := strings.Split(string(out), marker+"\n")
		if len(outs) != len(sec) {
			t.Errorf("section %q: %d outputs for %d blocks:\n%s", sec[0].section, len(outs), len(sec), out)
			continue
		}
		for i, b := range sec {
			matchOutputs(t, b, outs[i])
		}
	}
	if !botMade {
		t.Error("no runnable block in the Bots section")
	}
}
