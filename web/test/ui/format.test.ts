// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { formatMessage } from "../../src/ui/messages/format";

const ctx = { names: ["bob", "Bob Builder", "ada", "Ada Lovelace"], myNames: ["ada", "Ada Lovelace"] };
const f = (s: string) => formatMessage(s, ctx);

// render parses the sanitized HTML the way the message list shows it.
function render(s: string): HTMLElement {
  const div = document.createElement("div");
  div.innerHTML = f(s);
  return div;
}

describe("formatting", () => {
  it("bold, italic (both kinds), strike and inline code", () => {
    expect(f("**bold**")).toBe("<strong>bold</strong>");
    expect(f("_it_ and *it*")).toBe("<em>it</em> and <em>it</em>");
    expect(f("~~gone~~")).toBe("<del>gone</del>");
    expect(f("run `ls -la` now")).toBe("run <code>ls -la</code> now");
  });

  it("does not format inside code, and leaves snake_case alone", () => {
    expect(f("`**not bold**`")).toBe("<code>**not bold**</code>");
    expect(f("my_var_name")).toBe("my_var_name");
    expect(f("2 * 3 * 4")).toBe("2 * 3 * 4");
  });

  it("code blocks keep their text verbatim", () => {
    expect(f("before\n```js\nconst a = 1 < 2;\n**x**\n```\nafter")).toBe("before<pre><code>const a = 1 &lt; 2;\n**x**</code></pre>after");
  });

  it("quotes", () => {
    expect(f("> quoted\n> more\nreply")).toBe("<blockquote>quoted<br>more</blockquote>reply");
  });

  it("line breaks", () => {
    expect(f("a\nb")).toBe("a<br>b");
  });

  it("auto-links http(s) URLs with a safe target and rel", () => {
    const el = render("see https://example.com/a?b=1&c=2, ok");
    const a = el.querySelector("a")!;
    expect(a.getAttribute("href")).toBe("https://example.com/a?b=1&c=2");
    expect(a.getAttribute("target")).toBe("_blank");
    expect(a.getAttribute("rel")).toBe("noopener noreferrer");
    expect(el.textContent).toBe("see https://example.com/a?b=1&c=2, ok");
  });

  it("mentions members by username or display name, longest match, highlighting me", () => {
    const el = render("hi @Bob Builder and @ada, not @nobody or mail@bob");
    const spans = Array.from(el.querySelectorAll("span.mention"));
    expect(spans.map((s) => s.textContent)).toEqual(["@Bob Builder", "@ada"]);
    expect(spans[1].classList.contains("me")).toBe(true);
    expect(spans[0].classList.contains("me")).toBe(false);
  });

  it("formatting spans across mentions and links", () => {
    expect(f("**hey @bob**")).toBe('<strong>hey <span class="mention">@bob</span></strong>');
  });
});

describe("XSS payloads render inert", () => {
  const payloads = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[x](javascript:alert(1))",
    "javascript:alert(1)",
    '**<img src=x onerror=alert(1)>**',
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
    '> <iframe src="javascript:alert(1)"></iframe>',
    "<<script>script>alert(1)<</script>/script>",
    '"><img src=x onerror=alert(1)>',
    "https://example.com/\"onmouseover=\"alert(1)",
    "https://x.com/<script>alert(1)</script>",
    "\uE0000\uE001<script>alert(1)</script>",
    "<style>*{display:none}</style>",
    '<span class="mention me" onclick="alert(1)">x</span>',
  ];

  for (const p of payloads) {
    it(`escapes ${JSON.stringify(p)}`, () => {
      const el = render(p);
      expect(el.querySelector("script, img, svg, iframe, style")).toBeNull();
      for (const node of Array.from(el.querySelectorAll("*"))) {
        for (const attr of Array.from(node.attributes)) {
          expect(attr.name.startsWith("on")).toBe(false);
          expect(attr.value.toLowerCase()).not.toContain("javascript:");
        }
      }
      for (const a of Array.from(el.querySelectorAll("a"))) expect(a.getAttribute("href") ?? "").toMatch(/^(https?:|mailto:|$)/);
    });
  }

  it("shows the typed markup as text", () => {
    expect(render("<b>not bold</b>").textContent).toBe("<b>not bold</b>");
    expect(render("<script>alert(1)</script>").textContent).toBe("<script>alert(1)</script>");
  });
});
