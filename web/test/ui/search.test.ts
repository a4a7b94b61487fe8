// @vitest-environment jsdom
// A search result's snippet: highlighted words in <mark>, and whatever
// the text holds stays text (no markup from the server is ever parsed).
import { afterEach, describe, expect, it } from "vitest";
import { h, render } from "preact";
import { act } from "preact/test-utils";
import { Highlighted } from "../../src/ui/search/Highlighted";

const roots: HTMLElement[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) act(() => render(null, r));
  delete (window as unknown as { pwned?: boolean }).pwned;
});

function show(text: string, highlights: [number, number][]): HTMLElement {
  const root = document.createElement("div");
  document.body.appendChild(root);
  roots.push(root);
  act(() => render(h(Highlighted, { text, highlights }), root));
  return root;
}

describe("Highlighted", () => {
  it("wraps the matched words in <mark>", () => {
    const root = show("Deploying on Friday?", [[0, 9], [13, 19]]);
    expect(root.innerHTML).toBe("<mark>Deploying</mark> on <mark>Friday</mark>?");
  });

  it("keeps an XSS payload inert, highlighted or not", () => {
    const payload = `<img src=x onerror="window.pwned=true"><script>window.pwned=true</script> deploy`;
    const at = payload.indexOf("deploy");
    const root = show(payload, [[0, 12], [at, at + 6]]);
    expect(root.querySelector("img, script")).toBeNull();
    expect(root.textContent).toBe(payload);
    expect(root.querySelectorAll("mark")).toHaveLength(2);
    expect(root.querySelector("mark")!.textContent).toBe("<img src=x o");
    expect((window as unknown as { pwned?: boolean }).pwned).toBeUndefined();
  });
});
