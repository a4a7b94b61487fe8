package tsgen

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// The generated file is committed; this fails when it is stale.
func TestGeneratedFileIsUpToDate(t *testing.T) {
	want := Generate()
	got, err := os.ReadFile("../../../web/src/api/protocol.gen.ts")
	if err != nil {
		t.Fatalf("read generated file: %v (run: go run ./scripts/gen-protocol)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("web/src/api/protocol.gen.ts is stale: run go run ./scripts/gen-protocol")
	}
}

func TestGenerateDeclaresEveryWireShape(t *testing.T) {
	out := string(Generate())
	for _, want := range []string{
		`export type Code = "invalid" | "not_found" | "forbidden" | "conflict" | "too_large" | "rate_limited" | "session_expired" | "terms_required" | "rejected" | "read_only" | "stale_key" | "internal" | "unavailable";`,
		`export type SendMessageAction = { action: "sendMessage"; requestId?: string } & SendMessageRequest;`,
		`export type PingAction = { action: "ping"; requestId?: string } & {};`,
		"export interface Message {\n  roomId: string;\n  seq: number;\n",
		"  editedAt?: string;\n", // omitzero time
		"  rooms: Record<string, number>;\n",
		"export interface RoomState {\n  roomId: string;\n", // embedded chat.Room flattened
		`export type MessageUpdatedFrame = Omit<MessageEvent, "type"> & { type: "messageUpdated" };`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("generated TypeScript lacks %q", want)
		}
	}
	if strings.Contains(out, "ExpiresAt") {
		t.Error(`a json:"-" field leaked into the TypeScript`)
	}
}

// Every row of the action table gets its action type and an entry in
// ActionTypes naming its request and reply, and those types are declared.
func TestGenerateTypesEveryAction(t *testing.T) {
	out := string(Generate())
	for _, a := range protocol.ActionTable {
		req, reply := "{}", "void"
		if rt := a.RequestType(); rt != nil {
			req = rt.Name()
			if !strings.Contains(out, "export interface "+req+" {\n") {
				t.Errorf("action %s: request type %s is not declared", a.Name, req)
			}
		}
		if a.Reply != "" {
			reply = frameName(a.Reply)
			if !strings.Contains(out, "export type "+reply+" = ") {
				t.Errorf("action %s: reply frame %s is not declared", a.Name, reply)
			}
		}
		for _, want := range []string{
			fmt.Sprintf("export type %sAction = { action: %q; requestId?: string } & %s;\n", upperFirst(a.Name), a.Name, req),
			fmt.Sprintf("  %s: { request: %s; reply: %s };\n", a.Name, req, reply),
		} {
			if !strings.Contains(out, want) {
				t.Errorf("action %s: generated TypeScript lacks %q", a.Name, want)
			}
		}
	}
	for _, want := range []string{
		"export interface ActionTypes {\n",
		`  sendMessage: { request: SendMessageRequest; reply: AckFrame };`,
		`  typing: { request: TypingRequest; reply: void };`,
		`  ping: { request: {}; reply: PongFrame };`,
		`export type RequestOf<A extends ActionName> = ActionTypes[A]["request"];`,
		`export type ReplyOf<A extends ActionName> = ActionTypes[A]["reply"];`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("generated TypeScript lacks %q", want)
		}
	}
}
