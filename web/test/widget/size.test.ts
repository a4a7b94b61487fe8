// The widget's size budget: build it (as the app's build does) and fail
// above 40 KB gzipped. (Issue 17: "small: under 40 KB gzipped, measured".)
import { describe, expect, it } from "vitest";
import { WIDGET_BUDGET_BYTES, WIDGET_PATH, buildWidget, describeSize } from "../../widget/build";

describe("widget bundle", () => {
  it("is one self-contained script under 40 KB gzipped", async () => {
    const out = `${decodeURIComponent(new URL("../../node_modules/.cache/widget-size", import.meta.url).pathname)}`;
    const size = await buildWidget(out);
    console.log(describeSize(size));
    expect(size.file.endsWith(WIDGET_PATH)).toBe(true);
    expect(size.gzipped).toBeGreaterThan(1000);
    expect(size.gzipped).toBeLessThanOrEqual(WIDGET_BUDGET_BYTES);
  }, 60_000);
});
