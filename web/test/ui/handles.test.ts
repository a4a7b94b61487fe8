// @vitest-environment jsdom
// Handles in pickers and mentions: the helpers, the composer's @mention
// autocomplete (rendered), and message highlighting by @handle.
import { afterEach, describe, expect, it } from "vitest";
import { h, render } from "preact";
import { act } from "preact/test-utils";
import type { Profile } from "../../src/api/protocol.gen";
import { handle, matchesPerson, mentionCandidates, mentionHandle, mentionNames } from "../../src/ui/common/handle";
import { formatMessage } from "../../src/ui/messages/format";
import { AppContext, type AppCtx } from "../../src/ui/common/context";
import { Composer } from "../../src/ui/composer/Composer";
import { translator } from "../../src/i18n";

const person = (userId: string, displayName: string, handle?: string, username = userId): Profile => ({
  userId,
  username,
  displayName,
  handle,
  avatarColor: "#4db6ac",
  online: true,
  createdAt: "2026-11-20T09:00:00Z",
});
const UUID = "0b6d4c3e-9a57-4d1e-8f3b-4a5c2d1e0f3b";
const BO1 = person("u1", "Bo Berg", "bo.berg", UUID);
const BO2 = person("u2", "Bo Berg", "bo.berg2", "0c6d4c3e-9a57-4d1e-8f3b-4a5c2d1e0f3b");
const ANN = person("u3", "Ann Bodin", "annb");
const OLD = person("u4", "Old Timer", undefined, "1c6d4c3e-9a57-4d1e-8f3b-4a5c2d1e0f3b");

describe("handles", () => {
  it("shows @handle, never a UUID", () => {
    expect(handle(BO1)).toBe("@bo.berg");
    expect(handle(OLD)).toBe("");
    expect(handle(person("u5", "Real", undefined, "real_user"))).toBe("@real_user");
    expect(mentionHandle(BO2)).toBe("bo.berg2");
    expect(mentionHandle(OLD)).toBe("Old Timer");
  });

  it("tells two people of one name apart in a picker search", () => {
    const all = [BO1, BO2, ANN, OLD];
    expect(all.filter((u) => matchesPerson(u, "bo berg")).map((u) => u.userId)).toEqual(["u1", "u2"]);
    expect(all.filter((u) => matchesPerson(u, "@bo.berg2")).map((u) => u.userId)).toEqual(["u2"]);
    expect(all.filter((u) => matchesPerson(u, "ANNB")).map((u) => u.userId)).toEqual(["u3"]);
    expect(all.filter((u) => matchesPerson(u, UUID.slice(0, 8))).map((u) => u.userId)).toEqual([]);
  });

  it("ranks mention candidates: handle prefix, then name, then a word of the name", () => {
    const all = [ANN, BO2, BO1, OLD];
    expect(mentionCandidates(all, "bo").map((u) => u.userId)).toEqual(["u1", "u2", "u3"]);
    expect(mentionCandidates(all, "bo.berg2").map((u) => u.userId)).toEqual(["u2"]);
    expect(mentionCandidates(all, "tim").map((u) => u.userId)).toEqual(["u4"]);
    expect(mentionCandidates(all, "", 2)).toHaveLength(2);
  });

  it("highlights @handle mentions (and old display-name ones) in messages", () => {
    const names = [...mentionNames(BO1), ...mentionNames(BO2), ...mentionNames(ANN)];
    const html = formatMessage("hi @bo.berg2 and @bo.berg, also @Ann Bodin", { names, myNames: mentionNames(BO2) });
    expect(html).toContain('<span class="mention me">@bo.berg2</span>');
    expect(html).toContain('<span class="mention">@bo.berg</span>');
    expect(html).toContain('<span class="mention">@Ann Bodin</span>');
  });
});

describe("composer @mention autocomplete", () => {
  let root: HTMLElement | null = null;
  afterEach(() => {
    if (root) act(() => render(null, root!));
    root?.remove();
    root = null;
  });

  function mount() {
    const users = Object.fromEntries([BO1, BO2, ANN, OLD].map((u) => [u.userId, u]));
    const me = person("me", "Me", "me.myself");
    const state = { me, users: { ...users, me }, members: { r1: { me: {}, u1: {}, u2: {}, u3: {}, u4: {} } }, pending: {} };
    const chat = { state, subscribe: () => () => {}, typing() {}, stopTyping() {}, send() {} };
    const uploads = { list: () => [], busy: () => false, add() {}, remove() {} };
    const ctx = { chat, uploads, t: translator("en"), prefs: { lang: "en" } } as unknown as AppCtx;
    root = document.createElement("div");
    document.body.appendChild(root);
    act(() => render(h(AppContext.Provider, { value: ctx }, h(Composer, { roomId: "r1", label: "Message #r1" })), root!));
    return root.querySelector("textarea")!;
  }

  function type(el: HTMLTextAreaElement, text: string) {
    act(() => {
      el.value = text;
      el.selectionStart = el.selectionEnd = text.length;
      el.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }

  it("lists display name and @handle, and inserts the handle", () => {
    const el = mount();
    type(el, "lunch @bo");
    const options = Array.from(root!.querySelectorAll('[role="option"]')).map((o) => o.textContent?.replace(/\s+/g, " ").trim());
    expect(options).toEqual(["Bo Berg @bo.berg", "Bo Berg @bo.berg2", "Ann Bodin @annb"]);
    act(() => {
      el.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowDown", bubbles: true }));
    });
    act(() => {
      el.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    });
    expect(el.value).toBe("lunch @bo.berg2 ");
    expect(root!.querySelector('[role="listbox"]')).toBeNull();
  });

  it("falls back to the display name for a person without a handle", () => {
    const el = mount();
    type(el, "@old");
    const opt = root!.querySelector('[role="option"]')!;
    expect(opt.textContent).toContain("Old Timer");
    act(() => {
      opt.dispatchEvent(new MouseEvent("mousedown", { bubbles: true }));
    });
    expect(el.value).toBe("@Old Timer ");
  });
});
