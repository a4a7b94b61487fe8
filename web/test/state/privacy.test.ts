// Privacy controls and blocking on the client (issue 15): the settings
// read as the defaults until known, a blocked sender is recognised, and a
// privacy change is shown at once, sent as a patch, and rolled back when
// refused.
import { describe, expect, it } from "vitest";
import { PreferencesSync } from "../../src/features/preferences";
import { defaultPrefs } from "../../src/features/prefs";
import { initialState, reduce } from "../../src/state/store";
import { isBlocked, privacyOf } from "../../src/state/preferences";
import { directReadOnly } from "../../src/state/rooms";
import type { AnyPayload } from "../../src/api/notifyProtocol";
import type { Chat } from "../../src/state/chat";
import type { Action, ChatState } from "../../src/state/types";
import { PREFS, room, stateFrame } from "../fixtures";

function setup(fail = false) {
  let state: ChatState = reduce(initialState, { ...stateFrame([room("g")]), preferences: { ...PREFS, blocked: ["eve"] } } as never);
  const sent: AnyPayload[] = [];
  const chat = {
    get state() {
      return state;
    },
    dispatch: (a: Action) => (state = reduce(state, a)),
    request: async (p: AnyPayload) => {
      sent.push(p);
      if (fail) throw new Error("refused");
      return { type: "preferences" };
    },
  } as unknown as Chat;
  const sync = new PreferencesSync(chat, { userId: "me", storage: { getItem: () => "1", setItem: () => {} }, current: defaultPrefs, apply: () => {}, hadLocal: false });
  return { sync, sent, state: () => state };
}

describe("privacy", () => {
  it("reads the defaults until the server says", () => {
    expect(privacyOf(initialState)).toEqual({ appearOffline: false, hideReceipts: false, dmFrom: "everyone" });
    expect(isBlocked(initialState, "eve")).toBe(false);
  });

  it("knows who is blocked", () => {
    const { state } = setup();
    expect(isBlocked(state(), "eve")).toBe(true);
    expect(isBlocked(state(), "bob")).toBe(false);
    expect(isBlocked(state(), "")).toBe(false);
  });

  it("shows a change at once and sends only the patch", async () => {
    const { sync, sent, state } = setup();
    await sync.setPrivacy({ dmFrom: "nobody" });
    expect(sent).toEqual([{ action: "setPreferences", privacy: { dmFrom: "nobody" } }]);
    expect(privacyOf(state())).toEqual({ appearOffline: false, hideReceipts: false, dmFrom: "nobody" });
    await sync.block("bob");
    await sync.unblock("eve");
    expect(sent.slice(1)).toEqual([
      { action: "blockUser", userId: "bob" },
      { action: "unblockUser", userId: "eve" },
    ]);
  });

  it("rolls a refused change back", async () => {
    const { sync, state } = setup(true);
    await expect(sync.setPrivacy({ appearOffline: true })).rejects.toThrow("refused");
    expect(privacyOf(state()).appearOffline).toBe(false);
  });
});

describe("a direct conversation with a deleted account", () => {
  const users = (deleted: Record<string, boolean>) =>
    Object.fromEntries(Object.entries(deleted).map(([id, d]) => [id, { userId: id, displayName: d ? "Deleted user" : id, deleted: d }]));
  const st = (_: string[], deleted: Record<string, boolean>) =>
    ({ me: { userId: "me" }, users: users(deleted), rooms: {} }) as unknown as ChatState;
  const dm = (memberIds: string[], kind = "direct") => ({ id: "d", kind, memberIds }) as never;

  it("is read-only once every other member deleted their account", () => {
    expect(directReadOnly(st([], { ada: true }), dm(["me", "ada"]))).toBe(true);
    expect(directReadOnly(st([], { ada: false }), dm(["me", "ada"]))).toBe(false);
    expect(directReadOnly(st([], {}), dm(["me", "ada"]))).toBe(false); // not known yet: live
    expect(directReadOnly(st([], { ada: true, bo: false }), dm(["me", "ada", "bo"]))).toBe(false);
    expect(directReadOnly(st([], { ada: true, bo: true }), dm(["me", "ada", "bo"]))).toBe(true);
    expect(directReadOnly(st([], {}), dm(["me"]))).toBe(false);
    expect(directReadOnly(st([], { ada: true }), dm(["me", "ada"], "private"))).toBe(false);
  });
});
