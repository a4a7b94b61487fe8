// @vitest-environment jsdom
// The widget's screens in a DOM: the pre-chat form follows the config,
// "leave a message" when nobody can answer, message text is escaped, and
// the launcher's labels and states.
import { render } from "preact";
import { act } from "preact/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { VisitorSession } from "../../widget/api";
import { WidgetClient } from "../../widget/client";
import { STRINGS, pickLang } from "../../widget/i18n";
import { onPrimary } from "../../widget/color";
import { App } from "../../widget/ui";
import type { WidgetConfig } from "../../widget/wire";
import { fakeFetch, memStore } from "./fakes";

let host: HTMLElement;
afterEach(() => {
  render(null, host);
  host.remove();
});

function mount(config: WidgetConfig, lang: "en" | "de" = "en") {
  const client = new WidgetClient(new VisitorSession("https://x/widget/v1/wid_demo", memStore(), fakeFetch().fetchImpl), config, () => {
    throw new Error("no socket in this test");
  });
  // No session in these tests.
  client.connect = async () => {};
  host = document.createElement("div");
  document.body.appendChild(host);
  act(() => render(<App client={client} t={STRINGS[lang]} lang={lang} primary="#ffcc00" onPrimary="#111" />, host));
  return client;
}

const launcher = () => host.querySelector<HTMLButtonElement>(".bc-launcher")!;

