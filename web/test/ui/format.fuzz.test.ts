// @vitest-environment jsdom
// Property test of message formatting over random inputs: whatever a sender
// types, the rendered HTML holds only the allowlisted tags and attributes,
// no event handler, no script URL, and no placeholder of the tokenizer.
//
// The inputs come from a seeded generator mixing markup fragments, the
// formatting syntax, mentions, URLs and random code points, so a failure is
// reproducible: it prints its seed. FORMAT_FUZZ_RUNS (default 1500) and
// FORMAT_FUZZ_SEED set the number of inputs and the first seed, e.g.
//   FORMAT_FUZZ_RUNS=200000 npx vitest run test/ui/format.fuzz.test.ts
import { describe, expect, it } from "vitest";
import { formatMessage, toHTML } from "../../src/ui/messages/format";

// Vitest runs in Node; the web client's types do not include Node's.
const env = (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env ?? {};
const RUNS = Number(env.FORMAT_FUZZ_RUNS ?? 1500);
const SEED = Number(env.FORMAT_FUZZ_SEED ?? 0x5eed);
// Vitest's 5 s default is too short for long runs or a busy machine.
const TIMEOUT = Math.max(60_000, RUNS * 100);

const ALLOWED: Record<string, string[]> = {
  B: [], STRONG: [], I: [], EM: [], S: [], DEL: [], CODE: [], PRE: [], BLOCKQUOTE: [], BR: [],
  A: ["href", "rel", "target"],
  SPAN: ["class"],
  UL: [], LI: [],
  OL: ["start"],
};

const FRAGMENTS = [
  "<", ">", "\"", "'", "&", "&lt;", "&#60;", "/", "=", " ", "\n", "\t", "\r", "\u0000",
  "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>", "<a href=\"javascript:alert(1)\">x</a>",
  "<iframe src=//evil>", "<style>*{}</style>", "<!--", "-->", "<![CDATA[", "]]>", "<math><mi>", "<span class=\"mention me x\">",
  "javascript:", "JaVaScRiPt:", "data:text/html,", "vbscript:", "onerror=", "onclick=", "style=", "href=", "class=",
  "**", "*", "_", "~~", "`", "```", "```js\n", "> ", ">", "\n> ",
  "\n- ", "- ", "\n* ", "\n1. ", "3) ", "\n12. ", "\n99999999999. ", ":smile:", ":tada:", ":", ":+1:", ":nope:",
  "@bob", "@Bob Builder", "@ada", "@Ada Lovelace", "@", "@<b>", "@\"",
  "http://", "https://", "https://example.com/a?b=1&c=\"<x>\"", "http://x.y/'onmouseover='alert(1)", "mailto:", "https://e.com/`x`",
  "\uE000", "\uE001", "\uE0000\uE001", "\uE000999\uE001", "0", "1", "12",
  "\u202e", "\u200b", "é", "🙂", "\uD800", "名前",
];

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomText(rand: () => number): string {
  const n = Math.floor(rand() * 24);
  let s = "";
  for (let i = 0; i < n; i++) {
    const r = rand();
    if (r < 0.7) s += FRAGMENTS[Math.floor(rand() * FRAGMENTS.length)];
    else if (r < 0.85) s += String.fromCharCode(0x20 + Math.floor(rand() * 0x5f));
    else s += String.fromCodePoint(Math.floor(rand() * 0x10ffff) & ~0x800 /* mostly not surrogates */);
  }
  return s;
}

const ctx = { names: ["bob", "Bob Builder", "ada", "Ada Lovelace", "<b>x</b>", "a\"b"], myNames: ["ada", "Ada Lovelace"] };

// problems lists what escaped the sanitizer in html, rendered as the message
// list renders it (innerHTML of a div).
function problems(html: string): string[] {
  const out: string[] = [];
  if (/[\uE000\uE001]/.test(html)) out.push("a tokenizer placeholder leaked");
  const div = document.createElement("div");
  div.innerHTML = html;
  for (const el of Array.from(div.querySelectorAll("*"))) {
    const allowed = ALLOWED[el.tagName];
    if (!allowed) {
      out.push(`tag <${el.tagName.toLowerCase()}>`);
      continue;
    }
    for (const attr of Array.from(el.attributes)) {
      if (!allowed.includes(attr.name)) out.push(`attribute ${attr.name} on <${el.tagName.toLowerCase()}>`);
    }
    const href = el.getAttribute("href");
    if (href !== null && !/^(https?:|mailto:)/i.test(href.trim())) out.push(`href ${JSON.stringify(href)}`);
    if (el.tagName === "A" && el.getAttribute("rel") !== "noopener noreferrer") out.push("link without rel=noopener");
    const start = el.getAttribute("start");
    if (start !== null && !/^\d{1,9}$/.test(start)) out.push(`start ${JSON.stringify(start)}`);
    const cls = el.getAttribute("class");
    if (cls !== null && !/^mention( me)?$/.test(cls)) out.push(`class ${JSON.stringify(cls)}`);
  }
  return out;
}

describe("formatMessage over random inputs", () => {
  it(`lets no markup through the sanitizer (${RUNS} inputs from seed ${SEED})`, () => {
    const rand = mulberry32(SEED);
    for (let i = 0; i < RUNS; i++) {
      const text = randomText(rand);
      const html = formatMessage(text, i % 2 === 0 ? ctx : {});
      const found = problems(html);
      if (found.length > 0) {
        expect.fail(`input #${i} (seed ${SEED}) ${JSON.stringify(text)}\nrenders ${JSON.stringify(html)}\n${found.join("\n")}`);
      }
    }
  }, TIMEOUT);

  it("the tokenizer alone escapes every < the sender typed", () => {
    // Before DOMPurify: every "<" in the tokenizer's output opens one of
    // its own tags, so the sanitizer is a second wall, not the only one.
    const own = /^<\/?(strong|em|del|code|pre|blockquote|br|a|span|ul|ol|li)[\s>]/;
    const rand = mulberry32(SEED + 1);
    for (let i = 0; i < RUNS; i++) {
      const text = randomText(rand);
      const html = toHTML(text, ctx);
      for (let at = html.indexOf("<"); at >= 0; at = html.indexOf("<", at + 1)) {
        if (!own.test(html.slice(at))) expect.fail(`input ${JSON.stringify(text)}: toHTML emits ${JSON.stringify(html.slice(at, at + 40))}`);
      }
    }
  }, TIMEOUT);
});

describe("regressions found by the random inputs", () => {
  it("inline code right after a URL stays code, outside the link", () => {
    // Was: the code's placeholder became part of the URL and leaked as
    // "\uE0000\uE001" in the link's href and text.
    const html = formatMessage("https://e.com/`x`**");
    expect(problems(html)).toEqual([]);
    expect(html).toBe('<a href="https://e.com/" target="_blank" rel="noopener noreferrer">https://e.com/</a><code>x</code>**');
  });
});
