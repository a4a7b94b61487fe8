import { describe, expect, it } from "vitest";
import { initialState, reduce } from "../../src/state/store";
import { room, stateFrame } from "../fixtures";
import type { PendingSend } from "../../src/state/types";

const pending = (over: Partial<PendingSend> = {}): PendingSend => ({
  clientId: "c1",
  roomId: "g",
  text: "card 4111 1111 1111 1111",
  createdAt: new Date().toISOString(),
  status: "sending",
  ...over,
});

describe("a message the review hook rejected", () => {
  it("leaves the timeline and waits, with the reason, to go back into the composer", () => {
    let s = reduce(reduce(initialState, stateFrame([room("g")])), { type: "local/send", pending: pending() });
    s = reduce(s, { type: "local/sendRejected", clientId: "c1", reason: "No card numbers here." });
    expect(s.pending).toEqual([]);
    expect(s.rejected.g).toEqual({ clientId: "c1", text: "card 4111 1111 1111 1111", reason: "No card numbers here." });
    s = reduce(s, { type: "local/clearRejected", roomId: "g" });
    expect(s.rejected).toEqual({});
  });

  it("with files, a GIF or in a thread stays failed in place with the reason (its Retry and Discard)", () => {
    for (const over of [{ parentSeq: 4 }, { attachments: [{ key: "k", name: "a.png", size: 1, type: "image/png" }] }] as Partial<PendingSend>[]) {
      let s = reduce(reduce(initialState, stateFrame([room("g")])), { type: "local/send", pending: pending(over) });
      s = reduce(s, { type: "local/sendRejected", clientId: "c1", reason: "No." });
      expect(s.pending).toMatchObject([{ clientId: "c1", status: "failed", error: "No." }]);
      expect(s.rejected).toEqual({});
    }
  });
});
