import { describe, expect, it } from "vitest";
import { initialState, reduce } from "../../src/state/store";
import { mergeMessages, resumePoints, sendingNow } from "../../src/state/messages";
import { receipts } from "../../src/state/members";
import { totalUnread } from "../../src/state/rooms";
import { typingNames, TYPING_TTL_MS } from "../../src/state/typing";
import type { ChatState } from "../../src/state/types";
import { BOB, CY, LIMITS, ME, msg, room, stateFrame } from "../fixtures";

function withState(...rooms: ReturnType<typeof room>[]): ChatState {
  return reduce(initialState, stateFrame(rooms));
}

describe("mergeMessages", () => {
  it("orders by seq and keeps one message per seq, the newer copy winning", () => {
    const merged = mergeMessages([msg("g", 1), msg("g", 3)], [msg("g", 2), msg("g", 3, { text: "edited" })]);
    expect(merged.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(merged[2].text).toBe("edited");
  });
});

describe("state", () => {
  it("keeps the deployment's limits", () => {
    expect(initialState.limits).toBeNull();
    expect(withState(room("g")).limits).toEqual(LIMITS);
  });
});

describe("messages", () => {
  it("inserts live messages out of order by seq and dedupes repeats", () => {
    let s = withState(room("g", { lastSeq: 10, readSeq: 10 }));
    s = reduce(s, { type: "message", message: msg("g", 12) });
    s = reduce(s, { type: "message", message: msg("g", 11) });
    s = reduce(s, { type: "message", message: msg("g", 12) });
    expect(s.messages.g.map((m) => m.seq)).toEqual([11, 12]);
    expect(s.rooms.g.lastSeq).toBe(12);
    expect(s.rooms.g.unread).toBe(2);
  });

  it("tracks the contiguous seq for resume, stopping at a gap", () => {
    let s = withState(room("g", { lastSeq: 10, readSeq: 10 }));
    s = reduce(s, { type: "message", message: msg("g", 11) });
    s = reduce(s, { type: "message", message: msg("g", 13) });
    expect(resumePoints(s).g).toBe(11);
    s = reduce(s, { type: "message", message: msg("g", 12) });
    expect(resumePoints(s).g).toBe(13);
  });

  it("ignores messages for rooms it does not know", () => {
    const s = withState(room("g"));
    expect(reduce(s, { type: "message", message: msg("other", 1) })).toBe(s);
  });

  it("applies edits and deletions only to messages it holds", () => {
    let s = withState(room("g", { lastSeq: 1 }));
    s = reduce(s, { type: "history", roomId: "g", messages: [msg("g", 1)], hasMore: false });
    s = reduce(s, { type: "messageUpdated", message: msg("g", 1, { text: "", deleted: true, editedAt: "x" }) });
    expect(s.messages.g[0].deleted).toBe(true);
    const same = reduce(s, { type: "messageUpdated", message: msg("g", 99) });
    expect(same.messages.g.map((m) => m.seq)).toEqual([1]);
  });
});

describe("pending sends", () => {
  const pending = { clientId: "k1", roomId: "g", text: "hi", createdAt: "2026-11-21T02:00:00Z", status: "sending" as const };

  it("goes from pending to acked, matched by clientId", () => {
    let s = withState(room("g", { lastSeq: 4 }));
    s = reduce(s, { type: "local/send", pending });
    expect(sendingNow(s)).toHaveLength(1);
    s = reduce(s, { type: "ack", clientId: "k1", delivered: 2, message: msg("g", 5, { clientId: "k1", senderId: "me", text: "hi" }) });
    expect(s.pending).toHaveLength(0);
    expect(s.messages.g.map((m) => m.seq)).toEqual([5]);
    expect(s.rooms.g.unread).toBe(0);
  });

  it("a duplicate ack after a resend does not add a second message", () => {
    let s = withState(room("g", { lastSeq: 4 }));
    s = reduce(s, { type: "local/send", pending });
    const stored = msg("g", 5, { clientId: "k1", senderId: "me" });
    s = reduce(s, { type: "ack", clientId: "k1", delivered: 2, message: stored });
    s = reduce(s, { type: "ack", clientId: "k1", delivered: 0, duplicate: true, message: stored });
    expect(s.messages.g).toHaveLength(1);
  });

  it("resume delivering our own message (ack lost) clears the pending copy", () => {
    let s = withState(room("g", { lastSeq: 4 }));
    s = reduce(s, { type: "local/send", pending });
    s = reduce(s, { type: "missed", rooms: [{ roomId: "g", hasMore: false, messages: [msg("g", 5, { clientId: "k1", senderId: "me" })] }] });
    expect(s.pending).toHaveLength(0);
    expect(s.messages.g).toHaveLength(1);
  });

  it("a refused send is marked failed and no longer re-sent; retry re-arms it", () => {
    let s = withState(room("g"));
    s = reduce(s, { type: "local/send", pending });
    s = reduce(s, { type: "local/sendFailed", clientId: "k1", error: "too large" });
    expect(sendingNow(s)).toHaveLength(0);
    expect(s.pending[0].status).toBe("failed");
    s = reduce(s, { type: "local/retry", clientId: "k1" });
    expect(sendingNow(s)[0].clientId).toBe("k1");
  });
});

describe("resume and state", () => {
  it("keeps the contiguous mark of known rooms across getState, starts new rooms at lastSeq, drops gone ones", () => {
    let s = withState(room("g", { lastSeq: 5 }), room("gone", { lastSeq: 2 }));
    s = reduce(s, { type: "message", message: msg("g", 6) });
    s = reduce(s, stateFrame([room("g", { lastSeq: 9 }), room("new", { lastSeq: 7 })]));
    expect(resumePoints(s)).toEqual({ g: 6, new: 7 });
    expect(s.rooms.gone).toBeUndefined();
    expect(s.messages.g.map((m) => m.seq)).toEqual([6]);
  });

  it("merges missed messages oldest first and counts them unread", () => {
    let s = withState(room("g", { lastSeq: 2, readSeq: 2 }));
    s = reduce(s, { type: "missed", rooms: [{ roomId: "g", hasMore: true, messages: [msg("g", 3), msg("g", 4)] }] });
    expect(resumePoints(s).g).toBe(4);
    expect(s.rooms.g.unread).toBe(2);
    expect(s.rooms.g.lastSeq).toBe(4);
  });

  it("takes the gaps a resume skipped for holes once settled, and keeps the mark below a younger gap", () => {
    const at = (seq: number, sec: number) => msg("g", seq, { createdAt: new Date(Date.UTC(2026, 10, 21, 2, 0, sec)).toISOString() });
    let s = withState(room("g", { lastSeq: 1 }));
    s = reduce(s, { type: "missed", rooms: [{ roomId: "g", hasMore: false, messages: [at(2, 2), at(4, 4), at(10, 20), at(12, 100)] }] });
    // 3 and 5..9 are holes (4 and 10 are over 60 s older than the newest,
    // 12); 11 may be a message still being written.
    expect(resumePoints(s).g).toBe(10);
    // It arrives live: the mark moves on.
    s = reduce(s, { type: "message", message: at(11, 99) });
    expect(resumePoints(s).g).toBe(12);
  });

  it("a young gap is settled by a later resume once newer messages exist", () => {
    const at = (seq: number, sec: number) => msg("g", seq, { createdAt: new Date(Date.UTC(2026, 10, 21, 2, 0, sec)).toISOString() });
    let s = withState(room("g", { lastSeq: 0 }));
    s = reduce(s, { type: "missed", rooms: [{ roomId: "g", hasMore: false, messages: [at(1, 1), at(3, 2)] }] });
    expect(resumePoints(s).g).toBe(1);
    s = reduce(s, { type: "missed", rooms: [{ roomId: "g", hasMore: false, messages: [at(3, 2), at(4, 90)] }] });
    expect(resumePoints(s).g).toBe(4);
  });

  it("a room reply with a newer read position takes it", () => {
    let s = withState(room("g", { lastSeq: 5, readSeq: 3, unread: 2 }));
    s = reduce(s, { type: "room", room: room("g", { lastSeq: 6, readSeq: 6, unread: 0 }) });
    expect(s.rooms.g.readSeq).toBe(6);
    expect(s.rooms.g.unread).toBe(0);
    expect(s.rooms.g.lastSeq).toBe(6);
  });

  it("roomUpdated keeps our own read state", () => {
    let s = withState(room("g", { lastSeq: 5, readSeq: 3, unread: 2 }));
    s = reduce(s, { type: "roomUpdated", room: room("g", { lastSeq: 5, topic: "new", readSeq: 0, unread: 0 }) });
    expect(s.rooms.g.topic).toBe("new");
    expect(s.rooms.g.unread).toBe(2);
    expect(s.rooms.g.readSeq).toBe(3);
  });

  it("roomRemoved drops the room, its messages and pending sends", () => {
    let s = withState(room("g"), room("x"));
    s = reduce(s, { type: "local/open", roomId: "x" });
    s = reduce(s, { type: "local/send", pending: { clientId: "k", roomId: "x", text: "t", createdAt: "", status: "sending" } });
    s = reduce(s, { type: "roomRemoved", roomId: "x" });
    expect(s.rooms.x).toBeUndefined();
    expect(s.pending).toHaveLength(0);
    expect(s.activeRoom).toBe("");
  });
});

describe("unread counts", () => {
  it("counts others' messages, not our own nor ones viewed at the bottom", () => {
    let s = withState(room("g", { lastSeq: 0 }), room("h"));
    s = reduce(s, { type: "message", message: msg("g", 1, { senderId: "me" }) });
    expect(s.rooms.g.unread).toBe(0);
    s = reduce(s, { type: "message", message: msg("g", 2, { mentions: ["me"] }) });
    expect(s.rooms.g.unread).toBe(1);
    expect(s.rooms.g.mentions).toBe(1);
    s = reduce(s, { type: "local/open", roomId: "h" });
    s = reduce(s, { type: "message", message: msg("h", 1) });
    expect(s.rooms.h.unread).toBe(0);
    s = reduce(s, { type: "local/atBottom", atBottom: false });
    s = reduce(s, { type: "message", message: msg("h", 2) });
    expect(s.rooms.h.unread).toBe(1);
    expect(totalUnread(s)).toBe(2);
  });

  it("our read event clears unread up to its seq", () => {
    let s = withState(room("g"));
    for (const seq of [1, 2, 3]) s = reduce(s, { type: "message", message: msg("g", seq, { mentions: seq === 3 ? ["me"] : [] }) });
    s = reduce(s, { type: "read", roomId: "g", userId: "me", seq: 2 });
    expect(s.rooms.g.unread).toBe(1);
    expect(s.rooms.g.mentions).toBe(1);
    s = reduce(s, { type: "read", roomId: "g", userId: "me", seq: 3 });
    expect(s.rooms.g.unread).toBe(0);
    expect(s.rooms.g.mentions).toBe(0);
  });
});

describe("typing", () => {
  it("shows typing until it expires, and clears it when their message arrives", () => {
    let s = withState(room("g"));
    s = reduce(s, { type: "typing", roomId: "g", userId: "bob", displayName: "Bob" }, 1000);
    s = reduce(s, { type: "typing", roomId: "g", userId: "cy", displayName: "Cy Young" }, 2000);
    expect(typingNames(s, "g", 2500)).toEqual(["Bob", "Cy Young"]);
    s = reduce(s, { type: "local/tick", now: 1000 + TYPING_TTL_MS + 1 });
    expect(typingNames(s, "g", 1000 + TYPING_TTL_MS + 1)).toEqual(["Cy Young"]);
    s = reduce(s, { type: "message", message: msg("g", 1, { senderId: "cy" }) });
    expect(s.typing.g).toEqual([]);
  });

  it("clears someone's typing at once when they stop (draft cleared or sent)", () => {
    let s = withState(room("g"));
    s = reduce(s, { type: "typing", roomId: "g", userId: "bob", displayName: "Bob" }, 1000);
    s = reduce(s, { type: "typing", roomId: "g", userId: "bob", displayName: "Bob", stopped: true }, 1200);
    expect(typingNames(s, "g", 1300)).toEqual([]);
  });

  it("never shows ourselves typing", () => {
    const s = withState(room("g"));
    expect(reduce(s, { type: "typing", roomId: "g", userId: "me", displayName: "Ada" })).toBe(s);
  });
});

describe("receipts", () => {
  it("places each member's seen mark on the newest message by someone else that they read", () => {
    let s = withState(room("g", { lastSeq: 3 }));
    s = reduce(s, { type: "history", roomId: "g", hasMore: false, messages: [msg("g", 3, { senderId: "me" }), msg("g", 2, { senderId: "cy" }), msg("g", 1, { senderId: "me" })] });
    s = reduce(s, {
      type: "members",
      roomId: "g",
      members: [
        { ...ME, role: "owner", readSeq: 3 },
        { ...BOB, role: "member", readSeq: 1 },
        { ...CY, role: "member", readSeq: 2 },
      ],
    });
    let r = receipts(s, "g");
    // Cy's newest read message is her own: her mark goes on the one before.
    expect(r.get(1)?.map((u) => u.userId).sort()).toEqual(["bob", "cy"]);
    expect(r.get(2)).toBeUndefined();
    s = reduce(s, { type: "read", roomId: "g", userId: "bob", seq: 3 });
    s = reduce(s, { type: "read", roomId: "g", userId: "cy", seq: 3 });
    r = receipts(s, "g");
    expect(r.get(3)?.map((u) => u.userId).sort()).toEqual(["bob", "cy"]);
    expect(r.get(1)).toBeUndefined();
  });

  it("read positions never move backwards", () => {
    let s = withState(room("g"));
    s = reduce(s, { type: "members", roomId: "g", members: [{ ...BOB, role: "member", readSeq: 5 }] });
    s = reduce(s, { type: "read", roomId: "g", userId: "bob", seq: 2 });
    expect(s.members.g.bob.readSeq).toBe(5);
  });

  it("newcomers start having read everything so far", () => {
    let s = withState(room("g", { lastSeq: 7 }));
    s = reduce(s, { type: "members", roomId: "g", members: [{ ...ME, role: "owner", readSeq: 7 }] });
    s = reduce(s, { type: "memberJoined", roomId: "g", user: BOB });
    expect(s.members.g.bob.readSeq).toBe(7);
    // The count follows the known list (1, then Bob).
    expect(s.rooms.g.memberCount).toBe(2);
  });

  it("the inviter's member count follows the invite's reply, and a join already counted is not counted again", () => {
    let s = withState(room("g", { memberCount: 1 }));
    s = reduce(s, { type: "members", roomId: "g", members: [{ ...ME, role: "owner", readSeq: 0 }] });
    expect(s.rooms.g.memberCount).toBe(1);
    s = reduce(s, { type: "members", roomId: "g", members: [{ ...ME, role: "owner", readSeq: 0 }, { ...BOB, role: "member", readSeq: 0 }] });
    expect(s.rooms.g.memberCount).toBe(2);
    s = reduce(s, { type: "memberJoined", roomId: "g", user: BOB });
    expect(s.rooms.g.memberCount).toBe(2);
    s = reduce(s, { type: "memberLeft", roomId: "g", user: BOB });
    expect(s.rooms.g.memberCount).toBe(1);
    s = reduce(s, { type: "memberLeft", roomId: "g", user: BOB });
    expect(s.rooms.g.memberCount).toBe(1);
  });
});

describe("presence", () => {
  it("updates a known user's online flag", () => {
    let s = withState(room("g"));
    s = reduce(s, { type: "presence", userId: "cy", online: true });
    expect(s.users.cy.online).toBe(true);
    s = reduce(s, { type: "presence", userId: "cy", online: false, lastSeen: 1763691000000 });
    expect(s.users.cy.online).toBe(false);
    expect(s.users.cy.lastSeen).toBe(new Date(1763691000000).toISOString());
  });
});
