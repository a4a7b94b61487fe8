import { describe, expect, it } from "vitest";
import { leadingZeroBits, solve } from "../../widget/pow";

async function sha(s: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(s)));
}

describe("proof of work", () => {
  it("counts leading zero bits", () => {
    expect(leadingZeroBits(new Uint8Array([0xff]))).toBe(0);
    expect(leadingZeroBits(new Uint8Array([0x01, 0xff]))).toBe(7);
    expect(leadingZeroBits(new Uint8Array([0, 0, 0x10]))).toBe(19);
    expect(leadingZeroBits(new Uint8Array([0, 0]))).toBe(16);
  });

  it("finds a nonce whose sha256(challenge+nonce) has the leading zero bits asked", async () => {
    const nonce = await solve("c.abc123", 10, { batch: 64 });
    expect(nonce).toMatch(/^\d+$/);
    expect(leadingZeroBits(await sha("c.abc123" + nonce))).toBeGreaterThanOrEqual(10);
    // the first one: no smaller nonce qualifies
    for (let n = 0; n < Number(nonce); n++) expect(leadingZeroBits(await sha("c.abc123" + n))).toBeLessThan(10);
  });

  it("gives up after maxTries", async () => {
    await expect(solve("x", 40, { maxTries: 128, batch: 64 })).rejects.toThrow(/no nonce/);
  });
});