describe("widget UI", () => {
  it("the launcher opens a labelled dialog with the configured pre-chat fields and greeting", () => {
    mount({ preChat: ["name", "email", "topic"], required: ["email"], topics: [{ id: "billing", label: "Billing" }, { id: "tech", label: "Technical" }], greeting: { en: "Hello there" } });
    expect(launcher().getAttribute("aria-label")).toBe("Open chat");
    expect(launcher().getAttribute("aria-expanded")).toBe("false");
    act(() => launcher().click());
    expect(launcher().getAttribute("aria-expanded")).toBe("true");
    const dialog = host.querySelector('[role="dialog"]')!;
    expect(dialog.getAttribute("aria-labelledby")).toBe("bc-title");
    expect(host.querySelector("#bc-title")!.textContent).toBe("Chat with us");
    expect(host.querySelector(".bc-greeting")!.textContent).toBe("Hello there");
    expect(host.querySelector<HTMLInputElement>("#bc-email")!.required).toBe(true);
    expect(host.querySelector<HTMLInputElement>("#bc-name")!.required).toBe(false);
    expect([...host.querySelectorAll("#bc-topic option")].map((o) => o.textContent)).toEqual(["Choose a topic", "Billing", "Technical"]);
    for (const id of ["bc-name", "bc-email", "bc-topic", "bc-text"]) expect(host.querySelector(`label[for="${id}"]`), id).not.toBeNull();
    // the root carries the colours
    expect((host.querySelector(".bc-root") as HTMLElement).style.getPropertyValue("--bc-primary")).toBe("#ffcc00");
    // Escape closes
    act(() => {
      dialog.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    });
    expect(host.querySelector('[role="dialog"]')).toBeNull();
  });

  it("nobody available: the form asks for an email to leave a message", () => {
    mount({ open: false, preChat: ["name"] });
    act(() => launcher().click());
    expect(host.querySelector(".bc-greeting")!.textContent).toMatch(/Leave a message/);
    expect(host.querySelector<HTMLInputElement>("#bc-email")!.required).toBe(true);
    expect(host.querySelector<HTMLButtonElement>('button[type="submit"]')!.textContent).toBe("Send message");
  });

  it("German, and message text stays text (no HTML from a message)", () => {
    const client = mount({ preChat: [] }, "de");
    expect(launcher().getAttribute("aria-label")).toBe("Chat öffnen");
    act(() => {
      client.state = {
        ...client.state,
        open: true,
        me: "vis_1",
        conversation: { roomId: "sup_1", state: "bot" },
        messages: [
          { roomId: "sup_1", seq: 1, clientId: "c", senderId: "bot_1", senderName: "Helper", text: '<img src=x onerror="alert(1)"><b>bold</b>', createdAt: "" },
          { roomId: "sup_1", seq: 2, clientId: "", senderId: "u_bob", senderName: "Bob", text: "", system: { kind: "joined", userIds: ["u_bob"] }, createdAt: "" },
          { roomId: "sup_1", seq: 3, clientId: "", senderId: "u_bob", senderName: "Bob", text: "", system: { kind: "renamed", name: "x" }, createdAt: "" },
        ],
      };
      client.setOpen(true);
    });
    const text = host.querySelector(".bc-them .bc-text")!;
    expect(text.textContent).toBe('<img src=x onerror="alert(1)"><b>bold</b>');
    expect(host.querySelector("img, b")).toBeNull();
    expect(host.querySelector(".bc-chat .bc-secondary")!.textContent).toBe("Mit einem Menschen sprechen");
    // the conversation's events in the visitor's words; team-chat events not at all
    expect([...host.querySelectorAll(".bc-system")].map((p) => p.textContent)).toEqual(["Bob ist dem Gespräch beigetreten"]);
    expect(host.querySelector('[role="log"]')!.getAttribute("aria-live")).toBe("polite");
  });

  it("after close: stars as a labelled radio group, transcript, new conversation", () => {
    const client = mount({});
    act(() => {
      client.state = { ...client.state, conversation: { roomId: "sup_1", state: "closed", visitor: { id: "vis_1", email: "ann@example.com" } } };
      client.setOpen(true);
    });
    expect(host.querySelector(".bc-stars legend")!.textContent).toBe("How was your conversation?");
    expect([...host.querySelectorAll<HTMLInputElement>('.bc-stars input[type="radio"]')]).toHaveLength(5);
    expect(host.querySelector(".bc-stars label .bc-sr")!.textContent).toBe("1 of 5 stars");
    // the pre-chat email is known: one button sends the transcript there
    expect(host.querySelector("#bc-temail")).toBeNull();
    expect(host.querySelector(".bc-hint")!.textContent).toBe("to ann@example.com");
    expect(host.querySelector(".bc-composer")).toBeNull();
  });

  it("on close the log still ends at the newest line (the rating form shrinks it)", () => {
    // jsdom lays nothing out: a log 500 px tall inside, scrollTop kept
    // (on HTMLElement, over Element's; deleted again below).
    const proto = HTMLElement.prototype;
    Object.defineProperty(proto, "scrollHeight", { configurable: true, get: () => 500 });
    Object.defineProperty(proto, "scrollTop", {
      configurable: true,
      get(this: HTMLElement & { _top?: number }) {
        return this._top ?? 0;
      },
      set(this: HTMLElement & { _top?: number }, v: number) {
        this._top = v;
      },
    });
    try {
      const client = mount({});
      const msg = { roomId: "sup_1", seq: 1, clientId: "c", senderId: "u_cy", senderName: "Cy", text: "Try a restart.", createdAt: "" };
      act(() => {
        client.state = { ...client.state, me: "vis_1", conversation: { roomId: "sup_1", state: "open" }, messages: [msg] };
        client.setOpen(true);
      });
      const log = host.querySelector<HTMLElement>('[role="log"]')!;
      expect(log.scrollTop).toBe(500);
      log.scrollTop = 120; // where the layout left it once the form took the room
      act(() => {
        client.state = { ...client.state, conversation: { roomId: "sup_1", state: "closed" } };
        client.setOpen(true);
      });
      expect(host.querySelector(".bc-stars")).not.toBeNull();
      expect(log.scrollTop).toBe(500);
    } finally {
      delete (HTMLElement.prototype as { scrollHeight?: number }).scrollHeight;
      delete (HTMLElement.prototype as { scrollTop?: number }).scrollTop;
    }
  });

  it("picks the language and a readable text colour", () => {
    expect(pickLang("de", ["en", "de"], ["en-US"])).toBe("de");
    expect(pickLang(null, ["en", "de"], ["de-AT", "en"])).toBe("de");
    expect(pickLang("fr", ["en"], ["fr"])).toBe("en");
    expect(onPrimary("#ffcc00")).toBe("#111");
    expect(onPrimary("#1f3a93")).toBe("#fff");
  });
});
