import { describe, expect, it } from "vitest";
import { reduce, initialState } from "../../src/state/store";
import { canManage, canModerate, canSetRoles, isAdmin, isStaff, mutedUntil } from "../../src/state/moderation";
import { BOB, ME, msg, room, stateFrame } from "../fixtures";

const future = new Date(Date.now() + 3600_000).toISOString();

describe("moderation slice", () => {
  it("takes my groups from the state event", () => {
    let s = reduce(initialState, { ...stateFrame([room("general")]), groups: ["moderators"] });
    expect(isStaff(s)).toBe(true);
    expect(isAdmin(s)).toBe(false);
    s = reduce(s, stateFrame([room("general")]));
    expect(isStaff(s)).toBe(false);
  });

  it("applies memberUpdated to the member and, for me, to the room", () => {
    let s = reduce(initialState, stateFrame([room("r1", { role: "member" })]));
    s = reduce(s, { type: "members", roomId: "r1", members: [{ ...ME, role: "member", readSeq: 3 }, { ...BOB, role: "member", readSeq: 1 }] });
    s = reduce(s, { type: "memberUpdated", roomId: "r1", member: { ...ME, role: "member", readSeq: 3, mutedUntil: future } });
    expect(s.members.r1.me.mutedUntil).toBe(future);
    expect(mutedUntil(s.rooms.r1)?.toISOString()).toBe(future);
    // roomUpdated (no role, no mute) keeps mine.
    s = reduce(s, { type: "roomUpdated", room: room("r1", { topic: "x" }) });
    expect(s.rooms.r1.mutedUntil).toBe(future);
    s = reduce(s, { type: "memberUpdated", roomId: "r1", member: { ...ME, role: "owner", readSeq: 3 } });
    expect(mutedUntil(s.rooms.r1)).toBeNull();
    expect(canSetRoles(s, s.rooms.r1)).toBe(true);
  });

  it("offers managing and moderating by role and group, as the policy does", () => {
    const s = reduce(initialState, stateFrame([room("r1", { role: "member" }), room("r2", { role: "moderator" }), room("d1", { kind: "direct", role: "member" })]));
    expect(canManage(s, s.rooms.r1)).toBe(false);
    expect(canModerate(s, s.rooms.r1)).toBe(false);
    expect(canManage(s, s.rooms.r2)).toBe(true);
    expect(canSetRoles(s, s.rooms.r2)).toBe(false);
    const mod = reduce(s, { ...stateFrame(Object.values(s.rooms)), groups: ["moderators"] });
    expect(canModerate(mod, mod.rooms.r1)).toBe(true);
    expect(canManage(mod, mod.rooms.r1)).toBe(false);
    expect(canModerate(mod, mod.rooms.d1)).toBe(false);
  });

  it("does not count system lines as unread", () => {
    let s = reduce(initialState, stateFrame([room("r1")]));
    s = reduce(s, { type: "message", message: msg("r1", 1, { text: "", system: { kind: "joined" } }) });
    expect(s.rooms.r1.unread).toBe(0);
    s = reduce(s, { type: "message", message: msg("r1", 2) });
    expect(s.rooms.r1.unread).toBe(1);
  });
});

describe("invitations", () => {
  const inv = { roomId: "p1", userId: "me", invitedBy: "bob", invitedAt: "2026-11-21T02:00:00Z", roomName: "ops" };
  it("come with the state and as invited, and go when accepted or declined", () => {
    let s = reduce(initialState, { ...stateFrame([room("general")]), invites: [inv] });
    expect(s.invites).toHaveLength(1);
    s = reduce(s, { type: "invited", invite: { ...inv, roomId: "p2", roomName: "two" } });
    expect(s.invites.map((i) => i.roomId)).toEqual(["p1", "p2"]);
    s = reduce(s, { type: "room", room: room("p1", { kind: "private" }) });
    expect(s.invites.map((i) => i.roomId)).toEqual(["p2"]);
    s = reduce(s, { type: "invites", invites: [] });
    expect(s.invites).toEqual([]);
  });
});
