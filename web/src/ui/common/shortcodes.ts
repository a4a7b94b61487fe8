// Emoji shortcodes: :name: → emoji, for the composer (autocomplete after
// ":" and two characters, and a complete :name: turning into its emoji as
// it is typed) and for received text (formatMessage). The names are in
// shortcodes.data.ts.
import { SHORTCODES } from "./shortcodes.data";

const MAP = new Map<string, string>(SHORTCODES.map(([n, e]) => [n, e]));
const NAME = "[a-z0-9_+-]+";

export interface ShortcodeHit {
  name: string;
  emoji: string;
}

// emojiFor is the emoji of a shortcode's name (without colons), if known.
export function emojiFor(name: string): string | undefined {
  return MAP.get(name.toLowerCase());
}

// suggestShortcodes lists up to limit shortcodes for a query: names that
// start with it first, then names with a word that does, then the rest
// that contain it, each in the list's order; one entry per emoji.
export function suggestShortcodes(query: string, limit = 8): ShortcodeHit[] {
  const q = query.toLowerCase();
  if (q.length < 2) return [];
  const tiers: ShortcodeHit[][] = [[], [], []];
  for (const [name, emoji] of SHORTCODES) {
    const tier = name.startsWith(q) ? 0 : name.split(/[_-]/).some((w) => w.startsWith(q)) ? 1 : name.includes(q) ? 2 : -1;
    if (tier >= 0) tiers[tier].push({ name, emoji });
  }
  const out: ShortcodeHit[] = [];
  const seen = new Set<string>();
  for (const hit of tiers.flat()) {
    if (seen.has(hit.emoji)) continue;
    seen.add(hit.emoji);
    out.push(hit);
    if (out.length === limit) break;
  }
  return out;
}

export interface ShortcodeQuery {
  start: number; // index of ":"
  query: string;
}

// shortcodeAt finds a ":name" being typed right before the caret (at
// least two characters, not right after a letter or digit: "10:30" and
// "http://x" are not shortcodes).
export function shortcodeAt(text: string, caret: number): ShortcodeQuery | null {
  const m = new RegExp(`(^|[^\\p{L}\\p{N}_:])(:(${NAME}))$`, "u").exec(text.slice(0, caret));
  if (!m || m[3].length < 2) return null;
  return { start: caret - m[2].length, query: m[3] };
}

// completeShortcode turns a known ":name:" that ends right at the caret
// into its emoji: the new text and caret, or null when there is none.
export function completeShortcode(text: string, caret: number): { text: string; caret: number } | null {
  const m = new RegExp(`(^|[^\\p{L}\\p{N}_:]):(${NAME}):$`, "u").exec(text.slice(0, caret));
  if (!m) return null;
  const emoji = emojiFor(m[2]);
  if (!emoji) return null;
  const start = caret - m[2].length - 2;
  return { text: text.slice(0, start) + emoji + text.slice(caret), caret: start + emoji.length };
}

// replaceShortcodes turns every known :name: in text into its emoji, where
// it stands apart from letters and digits (so "a:b:c" and times stay).
export function replaceShortcodes(text: string): string {
  if (!text.includes(":")) return text;
  return text.replace(new RegExp(`(?<![\\p{L}\\p{N}_]):(${NAME}):(?![\\p{L}\\p{N}_])`, "gu"), (whole, name: string) => emojiFor(name) ?? whole);
}
