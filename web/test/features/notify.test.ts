// The ping's AudioContext: a context made before any user gesture starts
// suspended, and the ping must resume it rather than schedule into silence.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

class FakeContext {
  static made = 0;
  state: "suspended" | "running" = "suspended";
  currentTime = 0;
  destination = {};
  started: string[] = [];
  resumes: Array<() => void> = [];
  constructor() {
    FakeContext.made++;
  }
  resume(): Promise<void> {
    return new Promise((ok) => this.resumes.push(ok));
  }
  run(): void {
    this.state = "running";
    for (const ok of this.resumes.splice(0)) ok();
  }
  createOscillator() {
    const param = { setValueAtTime() {}, exponentialRampToValueAtTime() {} };
    return { type: "", frequency: param, connect: (n: unknown) => n, start: () => this.started.push(this.state), stop() {} };
  }
  createGain() {
    const param = { setValueAtTime() {}, exponentialRampToValueAtTime() {} };
    return { gain: param, connect: (n: unknown) => n };
  }
}

let ctx: FakeContext | undefined;

beforeEach(() => {
  vi.resetModules(); // notify.ts keeps its context in module state
  FakeContext.made = 0;
  ctx = undefined;
  vi.stubGlobal("window", {
    AudioContext: class extends FakeContext {
      constructor() {
        super();
        ctx = this;
      }
    },
  });
});

afterEach(() => vi.unstubAllGlobals());

const flush = () => new Promise((r) => setTimeout(r, 0));

describe("playPing", () => {
  it("resumes a suspended context and beeps once it runs, once for the pings that waited", async () => {
    const { playPing } = await import("../../src/features/notify");
    playPing();
    playPing();
    await flush();
    expect(ctx!.resumes).toHaveLength(2); // asked on every ping while suspended
    expect(ctx!.started).toEqual([]); // nothing scheduled into a suspended context
    ctx!.run();
    await flush();
    expect(ctx!.started).toEqual(["running"]);
  });

  it("beeps at once on a running context, reusing it", async () => {
    const { playPing } = await import("../../src/features/notify");
    playPing();
    ctx!.run();
    await flush();
    playPing();
    playPing();
    expect(ctx!.started).toEqual(["running", "running", "running"]);
    expect(FakeContext.made).toBe(1);
  });
});

describe("titleWithUnread", () => {
  it("prefixes the count, capped at 99+", async () => {
    const { titleWithUnread } = await import("../../src/features/notify");
    expect(titleWithUnread("Backchannel", 0)).toBe("Backchannel");
    expect(titleWithUnread("Backchannel", 3)).toBe("(3) Backchannel");
    expect(titleWithUnread("Backchannel", 100)).toBe("(99+) Backchannel");
  });
});
