// Message formatting: a small tokenizer that escapes all text first and only
// then adds the few tags it knows, and DOMPurify behind it with a tight
// allowlist, so nothing a sender types can become markup or script.
import DOMPurify from "dompurify";
import { replaceShortcodes } from "../common/shortcodes";

export interface FormatContext {
  // Names that can be mentioned (usernames and display names of members).
  names?: string[];
  // The current user's names: mentions of them get highlighted.
  myNames?: string[];
}

const PH_OPEN = "\uE000";
const PH_CLOSE = "\uE001";
// A URL stops at a placeholder: inline code taken out before it (`x`) must
// not end up inside the link, where its placeholder would never be filled.
const URL_RE = /\bhttps?:\/\/[^\s<>"`\uE000\uE001]+[^\s<>"`.,:;!?'")\]}\uE000\uE001]/gi;
const FENCE_RE = /```(?:[a-zA-Z0-9_+-]*\n)?([\s\S]*?)```/g;

export function escapeHTML(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

class Placeholders {
  private items: string[] = [];
  put(html: string): string {
    this.items.push(html);
    return `${PH_OPEN}${this.items.length - 1}${PH_CLOSE}`;
  }
  fill(s: string): string {
    return s.replace(new RegExp(`${PH_OPEN}(\\d+)${PH_CLOSE}`, "g"), (_, i: string) => this.items[Number(i)] ?? "");
  }
}

// findMention: the longest member name right after an "@" at i, if any.
function findMention(text: string, at: number, names: string[]): string | null {
  const rest = text.slice(at + 1).toLowerCase();
  for (const name of names) {
    if (!rest.startsWith(name.toLowerCase())) continue;
    const after = rest.charAt(name.length);
    if (after === "" || !/[\p{L}\p{N}_]/u.test(after)) return text.slice(at + 1, at + 1 + name.length);
  }
  return null;
}

function markMentions(text: string, ph: Placeholders, ctx: FormatContext): string {
  const names = [...new Set((ctx.names ?? []).filter((n) => n.trim() !== ""))].sort((a, b) => b.length - a.length);
  if (names.length === 0 || !text.includes("@")) return text;
  const mine = new Set((ctx.myNames ?? []).map((n) => n.toLowerCase()));
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const prev = i > 0 ? text.charAt(i - 1) : "";
    if (text.charAt(i) === "@" && !/[\p{L}\p{N}_.]/u.test(prev)) {
      const name = findMention(text, i, names);
      if (name) {
        const cls = mine.has(name.toLowerCase()) ? "mention me" : "mention";
        out += ph.put(`<span class="${cls}">@${escapeHTML(name)}</span>`);
        i += name.length;
        continue;
      }
    }
    out += text.charAt(i);
  }
  return out;
}

function emphasis(s: string): string {
  return s
    .replace(/\*\*(?=\S)([\s\S]*?\S)\*\*/g, "<strong>$1</strong>")
    .replace(/~~(?=\S)([\s\S]*?\S)~~/g, "<del>$1</del>")
    .replace(/(^|[^*\p{L}\p{N}])\*(?=[^\s*])([^*\n]*?[^\s*])\*(?![\p{L}\p{N}])/gu, "$1<em>$2</em>")
    .replace(/(^|[^\p{L}\p{N}_])_(?=[^\s_])([^_\n]*?[^\s_])_(?![\p{L}\p{N}_])/gu, "$1<em>$2</em>");
}

function inline(raw: string, ctx: FormatContext): string {
  const ph = new Placeholders();
  let s = raw.replace(/`([^`\n]+)`/g, (_, code: string) => ph.put(`<code>${escapeHTML(code)}</code>`));
  s = s.replace(URL_RE, (url) => ph.put(`<a href="${escapeHTML(url)}">${escapeHTML(url)}</a>`));
  s = markMentions(s, ph, ctx);
  return ph.fill(emphasis(escapeHTML(replaceShortcodes(s))));
}

// Markdown lists: "- item", "* item" (bullets) and "1. item" or "1) item"
// (numbered, from the first number).
const BULLET_RE = /^\s*[-*+]\s+(.*)$/;
const NUMBERED_RE = /^\s*(\d{1,9})[.)]\s+(.*)$/;
const QUOTE_RE = /^\s*>/;

