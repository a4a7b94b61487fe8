// @vitest-environment jsdom
// The script tag's boot: data-widget and the script's origin, the shadow
// root, calls queued before load (identify), and a refused origin leaving
// nothing on the page but a console line.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

function addScript(widget: string) {
  const s = document.createElement("script");
  s.src = "https://chat.example.com/widget/v1/widget.js";
  s.dataset.widget = widget;
  s.dataset.lang = "de";
  document.body.appendChild(s);
}

const flush = () => new Promise((r) => setTimeout(r, 20));

beforeEach(() => {
  vi.resetModules();
  document.body.innerHTML = "";
  delete window.BackchannelWidget;
  vi.spyOn(console, "warn").mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

describe("widget boot", () => {
  it("asks the script's origin for the config and renders the launcher in a shadow root; queued identify is kept", async () => {
    addScript("wid_demo");
    const fetchMock = vi.fn(async () => new Response(JSON.stringify({ id: "wid_demo", languages: ["en", "de"], preChat: ["name"], open: true, appearance: { primaryColor: "#112233", position: "left" } }), { status: 200 }));
    vi.stubGlobal("fetch", fetchMock);
    window.BackchannelWidget = { q: [["identify", { userId: "u1", email: "a@example.com", ts: "1700000000", signature: "ab" }]] };
    await import("../../widget/main");
    await flush();
    expect(fetchMock).toHaveBeenCalledWith("https://chat.example.com/widget/v1/wid_demo/config", expect.objectContaining({ credentials: "omit" }));
    const host = document.getElementById("backchannel-widget")!;
    expect(host.getAttribute("data-state")).toBe("ready");
    const root = host.shadowRoot!;
    expect(root.querySelector("style")).not.toBeNull(); // (its CSS is empty under Vitest; the e2e looks at it)
    const launcher = root.querySelector<HTMLButtonElement>(".bc-launcher")!;
    expect(launcher.getAttribute("aria-label")).toBe("Chat öffnen");
    expect(root.querySelector(".bc-root")!.classList.contains("bc-left")).toBe(true);
    // the page's own styles and elements are untouched
    expect(document.body.querySelectorAll(".bc-launcher")).toHaveLength(0);
    expect(typeof window.BackchannelWidget?.identify).toBe("function");
  });

  it("a refused origin: no widget on the page, a console line, nothing thrown", async () => {
    addScript("wid_demo");
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    await import("../../widget/main");
    await flush();
    expect(document.getElementById("backchannel-widget")).toBeNull();
    expect(console.warn).toHaveBeenCalledWith("Backchannel:", expect.stringMatching(/chat is not available on this site/));
  });

  it("a support mail's #bc-reopen= link: dropped from the address, the panel opens and the session asks with it", async () => {
    history.replaceState(null, "", "/help?x=1#bc-reopen=v1.tok_en-9");
    addScript("wid_demo");
    const fetchMock = vi.fn(async (url: string, _init?: RequestInit) =>
      url.endsWith("/config") ? new Response(JSON.stringify({ languages: ["en"], preChat: [], open: true }), { status: 200 }) : new Response("{}", { status: 403 }),
    );
    vi.stubGlobal("fetch", fetchMock);
    await import("../../widget/main");
    await flush();
    expect(location.hash).toBe("");
    expect(location.search).toBe("?x=1");
    const session = fetchMock.mock.calls.find(([url]) => url.endsWith("/session"));
    expect(JSON.parse(String(session?.[1]?.body))).toEqual({ reopenToken: "v1.tok_en-9" });
    expect(document.getElementById("backchannel-widget")!.shadowRoot!.querySelector('[role="dialog"]')).toBeNull(); // refused (403): hidden
  });

  it("a missing or malformed widget id does nothing", async () => {
    addScript("not-an-id");
    const fetchMock = vi.fn();
    vi.stubGlobal("fetch", fetchMock);
    await import("../../widget/main");
    await flush();
    expect(fetchMock).not.toHaveBeenCalled();
    expect(console.warn).toHaveBeenCalledWith("Backchannel:", "data-widget is missing or not a widget id");
  });
});
