import { describe, expect, it } from "vitest";
import { completeShortcode, emojiFor, replaceShortcodes, shortcodeAt, suggestShortcodes } from "../../src/ui/common/shortcodes";
import { SHORTCODES } from "../../src/ui/common/shortcodes.data";

describe("the shortcode list", () => {
  it("has a few hundred names, each once, each a lower-case name", () => {
    expect(SHORTCODES.length).toBeGreaterThan(300);
    const names = SHORTCODES.map(([n]) => n);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[a-z0-9_+-]+$/);
  });

  it("maps the common ones", () => {
    expect(emojiFor("smile")).toBe("😄");
    expect(emojiFor("SMILE")).toBe("😄");
    expect(emojiFor("+1")).toBe("👍");
    expect(emojiFor("heart")).toBe("❤️");
    expect(emojiFor("nope")).toBeUndefined();
  });
});

describe("autocomplete", () => {
  it("opens after a colon and two characters, not inside words or times", () => {
    expect(shortcodeAt(":s", 2)).toBeNull();
    expect(shortcodeAt(":sm", 3)).toEqual({ start: 0, query: "sm" });
    expect(shortcodeAt("hi :smi", 7)).toEqual({ start: 3, query: "smi" });
    expect(shortcodeAt("10:30", 5)).toBeNull();
    expect(shortcodeAt("http://x", 8)).toBeNull();
    expect(shortcodeAt("a :smile: ", 10)).toBeNull();
  });

  it("suggests names that start with the query first, one per emoji", () => {
    const hits = suggestShortcodes("smile");
    expect(hits[0]).toEqual({ name: "smile", emoji: "😄" });
    expect(hits.map((h) => h.name)).toContain("smiley");
    expect(suggestShortcodes("up").length).toBeGreaterThan(0);
    expect(suggestShortcodes("thumbs").map((h) => h.emoji)).toEqual(["👍", "👎"]);
    expect(suggestShortcodes("s")).toEqual([]);
    expect(suggestShortcodes("zzzz")).toEqual([]);
    expect(suggestShortcodes("a", 8).length).toBe(0);
    expect(suggestShortcodes("ca", 5).length).toBe(5);
  });

  it("turns a complete :name: into its emoji as it is typed", () => {
    expect(completeShortcode("hi :tada:", 9)).toEqual({ text: "hi 🎉", caret: 5 });
    expect(completeShortcode(":smile: there", 7)).toEqual({ text: "😄 there", caret: 2 });
    expect(completeShortcode("hi :nope:", 9)).toBeNull();
    expect(completeShortcode("10:30:", 6)).toBeNull();
    expect(completeShortcode("hi :tada", 8)).toBeNull();
  });

  it("replaces every known shortcode in text", () => {
    expect(replaceShortcodes(":fire::fire: x:fire:")).toBe("🔥🔥 x:fire:");
  });
});
