// Short authentication strings for device verification, from fixed
// ephemeral keys (alice's and bob's fixed device keys stand in for them).
import { describe, expect, it } from "vitest";
import { b64, newBackupKey, unb64 } from "../../src/features/e2ee/crypto";
import {
  checkSasCommitment,
  generateSasKey,
  newSasTxn,
  openSasSecret,
  sasBytes,
  sasCommitment,
  sasMac,
  sasNumbers,
  sasShared,
  sealSasSecret,
  verifySasMac,
  type SasContext,
} from "../../src/features/e2ee/sas";
import { ALICE_DEV, ALICE_DEV_JWK, BOB_DEV, BOB_DEV_JWK, deviceKey, nodeCrypto, toHex } from "./e2ee-fixtures";

async function fixed() {
  const a = await deviceKey(ALICE_DEV_JWK);
  const b = await deviceKey(BOB_DEV_JWK);
  const ctx: SasContext = { txn: "txn_1", devA: ALICE_DEV, devB: BOB_DEV, ephPubA: a.publicKey, ephPubB: b.publicKey };
  return { a, b, ctx };
}

describe("SAS", () => {
  it("commits to B's key as SHA-256(raw key || txn) and checks it", async () => {
    const { b } = await fixed();
    const c = await sasCommitment(b.publicKey, "txn_1");
    const node = await nodeCrypto();
    const want = node.createHash("sha256").update(new Uint8Array([...unb64(b.publicKey), ...new TextEncoder().encode("txn_1")])).digest();
    expect(c).toBe(b64(new Uint8Array(want)));
    expect(await checkSasCommitment(c, b.publicKey, "txn_1")).toBe(true);
    expect(await checkSasCommitment(c, b.publicKey, "txn_2")).toBe(false);
    const other = await generateSasKey();
    expect(await checkSasCommitment(c, other.publicKey, "txn_1")).toBe(false);
    expect(await checkSasCommitment("junk", "junk", "txn_1")).toBe(false);
  });

  it("gives both sides the same fixed bytes and numbers", async () => {
    const { a, b, ctx } = await fixed();
    const sa = await sasShared(a.privateKey, b.publicKey);
    const sb = await sasShared(b.privateKey, a.publicKey);
    expect(sb).toEqual(sa);
    const bytes = await sasBytes(sa, ctx);
    expect(toHex(bytes)).toBe("a1c19fe700");
    expect(sasNumbers(bytes)).toEqual([6176, 2663, 5992]);
    expect(await sasBytes(sb, ctx)).toEqual(bytes);
    expect(toHex(await sasBytes(sa, { ...ctx, txn: "txn_2" }))).not.toBe("a1c19fe700");
  });

  it("reads numbers as Matrix's decimal SAS: three 13-bit values + 1000", () => {
    expect(sasNumbers(new Uint8Array(5))).toEqual([1000, 1000, 1000]);
    expect(sasNumbers(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff]))).toEqual([9191, 9191, 9191]);
    // bits 0, 25 and 37 set (and bit 39, which no number uses)
    expect(sasNumbers(new Uint8Array([0x80, 0x00, 0x00, 0x40, 0x05]))).toEqual([1000 + 4096, 1000 + 1, 1000 + 2]);
  });

  it("MACs each device's own key; a different key or device fails", async () => {
    const { a, b, ctx } = await fixed();
    const shared = await sasShared(a.privateKey, b.publicKey);
    const mac = await sasMac(shared, ctx, ALICE_DEV, a.publicKey);
    expect(mac).toBe("qc-c_JIO1Wd1Qt_1g9fVR6lTuXIFXXswk7TwCmbMeTg");
    expect(await verifySasMac(shared, ctx, ALICE_DEV, a.publicKey, mac)).toBe(true);
    expect(await verifySasMac(shared, ctx, ALICE_DEV, b.publicKey, mac)).toBe(false);
    expect(await verifySasMac(shared, ctx, BOB_DEV, a.publicKey, mac)).toBe(false);
    expect(await verifySasMac(shared, { ...ctx, txn: "txn_2" }, ALICE_DEV, a.publicKey, mac)).toBe(false);
    expect(await verifySasMac(shared, ctx, ALICE_DEV, a.publicKey, "!!")).toBe(false);
  });

  it("runs a whole exchange with fresh keys and hands over the backup key", async () => {
    const ea = await generateSasKey();
    const eb = await generateSasKey();
    const txn = newSasTxn();
    const commitment = await sasCommitment(eb.publicKey, txn);
    expect(await checkSasCommitment(commitment, eb.publicKey, txn)).toBe(true);
    const ctx: SasContext = { txn, devA: ALICE_DEV, devB: BOB_DEV, ephPubA: ea.publicKey, ephPubB: eb.publicKey };
    const sa = await sasShared(ea.privateKey, eb.publicKey);
    const sb = await sasShared(eb.privateKey, ea.publicKey);
    expect(sasNumbers(await sasBytes(sa, ctx))).toEqual(sasNumbers(await sasBytes(sb, ctx)));
    const bk = newBackupKey();
    const payload = await sealSasSecret(sb, ctx, bk);
    expect(await openSasSecret(sa, ctx, payload)).toEqual(bk);
    const eve = await generateSasKey();
    await expect(openSasSecret(await sasShared(eve.privateKey, eb.publicKey), ctx, payload)).rejects.toMatchObject({ reason: "tampered" });
  });
});
