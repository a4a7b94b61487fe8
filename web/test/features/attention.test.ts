// @vitest-environment jsdom
// Attention for new messages, as a feature of the chat: the live region,
// the ping, the notification (through the service worker's registration),
// the unread count in the title and on the app badge, and the synced
// notification preferences (room level and mute, do-not-disturb, previews).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { attention, summary } from "../../src/features/attention";
import { defaultPrefs, type Prefs } from "../../src/features/prefs";
import { translator } from "../../src/i18n";
import { initialState, reduce } from "../../src/state/store";
import { defaultNotify, FOREVER } from "../../src/state/preferences";
import type { Chat } from "../../src/state/chat";
import type { Action, ChatState } from "../../src/state/types";
import type { Preferences } from "../../src/api/notifyProtocol";
import { msg, room, stateFrame } from "../fixtures";

// What registration.showNotification was asked to show.
let shown: { title: string; body?: string; tag?: string; data?: unknown }[] = [];
let badges: number[] = [];
let hidden = false;
const fakeRegistration = {
  active: {},
  showNotification: async (title: string, opts: NotificationOptions) => {
    shown.push({ title, body: opts.body, tag: opts.tag, data: opts.data });
  },
};

beforeEach(() => {
  shown = [];
  badges = [];
  hidden = false;
  vi.stubGlobal("Notification", { permission: "granted" });
  Object.defineProperty(navigator, "serviceWorker", { configurable: true, value: { getRegistration: async () => fakeRegistration } });
  Object.defineProperty(navigator, "setAppBadge", { configurable: true, value: async (n: number) => void badges.push(n) });
  Object.defineProperty(navigator, "clearAppBadge", { configurable: true, value: async () => void badges.push(0) });
  Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
});
afterEach(() => vi.unstubAllGlobals());

const settle = () => new Promise((r) => setTimeout(r, 0));

function prefsWith(over: Partial<Preferences> = {}): Preferences {
  return { notify: defaultNotify("UTC"), appearance: { theme: "system", accent: "#3b6fd8", layout: "compact", lang: "en", sound: true }, rooms: {}, ...over };
}

function setup(prefs: Partial<Prefs> = {}, opts: { pushActive?: boolean; preferences?: Preferences } = {}) {
  const announced: string[] = [];
  let state: ChatState = reduce(initialState, stateFrame([room("g"), room("x"), room("dm", { kind: "direct", memberIds: ["me", "bob"] }), room("sec", { kind: "direct", memberIds: ["me", "bob"], encrypted: true })]));
  state = reduce(state, { type: "local/open", roomId: "g" });
  if (opts.preferences) state = reduce(state, { type: "local/preferences", preferences: opts.preferences });
  const chat = {
    get state() {
      return state;
    },
    announce: (text: string) => announced.push(text),
  } as unknown as Chat;
  const feature = attention(chat, { prefs: () => ({ ...defaultPrefs(), sound: false, ...prefs }), t: () => translator("en"), pushActive: () => !!opts.pushActive });
  const deliver = (ev: Action) => {
    const before = state;
    state = reduce(state, ev);
    feature.onChange?.(state);
    if (ev.type !== "local/preferences") feature.onEvent?.(ev as Parameters<NonNullable<typeof feature.onEvent>>[0], before);
  };
  return { deliver, announced };
}

