// Blocking on the client beyond the collapsed message (issue 15): a
// blocked person's typing is not shown, their messages add nothing to the
// unread count the client keeps (live, missed on resume, left after a
// read), the "New messages" divider and the jump to the latest skip them;
// unblocking shows their typing again at once.
import { describe, expect, it } from "vitest";
import { initialState, reduce } from "../../src/state/store";
import { newsAfter, totalUnread, unreadDividerSeq } from "../../src/state/rooms";
import { threadKey, unreadThreads } from "../../src/state/threads";
import { typingNames } from "../../src/state/typing";
import type { ChatState } from "../../src/state/types";
import { PREFS, msg, room, stateFrame } from "../fixtures";

// Ada (me) blocked Cy.
function withBlock(blocked: string[], ...rooms: ReturnType<typeof room>[]): ChatState {
  return reduce(initialState, { ...stateFrame(rooms), preferences: { ...PREFS, blocked } } as never);
}
const cy = (seq: number, over = {}) => msg("g", seq, { senderId: "cy", senderName: "Cy Young", ...over });

describe("blocking: typing", () => {
  it("hides a blocked person's typing and shows it again when unblocked", () => {
    let s = withBlock(["cy"], room("g"));
    s = reduce(s, { type: "typing", roomId: "g", userId: "bob", displayName: "Bob" }, 1000);
    s = reduce(s, { type: "typing", roomId: "g", userId: "cy", displayName: "Cy Young" }, 1000);
    expect(typingNames(s, "g", 1500)).toEqual(["Bob"]);
    s = reduce(s, { type: "local/preferences", preferences: { ...PREFS, blocked: [] } } as never);
    expect(typingNames(s, "g", 1500)).toEqual(["Bob", "Cy Young"]);
  });
});

describe("blocking: unread", () => {
  it("does not count a blocked person's live messages, mentions included", () => {
    let s = withBlock(["cy"], room("g", { lastSeq: 2, readSeq: 2 }));
    s = reduce(s, { type: "message", message: cy(3, { mentions: ["me"] }) });
    s = reduce(s, { type: "message", message: msg("g", 4) });
    expect(s.rooms.g.unread).toBe(1);
    expect(s.rooms.g.mentions).toBe(0);
    expect(s.rooms.g.lastSeq).toBe(4);
    expect(totalUnread(s)).toBe(1);
  });

  it("does not count a blocked person's messages missed while away", () => {
    let s = withBlock(["cy"], room("g", { lastSeq: 2, readSeq: 2 }));
    s = reduce(s, { type: "missed", rooms: [{ roomId: "g", hasMore: false, messages: [cy(3), msg("g", 4), cy(5)] }] });
    expect(s.rooms.g.unread).toBe(1);
    expect(s.rooms.g.lastSeq).toBe(5);
  });

  it("leaves out a blocked person's messages when recounting after a read", () => {
    let s = withBlock([], room("g", { lastSeq: 2, readSeq: 2 }));
    for (const m of [msg("g", 3), cy(4), msg("g", 5), cy(6), msg("g", 7)]) s = reduce(s, { type: "message", message: m });
    expect(s.rooms.g.unread).toBe(5);
    s = reduce(s, { type: "local/preferences", preferences: { ...PREFS, blocked: ["cy"] } } as never);
    s = reduce(s, { type: "read", roomId: "g", userId: "me", seq: 3 });
    expect(s.rooms.g.unread).toBe(2);
  });

  it("keeps the server's count at connect as it is (the server leaves blocked people out itself)", () => {
    const s = withBlock(["cy"], room("g", { lastSeq: 5, readSeq: 2, unread: 3 }));
    expect(s.rooms.g.unread).toBe(3);
  });
});

describe("blocking: the New messages divider and the jump to the latest", () => {
  const held = [msg("g", 2), cy(3), cy(4), msg("g", 5)];
  it("puts the divider at the first unread message from someone not blocked", () => {
    expect(unreadDividerSeq(withBlock(["cy"]), held, 3)).toBe(5);
    expect(unreadDividerSeq(withBlock([]), held, 3)).toBe(3);
    expect(unreadDividerSeq(withBlock(["cy"]), held.slice(0, 3), 3)).toBe(0);
  });

  it("offers the jump to the latest only for news from someone not blocked", () => {
    expect(newsAfter(withBlock(["cy"]), held.slice(0, 4), 2)).toBe(true);
    expect(newsAfter(withBlock(["cy"]), held.slice(0, 3), 2)).toBe(false);
    expect(newsAfter(withBlock([]), held.slice(0, 3), 2)).toBe(true);
  });
});

describe("blocking: followed threads", () => {
  it("does not count a blocked person's replies, nor uncount them when deleted", () => {
    let s = withBlock(["cy"], room("g", { lastSeq: 1, readSeq: 1 }));
    const parent = msg("g", 1, { senderId: "me", thread: { replies: 0, lastSeq: 0, lastAt: "2026-11-21T02:00:01Z", repliers: [] } });
    s = reduce(s, { type: "threads", threads: [{ roomId: "g", parentSeq: 1, parent, readSeq: 1, unread: 0 }] });
    s = reduce(s, { type: "message", message: cy(2, { parentSeq: 1 }) });
    s = reduce(s, { type: "message", message: msg("g", 3, { parentSeq: 1 }) });
    expect(s.followed[threadKey("g", 1)].unread).toBe(1);
    s = reduce(s, { type: "messageUpdated", message: cy(2, { parentSeq: 1, deleted: true }) } as never);
    expect(unreadThreads(s)).toBe(1);
  });
});
