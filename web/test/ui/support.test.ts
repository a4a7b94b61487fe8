// @vitest-environment jsdom
// The inbox's conversation column and composer in a DOM: notes set apart
// and labelled, `#` offering canned answers that Enter inserts, the Note
// toggle sending an internal note, no composer on a conversation that is
// not mine, the rating shown; the Email badge of a conversation the visitor
// left as a message (header and queue).
import { afterEach, describe, expect, it, vi } from "vitest";
import { h, render } from "preact";
import { act } from "preact/test-utils";
import { AppContext } from "../../src/ui/common/context";
import { translator } from "../../src/i18n";
import { SupportInbox, type SupportConversation } from "../../src/state/support";
import { ConversationView } from "../../src/ui/support/ConversationView";
import { SupportInbox as InboxScreen } from "../../src/ui/support/SupportInbox";
import { msg } from "../fixtures";

const roots: HTMLElement[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) act(() => render(null, r));
});

const conv = (over: Partial<SupportConversation> = {}): SupportConversation => ({
  roomId: "sup1",
  visitor: { id: "vis_1", name: "Vera", email: "vera@example.com", identified: true },
  state: "open",
  assigneeId: "me",
  teamId: "team_a",
  topic: "billing",
  page: { url: "https://shop.example.com/checkout", title: "Checkout" },
  lang: "de",
  createdAt: "2026-11-30T10:00:00Z",
  ...over,
});

async function mount(c: SupportConversation) {
  const sent: Record<string, unknown>[] = [];
  const support = new SupportInbox({
    request: async (p) => {
      sent.push(p);
      if (p.action === "history") return { messages: [msg("sup1", 1, { senderId: "vis_1", senderName: "Vera", text: "Hello?" }), { ...msg("sup1", 2, { senderId: "me", senderName: "Ada", text: "VIP" }), internal: true }] };
      if (p.action === "sendMessage" || p.action === "addSupportNote") return { message: { ...msg("sup1", 3, { senderId: "me", text: p.text as string }), internal: p.action === "addSupportNote" } };
      return {};
    },
    userId: "me",
    isAdmin: () => false,
    onChange: () => {},
    announce: () => {},
    describe: () => "",
  });
  support.canned = [
    { id: "can_1", shortcut: "refund", title: "Refunds", text: "Refunds take 5 days." },
    { id: "can_2", shortcut: "hours", title: "Hours", text: "Open 9-17.", teamId: "team_other" },
  ];
  const chat = { state: { me: { userId: "me" }, users: {}, groups: [] }, status: "online", announce: vi.fn(), typing: vi.fn() };
  const ctx = { chat, support, t: translator("en"), prefs: { lang: "en" } } as never;
  const root = document.createElement("div");
  document.body.appendChild(root);
  roots.push(root);
  const draw = () => render(h(AppContext.Provider, { value: ctx }, h(ConversationView, { conv: c, active: true, onActivate: () => {}, onOpen: () => {} })), root);
  (support as unknown as { env: { onChange(): void } }).env.onChange = () => act(draw);
  await act(async () => {
    draw();
    await support.loadMessages("sup1");
  });
  return { root, sent, support };
}

const input = async (el: HTMLTextAreaElement, value: string) => {
  await act(async () => {
    el.value = value;
    el.setSelectionRange(value.length, value.length);
    el.dispatchEvent(new Event("input", { bubbles: true }));
  });
};
const key = async (el: HTMLElement, k: string) => {
  await act(async () => {
    el.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true, cancelable: true }));
  });
};

