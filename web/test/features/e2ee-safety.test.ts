// Safety numbers: Signal's numeric fingerprint over fixed identity keys,
// asserted literally and recomputed independently with node:crypto.
import { describe, expect, it } from "vitest";
import { unb64 } from "../../src/features/e2ee/encoding";
import { combineFingerprints, fingerprint, safetyNumber } from "../../src/features/e2ee/safety";
import { ALICE, ALICE_ID_PUB, BOB, BOB_ID_PUB, nodeCrypto } from "./e2ee-fixtures";

const SAFETY = "30150 17013 05858 78645 41036 27449 47071 22140 24826 76015 89836 44473";

// independent: the contract's recipe, on node's SHA-512.
async function nodeFingerprint(identityKey: string, userId: string): Promise<string> {
  const node = await nodeCrypto();
  const key = unb64(identityKey);
  let h = node.createHash("sha512").update(new Uint8Array([0, 0, ...key, ...new TextEncoder().encode(userId)])).digest();
  for (let i = 1; i < 5200; i++) h = node.createHash("sha512").update(new Uint8Array([...h, ...key])).digest();
  let out = "";
  for (let c = 0; c < 30; c += 5) {
    const n = BigInt("0x" + Array.from(h.slice(c, c + 5), (b) => b.toString(16).padStart(2, "0")).join(""));
    out += (n % 100000n).toString().padStart(5, "0");
  }
  return out;
}

describe("safety numbers", () => {
  it("are fixed for two fixed identity keys and user ids", async () => {
    expect(await fingerprint(ALICE_ID_PUB, ALICE)).toBe("470712214024826760158983644473");
    expect(await fingerprint(BOB_ID_PUB, BOB)).toBe("301501701305858786454103627449");
    expect(await safetyNumber({ userId: ALICE, identityKey: ALICE_ID_PUB }, { userId: BOB, identityKey: BOB_ID_PUB })).toBe(SAFETY);
  });

  it("match an independent computation with node:crypto", async () => {
    const [fa, fb] = await Promise.all([nodeFingerprint(ALICE_ID_PUB, ALICE), nodeFingerprint(BOB_ID_PUB, BOB)]);
    expect(combineFingerprints(fa, fb)).toBe(SAFETY);
    expect(fa).toBe(await fingerprint(ALICE_ID_PUB, ALICE));
  });

  it("are the same from both sides and change with the key or the user id", async () => {
    const alice = { userId: ALICE, identityKey: ALICE_ID_PUB };
    const bob = { userId: BOB, identityKey: BOB_ID_PUB };
    expect(await safetyNumber(bob, alice)).toBe(SAFETY);
    expect(SAFETY).toMatch(/^(\d{5} ){11}\d{5}$/);
    expect(await safetyNumber(alice, { userId: BOB, identityKey: ALICE_ID_PUB })).not.toBe(SAFETY);
    expect(await safetyNumber(alice, { userId: "usr_mallory", identityKey: BOB_ID_PUB })).not.toBe(SAFETY);
  });

  it("refuse an identity key that is not a P-256 point", async () => {
    await expect(fingerprint("AAAA", ALICE)).rejects.toMatchObject({ reason: "malformed" });
  });
});