function kind(row: string): "quote" | "ul" | "ol" | "text" {
  if (QUOTE_RE.test(row)) return "quote";
  if (BULLET_RE.test(row)) return "ul";
  if (NUMBERED_RE.test(row)) return "ol";
  return "text";
}

function lines(raw: string, ctx: FormatContext): string {
  const out: string[] = [];
  const rows = raw.split("\n");
  for (let i = 0; i < rows.length; i++) {
    const k = kind(rows[i]);
    if (k === "quote") {
      const quoted: string[] = [];
      while (i < rows.length && kind(rows[i]) === "quote") quoted.push(rows[i++].replace(/^\s*> ?/, ""));
      i--;
      out.push(`<blockquote>${quoted.map((q) => inline(q, ctx)).join("<br>")}</blockquote>`);
    } else if (k === "ul" || k === "ol") {
      const items: string[] = [];
      const first = k === "ol" ? Number(NUMBERED_RE.exec(rows[i])![1]) : 1;
      while (i < rows.length && kind(rows[i]) === k) {
        const item = k === "ul" ? BULLET_RE.exec(rows[i])![1] : NUMBERED_RE.exec(rows[i])![2];
        items.push(`<li>${inline(item, ctx)}</li>`);
        i++;
      }
      i--;
      const start = k === "ol" && first !== 1 ? ` start="${first}"` : "";
      out.push(`<${k}${start}>${items.join("")}</${k}>`);
    } else {
      out.push(inline(rows[i], ctx) + (i < rows.length - 1 && kind(rows[i + 1]) === "text" ? "<br>" : ""));
    }
  }
  return out.join("");
}

// toHTML renders message text as (unsanitized) HTML; use formatMessage.
export function toHTML(text: string, ctx: FormatContext = {}): string {
  const clean = text.replace(/[\uE000\uE001]/g, "");
  let html = "";
  let pos = 0;
  for (const m of clean.matchAll(FENCE_RE)) {
    html += lines(clean.slice(pos, m.index).replace(/\n$/, ""), ctx);
    html += `<pre><code>${escapeHTML(m[1].replace(/\n$/, ""))}</code></pre>`;
    pos = m.index! + m[0].length;
  }
  html += lines(clean.slice(pos).replace(/^\n/, ""), ctx);
  return html;
}

const ALLOWED_TAGS = ["b", "strong", "i", "em", "s", "del", "code", "pre", "blockquote", "a", "br", "span", "ul", "ol", "li"];
const ALLOWED_ATTR = ["href", "rel", "target", "class", "start"];
const SAFE_HREF = /^(https?:|mailto:)/i;

let hooked = false;
function installHooks(): void {
  if (hooked) return;
  hooked = true;
  DOMPurify.addHook("afterSanitizeAttributes", (node) => {
    const el = node as Element;
    if (el.tagName === "A") {
      const href = el.getAttribute("href") ?? "";
      if (!SAFE_HREF.test(href.trim())) el.removeAttribute("href");
      el.setAttribute("target", "_blank");
      el.setAttribute("rel", "noopener noreferrer");
    }
    if (el.hasAttribute?.("start") && (el.tagName !== "OL" || !/^\d{1,9}$/.test(el.getAttribute("start")!))) el.removeAttribute("start");
    if (el.hasAttribute?.("class")) {
      // Only span.mention (and .me for the current user) may carry a class.
      const ok = el.tagName === "SPAN" ? el.getAttribute("class")!.split(/\s+/).filter((c) => c === "mention" || c === "me") : [];
      if (ok.includes("mention")) el.setAttribute("class", ok.join(" "));
      else el.removeAttribute("class");
    }
  });
}

export function sanitize(html: string): string {
  installHooks();
  return DOMPurify.sanitize(html, { ALLOWED_TAGS, ALLOWED_ATTR, ALLOW_DATA_ATTR: false }) as string;
}

// formatMessage is what the message list renders with innerHTML.
export function formatMessage(text: string, ctx: FormatContext = {}): string {
  return sanitize(toHTML(text, ctx));
}
