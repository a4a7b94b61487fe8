// @vitest-environment jsdom
// A direct conversation whose other person deleted their account is
// read-only (the server refuses every write there with read_only): its
// messages offer no edit, no reactions, no pin, no vote, no preview
// removal, and the reaction chips only show; saving, reminders and
// deleting one's own message stay. With the partner there, all of it is
// offered.
import { describe, expect, it } from "vitest";
import { h, render } from "preact";
import { act } from "preact/test-utils";
import { AppContext, type AppCtx } from "../../src/ui/common/context";
import { MessageItem } from "../../src/ui/messages/MessageItem";
import { translator } from "../../src/i18n";
import { initialState, reduce } from "../../src/state/store";
import { roomWritable } from "../../src/state/rooms";
import { canPin } from "../../src/state/conversations";
import type { Chat } from "../../src/state/chat";
import { BOB, CY, msg, room, stateFrame } from "../fixtures";

const t = translator("en");

function stateWith(bobDeleted: boolean) {
  const dm = room("d", { kind: "direct", memberIds: ["me", "bob"], name: "" });
  const bob = bobDeleted ? { ...BOB, displayName: "Deleted user", deleted: true } : BOB;
  return reduce(initialState, stateFrame([room("g"), dm], [bob, CY]));
}

function renderMine(bobDeleted: boolean) {
  const state = stateWith(bobDeleted);
  const chat = { state, subscribe: () => () => {}, announce: () => {} } as unknown as Chat;
  const app = { chat, t, prefs: { lang: "en" }, scheduled: {} } as unknown as AppCtx;
  const m = msg("d", 2, {
    senderId: "me",
    senderName: "Ada",
    text: "see https://example.com",
    reactions: [{ emoji: "👍", userIds: ["bob"] }],
    previews: [{ url: "https://example.com/", title: "Example" }],
  });
  const root = document.createElement("div");
  document.body.appendChild(root);
  act(() => render(h(AppContext.Provider, { value: app }, h(MessageItem, { item: { msg: m }, head: true, mine: true, fmt: {}, layout: "compact" })), root));
  return root;
}

describe("a direct conversation with a deleted partner", () => {
  it("is not writable, and nobody may pin there", () => {
    expect(roomWritable(stateWith(true), stateWith(true).rooms.d)).toBe(false);
    expect(canPin(stateWith(true), "d")).toBe(false);
    expect(roomWritable(stateWith(false), stateWith(false).rooms.d)).toBe(true);
    expect(canPin(stateWith(false), "d")).toBe(true);
  });

  it("offers no write controls on a message, only saving, a reminder and deleting", () => {
    const root = renderMine(true);
    expect(root.querySelector('[data-action="edit"]')).toBeNull();
    expect(root.querySelector(".quick-react")).toBeNull();
    expect(root.querySelector('[data-action="pin"]')).toBeNull();
    expect(root.querySelector(".link-preview-remove")).toBeNull();
    expect((root.querySelector(".reaction") as HTMLButtonElement).disabled).toBe(true);
    expect(root.querySelector('[data-action="save"]')).not.toBeNull();
    expect(root.querySelector(`[aria-label="${t("msg.delete")}"]`)).not.toBeNull();
    act(() => render(null, root));
  });

  it("offers them while the partner is there", () => {
    const root = renderMine(false);
    expect(root.querySelector('[data-action="edit"]')).not.toBeNull();
    expect(root.querySelector(".quick-react")).not.toBeNull();
    expect(root.querySelector('[data-action="pin"]')).not.toBeNull();
    expect(root.querySelector(".link-preview-remove")).not.toBeNull();
    expect((root.querySelector(".reaction") as HTMLButtonElement).disabled).toBe(false);
    act(() => render(null, root));
  });
});