describe("a conversation column", () => {
  it("sets notes apart with their label, and shows the visitor's details", async () => {
    const { root } = await mount(conv());
    const note = root.querySelector(".conv-msg.note")!;
    expect(note.textContent).toContain("VIP");
    expect(note.textContent).toContain("Only agents see this");
    expect(root.querySelector(".conv-msg.visitor")!.textContent).toContain("Hello?");
    expect(root.textContent).toContain("Identified");
    expect(root.querySelector<HTMLAnchorElement>(".conv-details a")!.href).toBe("https://shop.example.com/checkout");
    expect(root.querySelector(".conv-details a")!.getAttribute("rel")).toContain("noopener");
  });

  it("offers canned answers on # and Enter inserts the chosen one", async () => {
    const { root, sent } = await mount(conv());
    const ta = root.querySelector("textarea")!;
    await input(ta, "Hi! #re");
    const options = [...root.querySelectorAll('[role="option"]')].map((o) => o.textContent);
    // Only the answers for this team (or every team).
    expect(options).toEqual([expect.stringContaining("#refund")]);
    expect(ta.getAttribute("aria-activedescendant")).toBe("canned-sup1-can_1");
    await key(ta, "Enter");
    expect(ta.value).toBe("Hi! Refunds take 5 days.");
    expect(root.querySelector('[role="listbox"]')).toBeNull();
    await key(ta, "Enter");
    expect(sent.filter((p) => p.action === "sendMessage").map((p) => p.text)).toEqual(["Hi! Refunds take 5 days."]);
  });

  it("sends an internal note with Note on", async () => {
    const { root, sent } = await mount(conv());
    const toggle = [...root.querySelectorAll("button")].find((b) => b.textContent === "Note")!;
    await act(async () => toggle.click());
    expect(toggle.getAttribute("aria-pressed")).toBe("true");
    expect(root.querySelector(".support-composer.note .note-label")!.textContent).toBe("Only agents see this");
    const ta = root.querySelector("textarea")!;
    await input(ta, "call back tomorrow");
    await key(ta, "Enter");
    expect(sent.filter((p) => p.action === "addSupportNote")).toEqual([{ action: "addSupportNote", roomId: "sup1", text: "call back tomorrow" }]);
    expect(sent.some((p) => p.action === "sendMessage")).toBe(false);
  });

  it("has no composer when not mine, offers Claim when queued, shows the rating", async () => {
    const queued = await mount(conv({ state: "queued", assigneeId: undefined }));
    expect(queued.root.querySelector("textarea")).toBeNull();
    expect([...queued.root.querySelectorAll("button")].some((b) => b.textContent === "Claim")).toBe(true);
    const closed = await mount(conv({ state: "closed", rating: { score: 4, comment: "Nice" } }));
    expect(closed.root.querySelector("textarea")).toBeNull();
    expect(closed.root.querySelector(".conv-rating")!.textContent).toContain("4 of 5");
    expect(closed.root.querySelector(".conv-rating")!.textContent).toContain("Nice");
    expect([...closed.root.querySelectorAll("button")].some((b) => b.textContent === "Reopen")).toBe(true);
  });
});

describe("an email conversation (the visitor left a message)", () => {
  it("carries an Email badge in the header, a chat conversation none", async () => {
    const email = await mount(conv({ channel: "email" }));
    const chip = email.root.querySelector(".conv-head .chip.email")!;
    expect(chip.textContent).toBe("Email");
    expect(chip.getAttribute("title")).toBe("The visitor left a message: your replies go out by email");
    const chat = await mount(conv({ channel: "chat" }));
    expect(chat.root.querySelector(".chip.email")).toBeNull();
  });

  it("carries the badge in the queue, in German too", async () => {
    const support = new SupportInbox({ request: async () => ({}), userId: "me", isAdmin: () => false, onChange: () => {}, announce: () => {}, describe: () => "" });
    support.loaded = true;
    support.teams = [{ id: "team_a", name: "Billing", agents: ["me"] }] as never;
    support.lists = { queued: [conv({ state: "queued", assigneeId: undefined, channel: "email" }), conv({ roomId: "sup2", visitor: { id: "vis_2", name: "Max" }, state: "queued", assigneeId: undefined })], mine: [], recentClosed: [] };
    const chat = { state: { me: { userId: "me" }, users: {}, groups: [] }, status: "online", subscribe: () => () => {}, announce: vi.fn(), typing: vi.fn() };
    const root = document.createElement("div");
    document.body.appendChild(root);
    roots.push(root);
    const ctx = { chat, support, t: translator("de"), prefs: { lang: "de" } } as never;
    await act(async () => render(h(AppContext.Provider, { value: ctx }, h(InboxScreen, { drawerOpen: false, onOpenDrawer: () => {} })), root));
    const items = [...root.querySelectorAll(".support-queue .support-item")];
    expect(items.map((li) => [li.querySelector(".support-item-name")!.textContent, li.querySelector(".chip.email")?.textContent ?? null])).toEqual([
      ["Vera", "E-Mail"],
      ["Max", null],
    ]);
  });
});
