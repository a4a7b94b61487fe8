import { describe, expect, it } from "vitest";
import { initialState, reduce } from "../../src/state/store";
import { followsThread, inTimeline, threadKey, unreadThreads } from "../../src/state/threads";
import type { ChatState } from "../../src/state/types";
import { msg, room, stateFrame } from "../fixtures";

function withRoom(): ChatState {
  let s = reduce(initialState, stateFrame([room("g", { lastSeq: 1, readSeq: 1 })]));
  s = reduce(s, { type: "history", roomId: "g", messages: [msg("g", 1, { senderId: "me", senderName: "Ada" })], hasMore: false });
  return s;
}

describe("threads", () => {
  it("keep replies out of the room's timeline and unread count, but move the contiguous mark over them", () => {
    let s = withRoom();
    s = reduce(s, { type: "message", message: msg("g", 2, { parentSeq: 1 }) });
    s = reduce(s, { type: "message", message: msg("g", 3, { parentSeq: 1, toRoom: true }) });
    expect(s.rooms.g.unread).toBe(1);
    expect(s.last.g).toBe(3);
    expect(s.messages.g.filter(inTimeline).map((m) => m.seq)).toEqual([1, 3]);
  });

  it("count unread replies of followed threads until the thread is open", () => {
    let s = withRoom();
    const parent = msg("g", 1, { senderId: "me", thread: { replies: 1, lastSeq: 2, lastAt: "2026-11-21T02:00:02Z", repliers: ["bob"] } });
    s = reduce(s, { type: "threads", threads: [{ roomId: "g", parentSeq: 1, parent, readSeq: 0, unread: 1 }] });
    expect(unreadThreads(s)).toBe(1);
    s = reduce(s, { type: "message", message: msg("g", 4, { parentSeq: 1 }) });
    expect(unreadThreads(s)).toBe(2);
    // Again (a duplicate push): no more.
    s = reduce(s, { type: "message", message: msg("g", 4, { parentSeq: 1 }) });
    expect(unreadThreads(s)).toBe(2);
    s = reduce(s, { type: "local/openThread", roomId: "g", parentSeq: 1 });
    s = reduce(s, { type: "message", message: msg("g", 5, { parentSeq: 1 }) });
    expect(unreadThreads(s)).toBe(2);
    s = reduce(s, { type: "threadFollow", roomId: "g", parentSeq: 1, following: true, readSeq: 5 });
    expect(s.followed[threadKey("g", 1)].unread).toBe(0); // read past the newest reply known
  });

  it("load a thread, take live replies and the parent's summary", () => {
    let s = withRoom();
    s = reduce(s, { type: "local/openThread", roomId: "g", parentSeq: 1 });
    s = reduce(s, {
      type: "threadHistory",
      roomId: "g",
      parentSeq: 1,
      parent: msg("g", 1, { thread: { replies: 2, lastSeq: 3, lastAt: "2026-11-21T02:00:03Z", repliers: ["bob"] } }),
      messages: [msg("g", 3, { parentSeq: 1 }), msg("g", 2, { parentSeq: 1 })],
      hasMore: false,
      following: true,
      readSeq: 3,
    });
    const key = threadKey("g", 1);
    expect(s.openThread).toBe(key);
    expect(s.threads[key].replies.map((m) => m.seq)).toEqual([2, 3]);
    s = reduce(s, { type: "message", message: msg("g", 6, { parentSeq: 1 }) });
    s = reduce(s, { type: "messageUpdated", message: msg("g", 1, { thread: { replies: 3, lastSeq: 6, lastAt: "2026-11-21T02:00:06Z", repliers: ["bob"] } }), chg: 1 });
    expect(s.threads[key].replies.map((m) => m.seq)).toEqual([2, 3, 6]);
    expect(s.threads[key].parent?.thread?.replies).toBe(3);
    s = reduce(s, { type: "local/closeThread" });
    expect(s.openThread).toBe("");
  });

  it("clear a thread's badge when another device of mine read it (a pushed threadFollow)", () => {
    let s = withRoom();
    const parent = msg("g", 1, { senderId: "me", thread: { replies: 2, lastSeq: 3, lastAt: "2026-11-21T02:00:03Z", repliers: ["bob"] } });
    s = reduce(s, { type: "threads", threads: [{ roomId: "g", parentSeq: 1, parent, readSeq: 0, unread: 2 }] });
    expect(unreadThreads(s)).toBe(2);
    s = reduce(s, { type: "threadFollow", roomId: "g", parentSeq: 1, following: true, readSeq: 3 });
    expect(unreadThreads(s)).toBe(0);
    // Never back: an older position from a slower device moves nothing.
    s = reduce(s, { type: "threadFollow", roomId: "g", parentSeq: 1, following: true, readSeq: 2 });
    expect(s.followed[threadKey("g", 1)].readSeq).toBe(3);
    // Unfollowed elsewhere: gone here too.
    s = reduce(s, { type: "threadFollow", roomId: "g", parentSeq: 1, following: false });
    expect(s.followed[threadKey("g", 1)]).toBeUndefined();
  });

  it("stop counting an unread reply that was deleted, once", () => {
    let s = withRoom();
    const parent = msg("g", 1, { senderId: "me", thread: { replies: 2, lastSeq: 3, lastAt: "2026-11-21T02:00:03Z", repliers: ["bob"] } });
    s = reduce(s, { type: "threads", threads: [{ roomId: "g", parentSeq: 1, parent, readSeq: 0, unread: 0 }] });
    s = reduce(s, { type: "message", message: msg("g", 2, { parentSeq: 1 }) });
    s = reduce(s, { type: "message", message: msg("g", 3, { parentSeq: 1 }) });
    expect(unreadThreads(s)).toBe(2);
    const gone = msg("g", 3, { parentSeq: 1, text: "", deleted: true });
    s = reduce(s, { type: "messageUpdated", message: gone, chg: 4 });
    expect(unreadThreads(s)).toBe(1);
    s = reduce(s, { type: "messageUpdated", message: gone, chg: 4 }); // replayed
    expect(unreadThreads(s)).toBe(1);
  });

  it("open a thread on a notification's reply, then let the focus go", () => {
    let s = withRoom();
    s = reduce(s, { type: "local/openThread", roomId: "g", parentSeq: 1, focus: 7 });
    expect(s.openThread).toBe(threadKey("g", 1));
    expect(s.threadFocus).toBe(7);
    s = reduce(s, { type: "local/threadFocused" });
    expect(s.threadFocus).toBe(0);
    s = reduce(s, { type: "local/openThread", roomId: "g", parentSeq: 1, focus: 9 });
    s = reduce(s, { type: "local/closeThread" });
    expect(s.threadFocus).toBe(0);
    s = reduce(s, { type: "local/openThread", roomId: "g", parentSeq: 1 });
    expect(s.threadFocus).toBe(0);
  });

  it("follow the threads I reply in, start, or am mentioned in", () => {
    let s = withRoom();
    expect(followsThread(s, msg("g", 2, { parentSeq: 1 }))).toBe(true); // my message is the parent
    expect(followsThread(s, msg("g", 3, { parentSeq: 9 }))).toBe(false);
    expect(followsThread(s, msg("g", 3, { parentSeq: 9, mentions: ["me"] }))).toBe(true);
    s = reduce(s, { type: "ack", clientId: "c7", message: msg("g", 7, { senderId: "me", parentSeq: 9 }), delivered: 1, parent: msg("g", 9, { thread: { replies: 1, lastSeq: 7, lastAt: "2026-11-21T02:00:07Z", repliers: ["me"] } }), parentChg: 1 });
    expect(s.followed[threadKey("g", 9)]).toMatchObject({ readSeq: 7, unread: 0 });
  });
});
