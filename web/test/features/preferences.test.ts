// The synced preferences from the client's side, with a recording chat:
// the server's appearance is applied (and cached by the caller), a
// device's old local appearance is sent once when the server has none, a
// change here is shown at once and sent with setPreferences, and a refused
// notification or room change is rolled back.
import { describe, expect, it, vi } from "vitest";
import { PreferencesSync } from "../../src/features/preferences";
import { RequestError } from "../../src/api/socket";
import { defaultPrefs, type Prefs } from "../../src/features/prefs";
import { initialState, reduce } from "../../src/state/store";
import { defaultNotify, FOREVER } from "../../src/state/preferences";
import type { AnyPayload, Preferences } from "../../src/api/notifyProtocol";
import type { Chat } from "../../src/state/chat";
import type { Action, ChatState } from "../../src/state/types";
import { room, stateFrame } from "../fixtures";

const SERVER_DEFAULT: Preferences = { notify: defaultNotify("UTC"), appearance: { theme: "system", accent: "#3b6fd8", layout: "compact", lang: "en", sound: true }, rooms: {}, pushKey: "K" };

function setup(local: Partial<Prefs>, opts: { hadLocal?: boolean; migrated?: boolean; fail?: boolean } = {}) {
  let state: ChatState = reduce(initialState, stateFrame([room("g")]));
  const sent: AnyPayload[] = [];
  const chat = {
    get state() {
      return state;
    },
    dispatch: (a: Action) => (state = reduce(state, a)),
    request: async (p: AnyPayload) => {
      sent.push(p);
      if (opts.fail) throw new Error("refused");
      return { type: "preferences" };
    },
  } as unknown as Chat;
  let prefs: Prefs = { ...defaultPrefs(), lang: "en", ...local };
  const applied: Prefs[] = [];
  const storage = new Map<string, string>();
  if (opts.migrated) storage.set("backchannel.prefsMigrated.me", "1");
  const sync = new PreferencesSync(chat, {
    userId: "me",
    storage: { getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => void storage.set(k, v) },
    current: () => prefs,
    apply: (p) => {
      prefs = p;
      applied.push(p);
    },
    hadLocal: opts.hadLocal ?? true,
  });
  const deliver = (ev: Action & { type: "state" | "preferences" }) => {
    state = reduce(state, ev);
    sync.onEvent(ev);
  };
  return { sync, sent, applied, deliver, prefs: () => prefs, state: () => state };
}