describe("attention", () => {
  it("announces a new message of the open room, once", () => {
    const { deliver, announced } = setup();
    deliver({ type: "message", message: msg("g", 1, { text: "hello" }) });
    deliver({ type: "message", message: msg("g", 1, { text: "hello" }) });
    deliver({ type: "message", message: msg("g", 2, { senderId: "me", text: "mine" }) });
    expect(announced).toEqual([translator("en")("msg.announce", { name: "Bob", text: "hello" })]);
  });

  // Changed on purpose (issue 13): notifications go through the service
  // worker's registration; a click is the worker's, which tells the page
  // the room and message in data (the page then opens it).
  it("notifies only while hidden, through the registration; a 1:1 DM is titled by its sender; data names the message", async () => {
    const { deliver } = setup({}, { preferences: prefsWith({ rooms: { g: { level: "all" } } }) });
    deliver({ type: "message", message: msg("dm", 1, { text: "visible" }) });
    await settle();
    expect(shown).toEqual([]);
    hidden = true;
    deliver({ type: "message", message: msg("dm", 2, { text: "psst" }) });
    await settle();
    expect(shown).toEqual([{ title: translator("en")("notify.titleDirect", { name: "Bob" }), body: "psst", tag: "dm", data: { roomId: "dm", seq: 2 } }]);
    deliver({ type: "message", message: msg("g", 3, { text: "all" }) });
    await settle();
    expect(shown[1].title).toBe(translator("en")("notify.title", { name: "Bob", room: "#g" }));
  });

  // A thread reply's notification names its thread: the click opens the
  // room at the parent with the thread beside it on the reply.
  it("names the thread of a reply in the notification's data", async () => {
    const { deliver } = setup();
    hidden = true;
    deliver({ type: "message", message: msg("dm", 5, { text: "in the thread", parentSeq: 2 }) });
    await settle();
    expect(shown).toHaveLength(0); // a thread I do not follow: not mine to hear
    deliver({ type: "message", message: msg("dm", 6, { text: "@me look", parentSeq: 2, mentions: ["me"] }) });
    await settle();
    expect(shown.map((n) => n.data)).toEqual([{ roomId: "dm", seq: 6, parentSeq: 2 }]);
  });

  // Issue 19: an end-to-end encrypted room's notification never previews,
  // even when the engine already put the plaintext in place.
  it("says only \"New encrypted message\" for an encrypted room", async () => {
    const { deliver } = setup();
    hidden = true;
    deliver({ type: "message", message: msg("sec", 1, { text: "the decrypted secret" }) });
    await settle();
    expect(shown.map((n) => n.body)).toEqual(["New encrypted message"]);
  });

  it("with mentions only, stays quiet unless mentioned or in a DM", async () => {
    const { deliver } = setup({ mentionsOnly: true });
    hidden = true;
    deliver({ type: "message", message: msg("g", 1) });
    deliver({ type: "message", message: msg("g", 2, { mentions: ["me"] }) });
    deliver({ type: "message", message: msg("dm", 1) });
    await settle();
    expect(shown.map((n) => n.tag)).toEqual(["g", "dm"]);
  });

  it("keeps the unread count and the open room in the document title", () => {
    const { deliver } = setup();
    deliver({ type: "message", message: msg("dm", 1) });
    expect(document.title).toBe("(1) #g · Backchannel");
  });

  it("follows the room's level and mute: a muted room notifies and counts only its mentions", async () => {
    const future = new Date(Date.now() + 3600_000).toISOString();
    const { deliver } = setup({}, { preferences: prefsWith({ rooms: { x: { muteUntil: future }, dm: { level: "mentions" } } }) });
    hidden = true;
    deliver({ type: "message", message: msg("x", 1) });
    deliver({ type: "message", message: msg("x", 2, { mentions: ["me"] }) });
    deliver({ type: "message", message: msg("dm", 1) });
    await settle();
    // x is muted: only its mention notifies (as chat.DecideNotify); a DM
    // counts as a mention.
    expect(shown.map((n) => n.tag)).toEqual(["x", "dm"]);
    // x: 2 unread, 1 mention -> 1; dm: 1.
    expect(document.title).toBe("(2) #g · Backchannel");
    expect(badges.at(-1)).toBe(2);
  });

  it("stays quiet in do-not-disturb and with the level 'nothing'", async () => {
    const always = { enabled: true, start: "00:00", end: "23:59", tz: "UTC", days: [1, 2, 3, 4, 5, 6, 7] };
    const a = setup({}, { preferences: prefsWith({ notify: { ...defaultNotify("UTC"), dnd: always } }) });
    hidden = true;
    a.deliver({ type: "message", message: msg("dm", 1) });
    const b = setup({}, { preferences: prefsWith({ rooms: { dm: { level: "nothing" } } }) });
    b.deliver({ type: "message", message: msg("dm", 1) });
    await settle();
    expect(shown).toEqual([]);
  });

  // Issue 15: a blocked person's message is not notified, sounded or read out.
  it("stays quiet for a blocked person's messages", async () => {
    const { deliver, announced } = setup({ sound: true }, { preferences: prefsWith({ blocked: ["bob"] }) });
    hidden = true;
    deliver({ type: "message", message: msg("dm", 1, { text: "psst" }) });
    deliver({ type: "message", message: msg("g", 2, { text: "hello" }) });
    await settle();
    expect(shown).toEqual([]);
    expect(announced).toEqual([]);
  });

  it("hides the text when previews are off", async () => {
    const { deliver } = setup({}, { preferences: prefsWith({ notify: { ...defaultNotify("UTC"), previews: false } }) });
    hidden = true;
    deliver({ type: "message", message: msg("dm", 1, { text: "secret" }) });
    await settle();
    expect(shown[0].body).toBe("New message");
  });

  it("leaves notifications to Web Push when this device is subscribed", async () => {
    const { deliver } = setup({}, { pushActive: true });
    hidden = true;
    deliver({ type: "message", message: msg("dm", 1) });
    await settle();
    expect(shown).toEqual([]);
  });

  it("shows the unread count on the app badge, cleared at 0", () => {
    const { deliver } = setup();
    deliver({ type: "message", message: msg("dm", 1) });
    deliver({ type: "message", message: msg("dm", 2) });
    expect(badges).toEqual([1, 2]);
    deliver({ type: "read", roomId: "dm", userId: "me", seq: 2 });
    expect(badges.at(-1)).toBe(0);
  });

  it("a mute 'until I turn it back on' lasts", async () => {
    const { deliver } = setup({}, { preferences: prefsWith({ rooms: { dm: { muteUntil: FOREVER } } }) });
    hidden = true;
    deliver({ type: "message", message: msg("dm", 1) });
    await settle();
    expect(shown).toEqual([]);
  });
});

describe("summary", () => {
  const t = translator("en");
  it("says what a message of files or a GIF only sent, as the Web Push preview does", () => {
    expect(summary({ text: "hi" }, t)).toBe("hi");
    expect(summary({ text: "", attachments: [{ key: "k", name: "plan.pdf", size: 1, type: "application/pdf" }] }, t)).toBe("sent a file: plan.pdf");
    expect(summary({ text: "", attachments: [{ key: "a", name: "a", size: 1, type: "x" }, { key: "b", name: "b", size: 1, type: "x" }] }, t)).toBe("sent 2 files");
    expect(summary({ text: "", gif: { url: "https://media.tenor.com/x.gif", width: 1, height: 1, preview: "https://media.tenor.com/y.gif", title: "" } }, t)).toBe("sent a GIF");
  });
});
