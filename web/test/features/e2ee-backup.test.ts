// The key backup: passphrase -> scrypt -> (kek, proof); BK wrapped under the
// kek; the identity and room keys sealed under BK. Small N keeps it quick.
import { describe, expect, it } from "vitest";
import {
  b64,
  checkBackupKdf,
  deriveBackupSecrets,
  generateIdentity,
  importIdentity,
  identityPublicKey,
  newBackupKdf,
  newBackupKey,
  newRoomKey,
  openBackupRoomKey,
  openIdentity,
  sealBackupRoomKey,
  sealIdentity,
  signDevice,
  unb64,
  unwrapBackupKey,
  verifyDevice,
  wrapBackupKey,
  type BackupKDF,
} from "../../src/features/e2ee/crypto";
import { ALICE, ALICE_DEV, ALICE_ID_PKCS8, ALICE_ID_PUB, BOB } from "./e2ee-fixtures";

const small = (): BackupKDF => ({ ...newBackupKdf(), n: 1024, r: 8, p: 1 });
const weak = { allowWeak: true };

describe("backup KDF parameters", () => {
  it("are scrypt N=2^17, r=8, p=1 with a fresh 16-byte salt", () => {
    const a = newBackupKdf();
    expect(a).toMatchObject({ alg: "scrypt", n: 131072, r: 8, p: 1 });
    expect(unb64(a.salt)).toHaveLength(16);
    expect(newBackupKdf().salt).not.toBe(a.salt);
    expect(() => checkBackupKdf(a)).not.toThrow();
  });

  it("refuse weak parameters from the server unless allowed, and absurd ones always", () => {
    expect(() => checkBackupKdf(small())).toThrow(expect.objectContaining({ reason: "weak-kdf" }));
    expect(() => checkBackupKdf(small(), weak)).not.toThrow();
    expect(() => checkBackupKdf({ ...newBackupKdf(), n: 1 << 22 }, weak)).toThrow(expect.objectContaining({ reason: "weak-kdf" }));
    expect(() => checkBackupKdf({ ...newBackupKdf(), n: 1000 }, weak)).toThrow(expect.objectContaining({ reason: "malformed" }));
    expect(() => checkBackupKdf({ ...newBackupKdf(), alg: "pbkdf2" } as never, weak)).toThrow(expect.objectContaining({ reason: "malformed" }));
  });
});

describe("deriveBackupSecrets", () => {
  it("gives the same proof twice, another for another passphrase or salt", async () => {
    const kdf = small();
    const a = await deriveBackupSecrets("correct horse battery", kdf, weak);
    const b = await deriveBackupSecrets("correct horse battery", kdf, weak);
    const c = await deriveBackupSecrets("correct horse battery!", kdf, weak);
    const d = await deriveBackupSecrets("correct horse battery", { ...kdf, salt: b64(new Uint8Array(16)) }, weak);
    expect(unb64(a.proof)).toHaveLength(32);
    expect(b.proof).toBe(a.proof);
    expect(c.proof).not.toBe(a.proof);
    expect(d.proof).not.toBe(a.proof);
    expect(a.kek.extractable).toBe(false);
  });

  it("normalizes the passphrase (NFKC) first", async () => {
    const kdf = small();
    const composed = await deriveBackupSecrets("passphrase é ﬁne", kdf, weak);
    const decomposed = await deriveBackupSecrets("passphrase e\u0301 fine", kdf, weak);
    expect(decomposed.proof).toBe(composed.proof);
  });

  it("refuses weak parameters by default", async () => {
    await expect(deriveBackupSecrets("correct horse battery", small())).rejects.toMatchObject({ reason: "weak-kdf" });
  });
});

describe("the backup key", () => {
  it("wraps under the kek and unwraps only with the same passphrase", async () => {
    const kdf = small();
    const { kek } = await deriveBackupSecrets("correct horse battery", kdf, weak);
    const bk = newBackupKey();
    const wrapped = await wrapBackupKey(kek, bk);
    expect(unb64(wrapped)).toHaveLength(12 + 32 + 16);
    const again = await deriveBackupSecrets("correct horse battery", kdf, weak);
    expect(await unwrapBackupKey(again.kek, wrapped)).toEqual(bk);
    const wrong = await deriveBackupSecrets("wrong horse battery", kdf, weak);
    await expect(unwrapBackupKey(wrong.kek, wrapped)).rejects.toMatchObject({ reason: "tampered" });
  });
});

describe("the sealed identity", () => {
  it("reopens as a key that signs devices the public key verifies", async () => {
    const bk = newBackupKey();
    const id = await generateIdentity();
    const sealed = await sealIdentity(bk, ALICE, id.pkcs8);
    const pkcs8 = await openIdentity(bk, ALICE, sealed);
    expect(await identityPublicKey(pkcs8)).toBe(id.publicKey);
    const key = await importIdentity(pkcs8);
    expect(key.extractable).toBe(false);
    const sig = await signDevice(key, ALICE, ALICE_DEV, id.publicKey);
    expect(await verifyDevice(id.publicKey, ALICE, ALICE_DEV, id.publicKey, sig)).toBe(true);
  });

  it("is bound to the user id and the backup key", async () => {
    const bk = newBackupKey();
    const sealed = await sealIdentity(bk, ALICE, unb64(ALICE_ID_PKCS8));
    expect(await identityPublicKey(await openIdentity(bk, ALICE, sealed))).toBe(ALICE_ID_PUB);
    await expect(openIdentity(bk, BOB, sealed)).rejects.toMatchObject({ reason: "tampered" });
    await expect(openIdentity(newBackupKey(), ALICE, sealed)).rejects.toMatchObject({ reason: "tampered" });
  });
});

describe("backed-up room keys", () => {
  it("round-trip and are bound to room and epoch", async () => {
    const bk = newBackupKey();
    const key = newRoomKey();
    const sealed = await sealBackupRoomKey(bk, "room_1", 2, key);
    expect(await openBackupRoomKey(bk, "room_1", 2, sealed)).toEqual(key);
    await expect(openBackupRoomKey(bk, "room_1", 3, sealed)).rejects.toMatchObject({ reason: "tampered" });
    await expect(openBackupRoomKey(bk, "room_2", 2, sealed)).rejects.toMatchObject({ reason: "tampered" });
    await expect(openBackupRoomKey(newBackupKey(), "room_1", 2, sealed)).rejects.toMatchObject({ reason: "tampered" });
  });
});
