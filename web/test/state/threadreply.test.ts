// @vitest-environment jsdom
// A thread's reply takes the thread composer's finished uploads (its slot
// of the upload queue, threadKey), not the room composer's.
import { describe, expect, it, vi } from "vitest";
import { Chat } from "../../src/state/chat";
import { threadKey } from "../../src/state/threads";
import type { Attachment } from "../../src/api/protocol.gen";
import { room, stateFrame } from "../fixtures";

describe("thread replies with attachments", () => {
  it("send the thread's files with the reply, and a reply of files only", () => {
    const waiting: Record<string, Attachment[]> = {
      general: [{ key: "rooms/general/me/f1/room.txt", name: "room.txt", size: 5, type: "text/plain" }],
      [threadKey("general", 4)]: [{ key: "rooms/general/me/f2/plan.pdf", name: "plan.pdf", size: 9, type: "application/pdf" }],
    };
    const source = {
      attachments: (slot: string) => waiting[slot] ?? [],
      takeAttachments: (slot: string) => {
        const out = waiting[slot] ?? [];
        delete waiting[slot];
        return out;
      },
    };
    const chat = new Chat({ wsUrl: "ws://127.0.0.1:1", getToken: async () => "t", onAuthLost() {}, attachments: source });
    (chat as unknown as { socket: unknown }).socket = { online: false, sendMessage: vi.fn(), request: vi.fn(async () => ({})), start() {}, stop() {} };
    (chat as unknown as { onEvent(ev: unknown): void }).onEvent(stateFrame([room("general", { lastSeq: 4, readSeq: 4 })]));

    chat.reply("general", 4, "", false);
    const p = chat.state.pending.at(-1)!;
    expect(p).toMatchObject({ roomId: "general", parentSeq: 4, text: "" });
    expect(p.attachments?.map((a) => a.name)).toEqual(["plan.pdf"]);
    expect(waiting.general).toHaveLength(1); // the room's file stays for the room

    // Nothing to send: no text, no files.
    const n = chat.state.pending.length;
    chat.reply("general", 4, "  ", false);
    expect(chat.state.pending).toHaveLength(n);
  });
});
