// The preferences slice and the decisions made from it: state and
// preferences events (nested or flat), room mutes and levels, the badge
// counts (muted rooms count only mentions), do-not-disturb in its own time
// zone (overnight periods belong to the day they begin) and shouldNotify.
import { describe, expect, it } from "vitest";
import { initialState, reduce } from "../../src/state/store";
import { badgeCount, defaultNotify, FOREVER, inDnd, isMuted, localParts, roomBadge, roomLevel, shouldNotify } from "../../src/state/preferences";
import type { Preferences } from "../../src/api/notifyProtocol";
import { room, stateFrame } from "../fixtures";

const PREFS: Preferences = {
  notify: defaultNotify("Europe/Berlin"),
  appearance: { theme: "dark", accent: "#0f8a5f", layout: "bubble", lang: "de", sound: false },
  rooms: { g: { level: "mentions" } },
  pushKey: "BKey",
};

const NOW = Date.parse("2026-11-30T12:00:00Z");

describe("preferences slice", () => {
  it("takes the state event's preferences, keeps null without them", () => {
    const { preferences: _, ...frame } = stateFrame([room("g")]);
    const without = reduce(initialState, frame as never);
    expect(without.preferences).toBeNull();
    const withPrefs = reduce(initialState, { ...stateFrame([room("g")]), preferences: PREFS } as never);
    expect(withPrefs.preferences).toEqual(PREFS);
    expect(roomLevel(withPrefs, "g")).toBe("mentions");
    expect(roomLevel(withPrefs, "other")).toBe("mentions"); // a channel's default
  });

  it("takes a preferences event", () => {
    const s = reduce(initialState, stateFrame([room("g")]));
    const nested = reduce(s, { type: "preferences", preferences: PREFS });
    expect(nested.preferences).toEqual(PREFS);
    // Unchanged for a frame without them; reset on sign-out.
    expect(reduce(nested, { type: "pushSubscribed", endpoint: "", subscribed: false })).toBe(nested);
    expect(reduce(nested, { type: "local/reset" }).preferences).toBeNull();
  });

  it("counts only mentions for muted rooms and rooms set to nothing", () => {
    let s = reduce(initialState, stateFrame([room("a", { unread: 5, mentions: 1 }), room("b", { unread: 3, mentions: 0 }), room("c", { unread: 2, mentions: 2 }), room("d", { unread: 4 })]));
    s = reduce(s, {
      type: "local/preferences",
      preferences: {
        ...PREFS,
        rooms: { a: { muteUntil: "2026-11-30T13:00:00Z" }, b: { level: "nothing" }, c: { level: "all", muteUntil: "2026-11-30T11:00:00Z" }, d: { level: "mentions" } },
      },
    });
    expect(isMuted(s, "a", NOW)).toBe(true);
    expect(isMuted(s, "b", NOW)).toBe(true);
    expect(isMuted(s, "c", NOW)).toBe(false); // the mute ended
    expect(isMuted(s, "d", NOW)).toBe(false);
    expect([roomBadge(s, s.rooms.a, NOW), roomBadge(s, s.rooms.b, NOW), roomBadge(s, s.rooms.c, NOW), roomBadge(s, s.rooms.d, NOW)]).toEqual([1, 0, 2, 4]);
    expect(badgeCount(s, NOW)).toBe(7);
    // After a's mute ends it counts everything again.
    expect(badgeCount(s, Date.parse("2026-11-30T14:00:00Z"))).toBe(11);
  });
});

