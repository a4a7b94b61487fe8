// The e2ee slice (decryptions applied in place wherever a message is held)
// and the mention resolution encrypted rooms do on the client.
import { describe, expect, it } from "vitest";
import { E2EE, mentionIds } from "../../src/state/e2ee";
import { initialState, reduce } from "../../src/state/store";
import { msg, room, stateFrame } from "../fixtures";

const enc = (iv: string) => ({ v: 1, epoch: 1, device: "dev_x", iv, ct: `ct-${iv}` });

describe("local/decrypted", () => {
  it("puts the plaintext into the room's copy and the thread's, only for the same ciphertext", () => {
    let s = reduce(initialState, stateFrame([room("dm", { kind: "direct", encrypted: true })]));
    s = reduce(s, { type: "history", roomId: "dm", messages: [msg("dm", 1, { text: "", encrypted: enc("a"), thread: { replies: 1, lastSeq: 2, lastAt: "2026-11-21T02:00:02Z" } as never }), msg("dm", 2, { text: "", encrypted: enc("b"), parentSeq: 1 })], hasMore: false });
    s = reduce(s, { type: "local/openThread", roomId: "dm", parentSeq: 1 });
    s = reduce(s, { type: "threadHistory", roomId: "dm", parentSeq: 1, parent: msg("dm", 1, { text: "", encrypted: enc("a") }), messages: [msg("dm", 2, { text: "", encrypted: enc("b"), parentSeq: 1 })], hasMore: false } as never);
    const next = reduce(s, {
      type: "local/decrypted",
      roomId: "dm",
      items: [
        { seq: 1, iv: "a", ct: "ct-a", text: "parent", e2ee: {} },
        { seq: 2, iv: "OTHER", ct: "ct-OTHER", text: "stale", e2ee: {} },
      ],
    });
    expect(next.messages.dm.map((m) => [m.text, m.e2ee])).toEqual([
      ["parent", {}],
      ["", undefined],
    ]);
    expect(next.threads["dm:1"].parent?.text).toBe("parent");
    expect(next.threads["dm:1"].replies[0].text).toBe("");
    const bad = reduce(next, { type: "local/decrypted", roomId: "dm", items: [{ seq: 2, iv: "b", ct: "ct-b", text: "", e2ee: { error: "tampered" } }] });
    expect(bad.threads["dm:1"].replies[0].e2ee).toEqual({ error: "tampered" });
    expect(reduce(bad, { type: "local/decrypted", roomId: "dm", items: [] })).toBe(bad);
  });
});

describe("mentionIds", () => {
  const people = [
    { userId: "u1", username: "ann", displayName: "Ann Lee", handle: "ann" },
    { userId: "u2", username: "anna", displayName: "Anna" },
  ];
  it("resolves handles and names, longest first, not inside words or emails", () => {
    expect(mentionIds("hi @Anna and @ann, @Ann Lee", people)).toEqual(["u2", "u1"]);
    expect(mentionIds("mail ann@example.com", people)).toEqual([]);
    expect(mentionIds("@annabel", people)).toEqual([]);
  });
});

describe("E2EE", () => {
  it("tells its listeners of updates and refuses intents until the engine is attached", async () => {
    const v = new E2EE();
    let n = 0;
    const off = v.subscribe(() => n++);
    v.update({ status: "off" });
    off();
    v.update({ status: "ready" });
    expect([n, v.status]).toEqual([1, "ready"]);
    await expect(v.setup("a long passphrase")).rejects.toThrow(/not available/);
    expect(v.canSend("dm").ok).toBe(false);
  });
});
