// @vitest-environment jsdom
// The link preview card: text is text (escaped), only http(s) URLs become
// links and images, the image loads without a referrer, and only the
// sender gets the × that removes a preview.
import { afterEach, describe, expect, it, vi } from "vitest";
import { h, render } from "preact";
import { act } from "preact/test-utils";
import { AppContext, type AppCtx } from "../../src/ui/common/context";
import { LinkPreviews } from "../../src/ui/linkpreview/LinkPreviews";
import { translator } from "../../src/i18n";
import type { Message } from "../../src/api/protocol.gen";

const base: Message = { roomId: "r1", seq: 7, clientId: "c", senderId: "u1", senderName: "Ann", text: "see https://example.com/a", createdAt: "2026-11-30T08:00:00Z" };

let root: HTMLElement | undefined;
afterEach(() => {
  if (root) render(null, root);
  root?.remove();
});

function show(msg: Message, mine: boolean, removePreview = vi.fn(() => Promise.resolve())) {
  root = document.createElement("div");
  document.body.append(root);
  const ctx = { chat: { removePreview, announce: vi.fn() }, t: translator("en"), prefs: { lang: "en" } } as unknown as AppCtx;
  act(() => render(h(AppContext.Provider, { value: ctx }, h(LinkPreviews, { msg, mine })), root!));
  return { root: root!, removePreview };
}

describe("LinkPreviews", () => {
  it("renders a card with escaped text, a title link and a no-referrer image", () => {
    const { root } = show({ ...base, previews: [{ url: "https://example.com/a", title: "<b>Bold</b> & co", description: "<img src=x onerror=alert(1)>", imageUrl: "https://example.com/c.png", siteName: "Example" }] }, false);
    const a = root.querySelector("a.link-preview-title") as HTMLAnchorElement;
    expect(a.textContent).toBe("<b>Bold</b> & co");
    expect(a.href).toBe("https://example.com/a");
    expect(a.rel).toContain("noreferrer");
    expect(root.querySelector(".link-preview-desc")!.textContent).toBe("<img src=x onerror=alert(1)>");
    expect(root.querySelectorAll("b").length).toBe(0);
    const img = root.querySelector("img.link-preview-img") as HTMLImageElement;
    expect(img.getAttribute("referrerpolicy")).toBe("no-referrer");
    expect(img.alt).toBe("");
    expect(root.querySelector(".link-preview-site")!.textContent).toBe("Example");
    expect(root.querySelector(".link-preview-remove")).toBeNull();
  });

  it("makes no link or image of a non-http URL", () => {
    const { root } = show({ ...base, previews: [{ url: "javascript:alert(1)", title: "T", imageUrl: "data:image/png;base64,AAAA" }] }, false);
    expect(root.querySelector("a")).toBeNull();
    expect(root.querySelector("img")).toBeNull();
    expect(root.querySelector(".link-preview-title")!.textContent).toBe("T");
  });

  it("gives the sender a remove button per preview", () => {
    const { root, removePreview } = show({ ...base, previews: [{ url: "https://example.com/a", title: "A", siteName: "Example" }] }, true);
    const btn = root.querySelector("button.link-preview-remove") as HTMLButtonElement;
    expect(btn.getAttribute("aria-label")).toBe("Remove preview of Example");
    act(() => btn.click());
    expect(removePreview).toHaveBeenCalledWith("r1", 7, "https://example.com/a");
  });

  it("shows nothing without previews or on a deleted message", () => {
    expect(show(base, true).root.innerHTML).toBe("");
    expect(show({ ...base, deleted: true, previews: [{ url: "https://example.com/a", title: "A" }] }, true).root.innerHTML).toBe("");
  });
});