describe("do-not-disturb", () => {
  const night = { enabled: true, start: "22:00", end: "07:00", tz: "Europe/Berlin", days: [1, 2, 3, 4, 5] };

  it("reads the time in the schedule's zone", () => {
    // 2026-11-30 is a Monday; 21:30 UTC is 22:30 in Berlin (CET).
    expect(localParts(new Date("2026-11-30T21:30:00Z"), "Europe/Berlin")).toEqual({ day: 1, minutes: 22 * 60 + 30 });
    expect(localParts(new Date("2026-11-30T21:30:00Z"), "America/New_York")).toEqual({ day: 1, minutes: 16 * 60 + 30 });
    expect(localParts(new Date("2026-11-30T21:30:00Z"), "Not/AZone")).toEqual({ day: 1, minutes: 21 * 60 + 30 });
  });

  it("covers overnight periods from the day they begin", () => {
    expect(inDnd(night, new Date("2026-11-30T21:30:00Z"))).toBe(true); // Mon 22:30
    expect(inDnd(night, new Date("2026-11-30T20:30:00Z"))).toBe(false); // Mon 21:30
    expect(inDnd(night, new Date("2026-12-01T05:30:00Z"))).toBe(true); // Tue 06:30, begun Monday
    expect(inDnd(night, new Date("2026-12-01T06:30:00Z"))).toBe(false); // Tue 07:30
    // Friday night runs into Saturday; Saturday night is not listed.
    expect(inDnd(night, new Date("2026-12-05T05:00:00Z"))).toBe(true); // Sat 06:00
    expect(inDnd(night, new Date("2026-12-05T22:00:00Z"))).toBe(false); // Sat 23:00
    expect(inDnd(night, new Date("2026-11-30T05:00:00Z"))).toBe(false); // Mon 06:00, Sunday not listed
    expect(inDnd({ ...night, enabled: false }, new Date("2026-11-30T21:30:00Z"))).toBe(false);
  });

  it("handles daytime periods", () => {
    const lunch = { enabled: true, start: "12:00", end: "13:00", tz: "UTC", days: [1] };
    expect(inDnd(lunch, new Date("2026-11-30T12:30:00Z"))).toBe(true);
    expect(inDnd(lunch, new Date("2026-11-30T13:00:00Z"))).toBe(false);
    expect(inDnd(lunch, new Date("2026-12-01T12:30:00Z"))).toBe(false);
  });
});

describe("shouldNotify", () => {
  const base = reduce(initialState, stateFrame([room("g"), room("dm", { kind: "direct" })]));
  const withRooms = (rooms: Preferences["rooms"], dnd = defaultNotify("UTC").dnd) => reduce(base, { type: "local/preferences", preferences: { ...PREFS, notify: { ...PREFS.notify, dnd }, rooms } });
  const at = new Date(NOW);
  const table: [string, Preferences["rooms"], string, { direct: boolean; mentioned: boolean }, boolean][] = [
    ["default level of a channel, chatter", {}, "g", { direct: false, mentioned: false }, false],
    ["default level of a channel, a mention", {}, "g", { direct: false, mentioned: true }, true],
    ["default level of a DM", {}, "dm", { direct: true, mentioned: false }, true],
    ["all, chatter", { g: { level: "all" } }, "g", { direct: false, mentioned: false }, true],
    ["mentions level, chatter", { g: { level: "mentions" } }, "g", { direct: false, mentioned: false }, false],
    ["mentions level, a mention", { g: { level: "mentions" } }, "g", { direct: false, mentioned: true }, true],
    ["mentions level, a DM", { dm: { level: "mentions" } }, "dm", { direct: true, mentioned: false }, true],
    ["nothing, a mention", { g: { level: "nothing" } }, "g", { direct: false, mentioned: true }, false],
    ["muted an hour, a mention (still notifies, as chat.DecideNotify)", { g: { level: "all", muteUntil: "2026-11-30T13:00:00Z" } }, "g", { direct: false, mentioned: true }, true],
    ["muted an hour, chatter", { g: { level: "all", muteUntil: "2026-11-30T13:00:00Z" } }, "g", { direct: false, mentioned: false }, false],
    ["muted forever", { g: { muteUntil: FOREVER } }, "g", { direct: false, mentioned: false }, false],
    ["mute over", { g: { level: "all", muteUntil: "2026-11-30T11:00:00Z" } }, "g", { direct: false, mentioned: false }, true],
  ];
  for (const [name, rooms, roomId, msg, want] of table) {
    it(name, () => expect(shouldNotify(withRooms(rooms), roomId, msg, at)).toBe(want));
  }
  it("nothing during do-not-disturb", () => {
    const s = withRooms({}, { enabled: true, start: "11:00", end: "13:00", tz: "UTC", days: [1, 2, 3, 4, 5, 6, 7] });
    expect(shouldNotify(s, "dm", { direct: true, mentioned: true }, at)).toBe(false);
  });
});