describe("synced preferences", () => {
  it("applies the server's appearance", () => {
    const { deliver, applied, sent } = setup({ theme: "light" }, { migrated: true });
    deliver({ ...stateFrame([room("g")]), preferences: { ...SERVER_DEFAULT, appearance: { ...SERVER_DEFAULT.appearance, theme: "dark", lang: "de" } } } as never);
    expect(applied.map((p) => [p.theme, p.lang])).toEqual([["dark", "de"]]);
    expect(sent).toEqual([]);
  });

  it("sends this device's old appearance once, when the server has none chosen", async () => {
    vi.useFakeTimers();
    const { deliver, applied, sent } = setup({ theme: "dark", accent: "#b5488a" });
    deliver({ ...stateFrame([room("g")]), preferences: SERVER_DEFAULT } as never);
    await vi.runAllTimersAsync();
    expect(applied).toEqual([]);
    expect(sent).toEqual([{ action: "setPreferences", appearance: { theme: "dark", accent: "#b5488a", layout: "compact", lang: "en", sound: true } }]);
    // Not again on the next connect: the server's now wins.
    deliver({ ...stateFrame([room("g")]), preferences: SERVER_DEFAULT } as never);
    await vi.runAllTimersAsync();
    expect(sent).toHaveLength(1);
    expect(applied.map((p) => p.theme)).toEqual(["system"]);
    vi.useRealTimers();
  });

  it("does not overwrite an appearance chosen on another device", () => {
    const { deliver, applied, sent } = setup({ theme: "dark" });
    deliver({ ...stateFrame([room("g")]), preferences: { ...SERVER_DEFAULT, appearance: { ...SERVER_DEFAULT.appearance, layout: "bubble" } } } as never);
    expect(sent).toEqual([]);
    expect(applied.map((p) => [p.theme, p.layout])).toEqual([["system", "bubble"]]);
  });

  it("sends an appearance change, shown at once", async () => {
    const { deliver, sync, sent, state } = setup({}, { migrated: true });
    deliver({ ...stateFrame([room("g")]), preferences: SERVER_DEFAULT } as never);
    await sync.saveAppearance({ ...defaultPrefs(), lang: "en", accent: "#00838f" });
    expect(state().preferences?.appearance.accent).toBe("#00838f");
    expect(sent).toEqual([{ action: "setPreferences", appearance: { theme: "system", accent: "#00838f", layout: "compact", lang: "en", sound: true } }]);
    // The same again: nothing to send.
    await sync.saveAppearance({ ...defaultPrefs(), lang: "en", accent: "#00838f" });
    expect(sent).toHaveLength(1);
  });

  it("sets notifications and room levels, rolled back when refused", async () => {
    const ok = setup({}, { migrated: true });
    ok.deliver({ type: "preferences", preferences: SERVER_DEFAULT });
    await ok.sync.setNotify({ ...SERVER_DEFAULT.notify, previews: false });
    await ok.sync.setRoom("g", "mentions");
    await ok.sync.setRoom("g", "mentions", FOREVER);
    await ok.sync.setRoom("g", "all");
    expect(ok.sent).toEqual([
      { action: "setPreferences", notify: { ...SERVER_DEFAULT.notify, previews: false } },
      { action: "setRoomNotify", roomId: "g", level: "mentions", muteUntil: "" },
      { action: "setRoomNotify", roomId: "g", level: "mentions", muteUntil: FOREVER },
      // A level change keeps the mute.
      { action: "setRoomNotify", roomId: "g", level: "all", muteUntil: FOREVER },
    ]);
    expect(ok.state().preferences?.rooms.g).toEqual({ level: "all", muteUntil: FOREVER });

    const refused = setup({}, { migrated: true, fail: true });
    refused.deliver({ type: "preferences", preferences: SERVER_DEFAULT });
    await expect(refused.sync.setNotify({ ...SERVER_DEFAULT.notify, email: false })).rejects.toThrow("refused");
    await expect(refused.sync.setRoom("g", "nothing")).rejects.toThrow("refused");
    expect(refused.state().preferences).toEqual(SERVER_DEFAULT);
  });

  it("keeps an unanswered edit shown when an older reply arrives meanwhile", async () => {
    let answer: (() => void) | undefined;
    let state: ChatState = reduce(initialState, { ...stateFrame([room("g")]), preferences: SERVER_DEFAULT } as never);
    const chat = {
      get state() {
        return state;
      },
      dispatch: (a: Action) => (state = reduce(state, a)),
      request: (p: AnyPayload) =>
        p.action === "setPreferences" && "notify" in p ? new Promise((resolve) => (answer = () => resolve({ type: "preferences" }))) : Promise.resolve({ type: "preferences" }),
    } as unknown as Chat;
    const sync = new PreferencesSync(chat, { userId: "me", storage: { getItem: () => "1", setItem: () => {} }, current: () => defaultPrefs(), apply: () => {}, hadLocal: false });
    const edit = sync.setNotify({ ...SERVER_DEFAULT.notify, previews: false });
    expect(state.preferences?.notify.previews).toBe(false);
    // The reply to an earlier appearance change still carries previews on.
    const older = { type: "preferences", preferences: { ...SERVER_DEFAULT, appearance: { ...SERVER_DEFAULT.appearance, theme: "dark" } } } as never;
    state = reduce(state, older);
    sync.onEvent(older);
    expect(state.preferences?.notify.previews).toBe(false);
    expect(state.preferences?.appearance.theme).toBe("dark");
    answer?.();
    await edit;
    // Answered: the server's frames are taken as they are again.
    const later = { type: "preferences", preferences: SERVER_DEFAULT } as never;
    state = reduce(state, later);
    sync.onEvent(later);
    expect(state.preferences?.notify.previews).toBe(true);
  });

  it("sends a rate-limited setting again in the next window, shown meanwhile, and stops when a newer edit went out", async () => {
    let state: ChatState = reduce(initialState, { ...stateFrame([room("g")]), preferences: SERVER_DEFAULT } as never);
    const sent: AnyPayload[] = [];
    let refuse = 2;
    const chat = {
      get state() {
        return state;
      },
      dispatch: (a: Action) => (state = reduce(state, a)),
      request: async (p: AnyPayload) => {
        sent.push(p);
        if (refuse-- > 0) throw new RequestError("rate_limited", "too many requests");
        return { type: "preferences" };
      },
    } as unknown as Chat;
    const sync = new PreferencesSync(chat, { userId: "me", storage: { getItem: () => "1", setItem: () => {} }, current: () => defaultPrefs(), apply: () => {}, hadLocal: false });
    sync.backoffMs = 1;
    await sync.setNotify({ ...SERVER_DEFAULT.notify, previews: false });
    expect(sent).toHaveLength(3);
    expect(state.preferences?.notify.previews).toBe(false);

    // Refused, then changed again: the older edit is not sent after the newer.
    sent.length = 0;
    refuse = 1;
    sync.backoffMs = 20;
    const first = sync.setNotify({ ...SERVER_DEFAULT.notify, previews: false, email: false });
    await Promise.resolve();
    await sync.setNotify({ ...SERVER_DEFAULT.notify, previews: true, email: false });
    await first;
    expect(sent.map((p) => (p as { notify: { previews: boolean } }).notify.previews)).toEqual([false, true]);
    expect(state.preferences?.notify.previews).toBe(true);

    // Not retried: a refusal that waiting does not change.
    sent.length = 0;
    const invalid = { ...chat, request: async (p: AnyPayload) => (sent.push(p), Promise.reject(new RequestError("invalid", "bad time zone"))) } as unknown as Chat;
    const once = new PreferencesSync(invalid, { userId: "me", storage: { getItem: () => "1", setItem: () => {} }, current: () => defaultPrefs(), apply: () => {}, hadLocal: false });
    await expect(once.setNotify({ ...SERVER_DEFAULT.notify, email: false })).rejects.toThrow("bad time zone");
    expect(sent).toHaveLength(1);
  });
});
