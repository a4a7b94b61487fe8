// The quick switcher's list, the recent rooms, and the search panel's
// has:/is:/date controls as query text.
import { describe, expect, it } from "vitest";
import type { Profile, Room } from "../../src/api/protocol.gen";
import { addRecent, RECENT_MAX } from "../../src/features/recent";
import { reduce, initialState } from "../../src/state/store";
import { dateFilter, hasToken, setDateFilter, toggleToken } from "../../src/state/search";
import { fold, matches, switcherItems } from "../../src/state/switcher";
import { BOB, CY, room, stateFrame } from "../fixtures";

const ZOE: Profile = { userId: "zoe", username: "zoe", displayName: "Zoë Ångström", handle: "zoe.angstrom", avatarColor: "#000", online: false, createdAt: "2026-11-20T09:00:00Z" };
const channel = (id: string, topic = ""): Room => ({ roomId: id, kind: "public", name: id, topic, createdBy: "me", createdAt: "2026-11-20T09:00:00Z", lastSeq: 0, memberCount: 2 });

describe("quick switcher", () => {
  const s = reduce(initialState, stateFrame([room("general"), room("release-notes", { topic: "Wöchentlich" }), room("dm-bob", { kind: "direct", name: "", memberIds: ["me", "bob"] })], [BOB, CY, ZOE]));

  it("folds and matches by word prefix, case and accents ignored", () => {
    expect(fold("Zoë ÅNGSTRÖM")).toBe("zoe angstrom");
    expect(matches("zoe ang", "Zoë Ångström")).toBe(true);
    expect(matches("@zoe.ang", "Zoë Ångström")).toBe(true);
    expect(matches("strom", "Zoë Ångström")).toBe(false);
    expect(matches("wochen", "release-notes", "Wöchentlich")).toBe(true);
  });

  it("lists recent rooms first, then my other rooms, without a query", () => {
    const items = switcherItems(s, ["release-notes", "gone", "dm-bob"], "", [], []);
    expect(items.map((i) => [i.section, i.key])).toEqual([
      ["recent", "room:release-notes"],
      ["recent", "room:dm-bob"],
      ["rooms", "room:general"],
    ]);
    expect(items[1].label).toBe("Bob");
  });

  it("with a query: matching rooms, then people (a DM already listed is not repeated), then channels I am not in", () => {
    // As the server answers "bo" (and me, and a deactivated person, left out here).
    const people = [BOB, { ...CY, displayName: "Bo Cy", deactivated: true }, { ...s.me!, displayName: "Bo Me" }];
    const channels = [channel("general"), channel("random", "Bob's corner")];
    const items = switcherItems(s, ["general"], "bo", people, channels);
    expect(items.map((i) => i.key)).toEqual(["room:dm-bob", "channel:random"]);
    const z = switcherItems(s, [], "zo", [ZOE], []);
    expect(z).toEqual([{ kind: "person", key: "person:zoe", userId: "zoe", roomId: undefined, label: "Zoë Ångström", detail: "@zoe.angstrom", section: "people" }]);
    expect(switcherItems(s, [], "wöch", [], []).map((i) => i.key)).toEqual(["room:release-notes"]);
  });
});

describe("recent rooms", () => {
  it("puts the room first, once, and keeps a few", () => {
    expect(addRecent(["a", "b", "c"], "b")).toEqual(["b", "a", "c"]);
    let l: string[] = [];
    for (let i = 0; i < 20; i++) l = addRecent(l, `r${i}`);
    expect(l.length).toBe(RECENT_MAX);
    expect(l[0]).toBe("r19");
    expect(addRecent(["a"], "")).toEqual(["a"]);
  });
});

describe("search controls as query text", () => {
  it("toggles has: and is: tokens, keeping the rest", () => {
    expect(toggleToken("deploy ", "has:file", true)).toBe("has:file deploy ");
    expect(hasToken("has:file deploy", "HAS:FILE")).toBe(true);
    expect(toggleToken("has:file deploy has:file", "has:file", false)).toBe("deploy");
    expect(toggleToken("is:mention", "is:mention", false)).toBe("");
    expect(toggleToken("", "is:mention", true)).toBe("is:mention");
  });
  it("reads and replaces the date operator", () => {
    expect(dateFilter("deploy after:2026-11-01")).toEqual({ op: "after", date: "2026-11-01" });
    expect(dateFilter("deploy")).toEqual({ op: "", date: "" });
    expect(setDateFilter("deploy after:2026-11-01 before:2026-12-01", "on", "2026-11-05")).toBe("on:2026-11-05 deploy");
    expect(setDateFilter("on:2026-11-05 deploy", "on", "")).toBe("deploy");
  });
});
