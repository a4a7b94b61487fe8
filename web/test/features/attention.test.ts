// @vitest-environment jsdom
// Attention for new messages, as a feature of the chat: the live region,
// the ping, the browser notification and the unread count in the title.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { attention } from "../../src/features/attention";
import { defaultPrefs, type Prefs } from "../../src/features/prefs";
import { translator } from "../../src/i18n";
import { initialState, reduce } from "../../src/state/store";
import type { Chat } from "../../src/state/chat";
import type { ChatState } from "../../src/state/types";
import type { ServerEvent } from "../../src/api/protocol.gen";
import { msg, room, stateFrame } from "../fixtures";

class FakeNotification {
  static permission = "granted";
  static shown: { title: string; body: string; tag: string }[] = [];
  static last: FakeNotification | null = null;
  onclick: (() => void) | null = null;
  constructor(title: string, opts: { body: string; tag: string }) {
    FakeNotification.shown.push({ title, body: opts.body, tag: opts.tag });
    FakeNotification.last = this;
  }
  close() {}
}

let hidden = false;
beforeEach(() => {
  FakeNotification.shown = [];
  hidden = false;
  vi.stubGlobal("Notification", FakeNotification);
  Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
});
afterEach(() => vi.unstubAllGlobals());

function setup(prefs: Partial<Prefs> = {}) {
  const announced: string[] = [];
  const opened: string[] = [];
  let state: ChatState = reduce(initialState, stateFrame([room("g"), room("dm", { kind: "direct", memberIds: ["me", "bob"] })]));
  state = reduce(state, { type: "local/open", roomId: "g" });
  const chat = {
    get state() {
      return state;
    },
    announce: (text: string) => announced.push(text),
    openRoom: (id: string) => opened.push(id),
  } as unknown as Chat;
  const feature = attention(chat, { prefs: () => ({ ...defaultPrefs(), sound: false, ...prefs }), t: () => translator("en") });
  const deliver = (ev: ServerEvent) => {
    const before = state;
    state = reduce(state, ev);
    feature.onChange?.(state);
    feature.onEvent?.(ev, before);
  };
  return { deliver, announced, opened };
}

describe("attention", () => {
  it("announces a new message of the open room, once", () => {
    const { deliver, announced } = setup();
    deliver({ type: "message", message: msg("g", 1, { text: "hello" }) });
    deliver({ type: "message", message: msg("g", 1, { text: "hello" }) });
    deliver({ type: "message", message: msg("g", 2, { senderId: "me", text: "mine" }) });
    expect(announced).toEqual([translator("en")("msg.announce", { name: "Bob", text: "hello" })]);
  });

  it("notifies only while hidden; a 1:1 DM is titled by its sender; a click opens the room", () => {
    const { deliver, opened } = setup();
    deliver({ type: "message", message: msg("dm", 1, { text: "visible" }) });
    expect(FakeNotification.shown).toEqual([]);
    hidden = true;
    deliver({ type: "message", message: msg("dm", 2, { text: "psst" }) });
    expect(FakeNotification.shown).toEqual([{ title: translator("en")("notify.titleDirect", { name: "Bob" }), body: "psst", tag: "dm" }]);
    FakeNotification.last!.onclick!();
    expect(opened).toEqual(["dm"]);
    deliver({ type: "message", message: msg("g", 3, { text: "all" }) });
    expect(FakeNotification.shown[1].title).toBe(translator("en")("notify.title", { name: "Bob", room: "#g" }));
  });

  it("with mentions only, stays quiet unless mentioned or in a DM", () => {
    const { deliver } = setup({ mentionsOnly: true });
    hidden = true;
    deliver({ type: "message", message: msg("g", 1) });
    deliver({ type: "message", message: msg("g", 2, { mentions: ["me"] }) });
    deliver({ type: "message", message: msg("dm", 1) });
    expect(FakeNotification.shown.map((n) => n.tag)).toEqual(["g", "dm"]);
  });

  it("keeps the unread count and the open room in the document title", () => {
    const { deliver } = setup();
    deliver({ type: "message", message: msg("dm", 1) });
    expect(document.title).toBe("(1) #g · Backchannel");
  });
});
