import { describe, expect, it } from "vitest";
import { inkOn } from "../../src/ui/common/Avatar";

const lum = (hex: string) => {
  const ch = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * ch(1) + 0.7152 * ch(3) + 0.0722 * ch(5);
};
const contrast = (a: string, b: string) => {
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
};

describe("avatar initials", () => {
  it("pass WCAG AA (4.5:1) on every palette colour and any colour a person picks", () => {
    const palette = ["#e57373", "#f06292", "#ba68c8", "#7986cb", "#4fc3f7", "#4db6ac", "#81c784", "#ffb74d", "#a1887f", "#90a4ae", "#78909c"];
    const any = Array.from({ length: 200 }, (_, i) => `#${((i * 2654435761) >>> 8).toString(16).padStart(6, "0").slice(-6)}`);
    for (const bg of [...palette, ...any]) expect(contrast(inkOn(bg), bg), bg).toBeGreaterThanOrEqual(4.5);
  });
});
