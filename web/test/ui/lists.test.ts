// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { formatMessage } from "../../src/ui/messages/format";

const f = (s: string) => formatMessage(s, {});

describe("Markdown lists", () => {
  it("bullets with -, * and +", () => {
    expect(f("- one\n- two")).toBe("<ul><li>one</li><li>two</li></ul>");
    expect(f("* one\n* **two**")).toBe("<ul><li>one</li><li><strong>two</strong></li></ul>");
    expect(f("+ one")).toBe("<ul><li>one</li></ul>");
  });

  it("numbered lists, keeping the first number", () => {
    expect(f("1. one\n2. two")).toBe("<ol><li>one</li><li>two</li></ol>");
    expect(f("3) three\n4) four")).toBe('<ol start="3"><li>three</li><li>four</li></ol>');
  });

  it("text around a list, and two kinds in a row", () => {
    expect(f("todo:\n- a\n- b\ndone")).toBe("todo:<ul><li>a</li><li>b</li></ul>done");
    expect(f("- a\n1. b")).toBe("<ul><li>a</li></ul><ol><li>b</li></ol>");
    expect(f("> q\n- a")).toBe("<blockquote>q</blockquote><ul><li>a</li></ul>");
  });

  it("is not a list without the space, and emphasis is not a bullet", () => {
    expect(f("-1 degrees")).toBe("-1 degrees");
    expect(f("*it* is")).toBe("<em>it</em> is");
    expect(f("**bold** line")).toBe("<strong>bold</strong> line");
    expect(f("2.5 apples")).toBe("2.5 apples");
  });

  it("escapes what the items hold", () => {
    expect(f("- <img src=x onerror=alert(1)>\n- <script>x</script>")).toBe(
      "<ul><li>&lt;img src=x onerror=alert(1)&gt;</li><li>&lt;script&gt;x&lt;/script&gt;</li></ul>",
    );
    expect(f('1. "a" & \'b\'')).toBe("<ol><li>\"a\" &amp; 'b'</li></ol>");
  });

  it("keeps code blocks out of lists", () => {
    expect(f("```\n- not a list\n```")).toBe("<pre><code>- not a list</code></pre>");
  });

  it("renders as real list elements", () => {
    const div = document.createElement("div");
    div.innerHTML = f("1. first\n2. second");
    expect(Array.from(div.querySelectorAll("ol > li")).map((li) => li.textContent)).toEqual(["first", "second"]);
  });
});

describe("shortcodes in received text", () => {
  it("turn into emoji where they stand apart", () => {
    expect(f("ship it :rocket: :tada:")).toBe("ship it 🚀 🎉");
    expect(f(":smile::+1:")).toBe("😄👍");
    expect(f("- :white_check_mark: done")).toBe("<ul><li>✅ done</li></ul>");
  });

  it("leave unknown names, times, URLs and code alone", () => {
    expect(f(":nope:")).toBe(":nope:");
    expect(f("at 10:30:00")).toBe("at 10:30:00");
    expect(f("a:smile:b")).toBe("a:smile:b");
    expect(f("`:smile:`")).toBe("<code>:smile:</code>");
    expect(f("https://x.example/:smile:/y")).toContain('href="https://x.example/:smile:/y"');
  });
});
