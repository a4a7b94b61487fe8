import { describe, expect, it } from "vitest";
import { leadingZeroBits, solve } from "../../widget/pow";
import { sha256, zeroBits } from "../../widget/sha256";

async function webcrypto(s: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(s)));
}

const hex = (words: Uint32Array) => [...words].map((w) => (w >>> 0).toString(16).padStart(8, "0")).join("");
const hexBytes = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");

describe("proof of work", () => {
  it("counts leading zero bits", () => {
    expect(leadingZeroBits(new Uint8Array([0xff]))).toBe(0);
    expect(leadingZeroBits(new Uint8Array([0x01, 0xff]))).toBe(7);
    expect(leadingZeroBits(new Uint8Array([0, 0, 0x10]))).toBe(19);
    expect(zeroBits(new Uint32Array([0, 0x0000ffff]))).toBe(48);
  });

  it("the small SHA-256 agrees with WebCrypto (empty, one block, the padding edges, two blocks)", async () => {
    for (const len of [0, 1, 3, 55, 56, 63, 64, 65, 119, 120, 200]) {
      const s = Array.from({ length: len }, (_, i) => String.fromCharCode(97 + (i % 26))).join("");
      expect(hex(sha256(new TextEncoder().encode(s))), `length ${len}`).toBe(hexBytes(await webcrypto(s)));
    }
    expect(hex(sha256(new TextEncoder().encode("abc")))).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("finds the first nonce whose sha256(challenge+nonce) has the leading zero bits asked (checked with WebCrypto)", async () => {
    const nonce = await solve("c.abc123", 10);
    expect(nonce).toMatch(/^\d+$/);
    expect(leadingZeroBits(await webcrypto("c.abc123" + nonce))).toBeGreaterThanOrEqual(10);
    for (let n = 0; n < Number(nonce); n++) expect(leadingZeroBits(await webcrypto("c.abc123" + n))).toBeLessThan(10);
  });

  it("yields to the page between slices", async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    await solve("slices", 14, { sliceMs: 1 }).catch(() => "");
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
  });

  it("gives up after maxTries", async () => {
    await expect(solve("x", 40, { maxTries: 2048 })).rejects.toThrow(/no nonce/);
  });
});
