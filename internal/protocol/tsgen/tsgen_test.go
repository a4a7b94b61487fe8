package tsgen

import (
	"bytes"
	"os"
	"strings"
	"testing"
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
		`export type Code = "invalid" | "not_found" | "forbidden" | "conflict" | "too_large" | "rate_limited" | "internal";`,
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
