import { describe, expect, it } from "vitest";
import { DataExports } from "../../src/features/exports";
import type { ServerFrame } from "../../src/state/types";

const base = { id: "x1", userId: "me", requestedBy: "me", createdAt: "2026-11-30T10:00:00Z" };

function setup(status: unknown) {
  const calls: string[] = [];
  const said: string[] = [];
  let changes = 0;
  const x = new DataExports({
    request: async (p) => {
      calls.push(p.action);
      if (p.action === "exportStatus") return { type: "export", requestId: "r", export: status } as unknown as ServerFrame;
      if (p.action === "requestExport") return { type: "export", requestId: "r", export: { ...base, state: "pending" } } as unknown as ServerFrame;
      return { type: "exportDownload", requestId: "r", exportId: "x1", url: "https://files/x1.zip", expiresAt: "" } as unknown as ServerFrame;
    },
    userId: "me",
    onChange: () => changes++,
    announce: (t) => said.push(t),
    readyText: () => "ready!",
  });
  return { x, calls, said, changes: () => changes };
}

describe("DataExports", () => {
  it("loads the status (none), asks, and hears it is ready", async () => {
    const { x, calls, said } = setup(null);
    await x.load();
    expect(x.mine).toBeNull();
    await x.request();
    expect(x.running()).toBe(true);
    // Another person's export (an admin's view) does not replace mine.
    x.onEvent({ type: "export", export: { ...base, userId: "other", requestedBy: "admin", state: "ready" } } as unknown as ServerFrame);
    expect(x.mine?.state).toBe("pending");
    expect(x.others.size).toBe(0);
    // One I asked for as an admin is kept by its person.
    x.onEvent({ type: "export", export: { ...base, userId: "other", state: "ready" } } as unknown as ServerFrame);
    expect(x.others.get("other")?.state).toBe("ready");
    x.onEvent({ type: "export", export: { ...base, state: "ready", expiresAt: "2026-12-01T10:00:00Z" } } as unknown as ServerFrame);
    expect(x.mine?.state).toBe("ready");
    expect(said).toEqual(["ready!"]);
    expect(await x.downloadUrl()).toBe("https://files/x1.zip");
    expect(calls).toEqual(["exportStatus", "requestExport", "requestExportDownload"]);
  });

  it("survives a reload: the status says ready", async () => {
    const { x } = setup({ ...base, state: "ready" });
    await x.load();
    expect(x.mine?.state).toBe("ready");
    expect(x.running()).toBe(false);
  });
});
