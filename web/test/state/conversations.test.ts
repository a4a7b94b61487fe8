import { describe, expect, it } from "vitest";
import { initialState, reduce } from "../../src/state/store";
import { canPin, changePoints, isSaved, reactionNames } from "../../src/state/conversations";
import type { ChatState } from "../../src/state/types";
import { BOB, msg, room, stateFrame } from "../fixtures";

function withState(...rooms: ReturnType<typeof room>[]): ChatState {
  return reduce(initialState, stateFrame(rooms));
}

describe("change positions", () => {
  it("start from getState's lastChg and keep ours for rooms we follow", () => {
    let s = withState(room("g", { lastChg: 7 }), room("h"));
    expect(s.chg).toEqual({ g: 7, h: 0 });
    s = reduce(s, { type: "messageUpdated", message: msg("g", 1), chg: 8 });
    s = reduce(s, stateFrame([room("g", { lastChg: 20 }), room("h", { lastChg: 3 })]));
    expect(s.chg).toEqual({ g: 8, h: 0 });
    expect(changePoints(s)).toEqual({ g: 8, h: 0 });
  });

  it("move on a live change only when it is the next one", () => {
    let s = withState(room("g", { lastChg: 5 }));
    s = reduce(s, { type: "messageUpdated", message: msg("g", 1), chg: 7 });
    expect(s.chg.g).toBe(5);
    s = reduce(s, { type: "messageUpdated", message: msg("g", 1), chg: 6 });
    expect(s.chg.g).toBe(6);
    s = reduce(s, { type: "messageUpdated", message: msg("g", 1) }); // an unnumbered (idempotent) reply
    expect(s.chg.g).toBe(6);
  });

  it("take resume's lastChg and replace the held messages it replays", () => {
    let s = withState(room("g", { lastSeq: 3, lastChg: 2 }));
    s = reduce(s, { type: "history", roomId: "g", messages: [msg("g", 3), msg("g", 2)], hasMore: false });
    s = reduce(s, {
      type: "missed",
      rooms: [
        {
          roomId: "g",
          messages: [],
          hasMore: false,
          lastChg: 9,
          changed: [
            msg("g", 1, { text: "not held: left for history" }),
            msg("g", 2, { text: "", deleted: true }),
            msg("g", 3, { text: "m3", reactions: [{ emoji: "👍", userIds: ["bob", "me"] }] }),
          ],
        },
      ],
    });
    expect(s.chg.g).toBe(9);
    expect(s.messages.g.map((m) => m.seq)).toEqual([2, 3]);
    expect(s.messages.g[0].deleted).toBe(true);
    expect(s.messages.g[1].reactions?.[0].userIds).toEqual(["bob", "me"]);
  });

  it("drop what is held of a room on reset", () => {
    let s = withState(room("g", { lastSeq: 2, lastChg: 50 }));
    s = reduce(s, { type: "history", roomId: "g", messages: [msg("g", 2)], hasMore: false });
    s = reduce(s, { type: "missed", rooms: [{ roomId: "g", messages: [], hasMore: false, reset: true, lastChg: 40 }] });
    expect(s.messages.g ?? []).toEqual([]);
    expect(s.history.g).toBeUndefined();
    expect(s.chg.g).toBe(40);
  });
});

describe("saved and pins", () => {
  it("track my saved messages from replies and listings", () => {
    let s = withState(room("g"));
    s = reduce(s, { type: "saved", roomId: "g", seq: 4, saved: true, savedAt: "2026-11-21T02:00:00Z" });
    expect(isSaved(s, msg("g", 4))).toBe(true);
    s = reduce(s, { type: "savedItems", items: [{ roomId: "g", seq: 5, savedAt: "2026-11-21T01:00:00Z" }] });
    expect(isSaved(s, msg("g", 5))).toBe(true);
    s = reduce(s, { type: "saved", roomId: "g", seq: 4, saved: false });
    expect(isSaved(s, msg("g", 4))).toBe(false);
  });

  it("let managers pin, and everyone where the room allows it or in direct rooms", () => {
    const s = withState(room("g", { role: "member" }), room("o", { role: "owner" }), room("open", { role: "member", membersCanPin: true }), room("d", { kind: "direct" }), room("old", { role: "owner", archived: true }));
    expect(canPin(s, "g")).toBe(false);
    expect(canPin(s, "o")).toBe(true);
    expect(canPin(s, "open")).toBe(true);
    expect(canPin(s, "d")).toBe(true);
    expect(canPin(s, "old")).toBe(false);
  });

  it("names who reacted, me as you", () => {
    const s = withState(room("g"));
    expect(reactionNames(s, ["bob", "me", "ghost"], "you")).toEqual([BOB.displayName, "you", "ghost"]);
  });
});
