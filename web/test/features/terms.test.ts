// @vitest-environment jsdom
import { describe, expect, it, beforeEach } from "vitest";
import { TermsGate, rememberTick } from "../../src/features/terms";
import { renderMarkdown, safeHref } from "../../src/ui/legal/markdown";
import { h, render, Fragment } from "preact";

describe("TermsGate", () => {
  beforeEach(() => localStorage.clear());

  it("follows state.terms and the terms event, and sends the tick made at sign-up once", async () => {
    const sent: string[] = [];
    let accepted = 0;
    const gate = new TermsGate({
      request: async (p) => {
        sent.push(p.version);
        const reply = { type: "terms", version: p.version, accepted: p.version, required: false } as never;
        gate.onEvent(reply); // the store sees replies too
        return reply;
      },
      email: () => "Ann@Example.com",
      onChange: () => {},
      onAccepted: () => accepted++,
    });
    rememberTick("ann@example.com", "2");
    gate.onEvent({ type: "state", terms: { version: "1", required: true } } as never);
    expect(gate.required).toBe(true);
    expect(sent).toEqual([]); // ticked another version: the dialog asks
    gate.onEvent({ type: "state", terms: { version: "2", required: true } } as never);
    await new Promise((r) => setTimeout(r, 0));
    expect(sent).toEqual(["2"]);
    expect(gate.required).toBe(false);
    expect(accepted).toBe(1);
    expect(localStorage.getItem("backchannel.termsTicked.ann@example.com")).toBeNull();
    gate.onEvent({ type: "state" } as never);
    expect(gate.terms).toBeNull();
  });
});

describe("legal Markdown", () => {
  it("renders headings, lists and links as nodes, never as HTML", () => {
    const el = document.createElement("div");
    render(h(Fragment, null, renderMarkdown("# Title\n\nHello <img src=x onerror=alert(1)> **bold**\n\n- one [site](/x.md)\n- two [bad](javascript:alert(1))\n")), el);
    expect(el.querySelector("h2")?.textContent).toBe("Title");
    expect(el.querySelector("img")).toBeNull();
    expect(el.querySelector("p")?.textContent).toContain("<img src=x onerror=alert(1)>");
    expect(el.querySelector("strong")?.textContent).toBe("bold");
    const links = el.querySelectorAll("a");
    expect(links.length).toBe(1);
    expect(links[0].getAttribute("href")).toBe("/x.md");
    expect(el.querySelectorAll("li").length).toBe(2);
  });

  it("keeps only https, mailto and site links", () => {
    expect(safeHref("https://example.com")).toBe("https://example.com");
    expect(safeHref("mailto:a@b.c")).toBe("mailto:a@b.c");
    expect(safeHref("/legal/terms.md")).toBe("/legal/terms.md");
    expect(safeHref("//evil.example")).toBeNull();
    expect(safeHref("javascript:alert(1)")).toBeNull();
    expect(safeHref("http://example.com")).toBeNull();
  });
});
