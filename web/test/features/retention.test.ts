import { describe, expect, it } from "vitest";
import { RetentionSettings } from "../../src/features/retention";
import type { ServerFrame } from "../../src/state/types";

describe("RetentionSettings", () => {
  it("reads the workspace default on state and gives a room's effective retention", async () => {
    const asked: string[] = [];
    let changes = 0;
    const r = new RetentionSettings({
      request: async (p) => {
        asked.push(p.action);
        return { type: "workspaceSettings", settings: { retentionDays: 90 } } as unknown as ServerFrame;
      },
      onChange: () => changes++,
    });
    expect(r.effective({})).toBeNull();
    r.onEvent({ type: "state" } as unknown as ServerFrame);
    await new Promise((res) => setTimeout(res, 0));
    expect(asked).toEqual(["getWorkspaceSettings"]);
    expect(changes).toBe(1);
    expect(r.effective({})).toBe(90);
    expect(r.effective({ retentionDays: 7 })).toBe(7);
    expect(r.effective({ retentionDays: 0 })).toBe(0);
  });
});
