// bc-e2ee-v1's own formats from fixed keys: identity keys and device
// signatures, room-key wraps, messages, files. Fixed vectors made once with
// these functions pin the formats; node:crypto opens them independently.
import { describe, expect, it } from "vitest";
import {
  CryptoFailure,
  b64,
  decryptFile,
  decryptMessage,
  encryptFile,
  encryptMessage,
  generateDeviceKey,
  generateIdentity,
  identityPublicKey,
  importIdentity,
  isFileKey,
  messageAad,
  newDeviceId,
  newRoomKey,
  signDevice,
  unb64,
  unwrapRoomKey,
  validDeviceId,
  verifyDevice,
  wrapInfo,
  wrapRoomKey,
  type EncryptedContent,
  type MessageAad,
} from "../../src/features/e2ee/crypto";
import { ALICE, ALICE_DEV, ALICE_DEV_JWK, ALICE_ID_PKCS8, ALICE_ID_PUB, BOB, BOB_DEV, BOB_DEV_JWK, BOB_ID_PKCS8, BOB_ID_PUB, ROOM_KEY, deviceKey, nodeCrypto } from "./e2ee-fixtures";

const enc = new TextEncoder();

describe("identity keys", () => {
  it("are generated non-extractable, with the PKCS#8 handed out once for the backup", async () => {
    const id = await generateIdentity();
    expect(id.privateKey.extractable).toBe(false);
    expect(id.privateKey.usages).toEqual(["sign"]);
    expect(unb64(id.publicKey)).toHaveLength(65);
    expect(await identityPublicKey(id.pkcs8)).toBe(id.publicKey);
    const again = await importIdentity(id.pkcs8);
    expect(again.extractable).toBe(false);
  });

  it("give back the public point of a fixed PKCS#8", async () => {
    expect(await identityPublicKey(unb64(ALICE_ID_PKCS8))).toBe(ALICE_ID_PUB);
    expect(await identityPublicKey(unb64(BOB_ID_PKCS8))).toBe(BOB_ID_PUB);
    await expect(importIdentity(new Uint8Array(10))).rejects.toBeInstanceOf(CryptoFailure);
  });
});

describe("devices", () => {
  it("get ids of dev_ and 26 base32 characters", () => {
    const ids = new Set(Array.from({ length: 50 }, newDeviceId));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(validDeviceId(id), id).toBe(true);
    expect(validDeviceId("dev_AAAAAAAAAAAAAAAAAAAAAAAAAA")).toBe(false);
    expect(validDeviceId(ALICE_DEV)).toBe(true);
  });

  it("get non-extractable ECDH keys", async () => {
    const d = await generateDeviceKey();
    expect(d.privateKey.extractable).toBe(false);
    expect(d.privateKey.algorithm.name).toBe("ECDH");
    expect(unb64(d.publicKey)[0]).toBe(4);
  });

  // A signature made once by alice's fixed identity over her fixed device:
  // the Go server's verification can use the same vector.
  const FIXED_SIG = "3_QTg4rIbVai1r6A8wQNMV5y8ROUYei9YnMgGUZVwZIKh0fS5MXwpDewDZQn3vta2NUrIwWHOx-X3i-Do-gR_A";

  it("are signed by the identity and verified under its public key only", async () => {
    const alice = await deviceKey(ALICE_DEV_JWK);
    const idKey = await importIdentity(unb64(ALICE_ID_PKCS8));
    const sig = await signDevice(idKey, ALICE, ALICE_DEV, alice.publicKey);
    expect(unb64(sig)).toHaveLength(64);
    expect(await verifyDevice(ALICE_ID_PUB, ALICE, ALICE_DEV, alice.publicKey, sig)).toBe(true);
    expect(await verifyDevice(ALICE_ID_PUB, ALICE, ALICE_DEV, alice.publicKey, FIXED_SIG)).toBe(true);
  });

  it("fail verification for another user, device, key, identity or a broken signature", async () => {
    const alice = await deviceKey(ALICE_DEV_JWK);
    const bob = await deviceKey(BOB_DEV_JWK);
    expect(await verifyDevice(ALICE_ID_PUB, BOB, ALICE_DEV, alice.publicKey, FIXED_SIG)).toBe(false);
    expect(await verifyDevice(ALICE_ID_PUB, ALICE, BOB_DEV, alice.publicKey, FIXED_SIG)).toBe(false);
    expect(await verifyDevice(ALICE_ID_PUB, ALICE, ALICE_DEV, bob.publicKey, FIXED_SIG)).toBe(false);
    expect(await verifyDevice(BOB_ID_PUB, ALICE, ALICE_DEV, alice.publicKey, FIXED_SIG)).toBe(false);
    const broken = unb64(FIXED_SIG);
    broken[10] ^= 1;
    expect(await verifyDevice(ALICE_ID_PUB, ALICE, ALICE_DEV, alice.publicKey, b64(broken))).toBe(false);
    expect(await verifyDevice(ALICE_ID_PUB, ALICE, ALICE_DEV, alice.publicKey, "not*b64")).toBe(false);
    expect(await verifyDevice("AAAA", ALICE, ALICE_DEV, alice.publicKey, FIXED_SIG)).toBe(false);
  });
});

describe("room-key wraps", () => {
  // alice's device wrapped ROOM_KEY for bob's device, room_1 epoch 3.
  const FIXED_WRAP = "-apwIMUz_1WTgAmXSUhLtVZQal3cEHaMx7PpT-jjakDSRERgvYltafIDesvj-lQbH5emXSfM8m2jbGXm";

  it("open a fixed wrap with the recipient's key (and the sender's, by ECDH symmetry)", async () => {
    const alice = await deviceKey(ALICE_DEV_JWK);
    const bob = await deviceKey(BOB_DEV_JWK);
    expect(await unwrapRoomKey(bob.privateKey, alice.publicKey, "room_1", 3, ALICE_DEV, BOB_DEV, FIXED_WRAP)).toEqual(ROOM_KEY);
    expect(await unwrapRoomKey(alice.privateKey, bob.publicKey, "room_1", 3, ALICE_DEV, BOB_DEV, FIXED_WRAP)).toEqual(ROOM_KEY);
  });

  it("are ECDH + HKDF-SHA256(zero salt, info) + AES-GCM(aad = info), checked with node:crypto", async () => {
    const node = await nodeCrypto();
    const ecdh = node.createECDH("prime256v1");
    ecdh.setPrivateKey(unb64(BOB_DEV_JWK.d!));
    const alice = await deviceKey(ALICE_DEV_JWK);
    const shared = ecdh.computeSecret(unb64(alice.publicKey));
    const info = enc.encode(`bc-e2ee-v1 wrap\nroom_1\n3\n${ALICE_DEV}\n${BOB_DEV}`);
    expect(wrapInfo("room_1", 3, ALICE_DEV, BOB_DEV)).toEqual(info);
    const key = new Uint8Array(node.hkdfSync("sha256", shared, new Uint8Array(32), info, 32));
    const box = unb64(FIXED_WRAP);
    const d = node.createDecipheriv("aes-256-gcm", key, box.subarray(0, 12));
    d.setAAD(info);
    d.setAuthTag(box.subarray(box.length - 16));
    const plain = new Uint8Array([...d.update(box.subarray(12, box.length - 16)), ...d.final()]);
    expect(plain).toEqual(ROOM_KEY);
  });

  it("round-trip a fresh key and bind room, epoch and both devices", async () => {
    const alice = await deviceKey(ALICE_DEV_JWK);
    const bob = await deviceKey(BOB_DEV_JWK);
    const key = newRoomKey();
    const wrapped = await wrapRoomKey(alice.privateKey, bob.publicKey, "room_2", 7, ALICE_DEV, BOB_DEV, key);
    expect(await unwrapRoomKey(bob.privateKey, alice.publicKey, "room_2", 7, ALICE_DEV, BOB_DEV, wrapped)).toEqual(key);
    const other = await generateDeviceKey();
    const changed: [string, () => Promise<unknown>][] = [
      ["room", () => unwrapRoomKey(bob.privateKey, alice.publicKey, "room_3", 7, ALICE_DEV, BOB_DEV, wrapped)],
      ["epoch", () => unwrapRoomKey(bob.privateKey, alice.publicKey, "room_2", 8, ALICE_DEV, BOB_DEV, wrapped)],
      ["sender device", () => unwrapRoomKey(bob.privateKey, alice.publicKey, "room_2", 7, BOB_DEV, BOB_DEV, wrapped)],
      ["recipient device", () => unwrapRoomKey(bob.privateKey, alice.publicKey, "room_2", 7, ALICE_DEV, ALICE_DEV, wrapped)],
      ["sender key", () => unwrapRoomKey(bob.privateKey, other.publicKey, "room_2", 7, ALICE_DEV, BOB_DEV, wrapped)],
      ["recipient key", () => unwrapRoomKey(other.privateKey, alice.publicKey, "room_2", 7, ALICE_DEV, BOB_DEV, wrapped)],
    ];
    for (const [what, run] of changed) await expect(run(), what).rejects.toMatchObject({ reason: "tampered" });
  });

  it("refuse bad epochs, labels with newlines and short keys", async () => {
    const alice = await deviceKey(ALICE_DEV_JWK);
    const bob = await deviceKey(BOB_DEV_JWK);
    await expect(wrapRoomKey(alice.privateKey, bob.publicKey, "room_2", 0, ALICE_DEV, BOB_DEV, ROOM_KEY)).rejects.toMatchObject({ reason: "malformed" });
    await expect(wrapRoomKey(alice.privateKey, bob.publicKey, "room\n2", 1, ALICE_DEV, BOB_DEV, ROOM_KEY)).rejects.toMatchObject({ reason: "malformed" });
    await expect(wrapRoomKey(alice.privateKey, bob.publicKey, "room_2", 1, ALICE_DEV, BOB_DEV, new Uint8Array(16))).rejects.toMatchObject({ reason: "malformed" });
    await expect(wrapRoomKey(alice.privateKey, "AAAA", "room_2", 1, ALICE_DEV, BOB_DEV, ROOM_KEY)).rejects.toMatchObject({ reason: "malformed" });
  });
});

describe("messages", () => {
  const AAD: MessageAad = { roomId: "room_1", epoch: 3, senderUserId: ALICE, senderDevice: ALICE_DEV, clientId: "c1" };
  // {"text":"hello, bob"} from alice under ROOM_KEY.
  const FIXED: EncryptedContent = { v: 1, epoch: 3, device: ALICE_DEV, iv: "bVG8bHI3taZhzc8o", ct: "_lPUZ3A0GE79BWlXQQ-LQHCbYS1oI0nMEC5eltalO4gieYjeow" };
  const receiver = { roomId: "room_1", senderUserId: ALICE, clientId: "c1" };

  it("decrypt a fixed message from what the receiver stores", async () => {
    expect(await decryptMessage(ROOM_KEY, receiver, FIXED)).toEqual({ text: "hello, bob" });
    expect(await decryptMessage(ROOM_KEY, AAD, FIXED)).toEqual({ text: "hello, bob" });
  });

  it("use the contract's aad, checked with node:crypto", async () => {
    const aad = enc.encode(`bc-e2ee-v1 msg\nroom_1\n3\n${ALICE}\n${ALICE_DEV}\nc1`);
    expect(messageAad(AAD)).toEqual(aad);
    const node = await nodeCrypto();
    const ct = unb64(FIXED.ct);
    const d = node.createDecipheriv("aes-256-gcm", ROOM_KEY, unb64(FIXED.iv));
    d.setAAD(aad);
    d.setAuthTag(ct.subarray(ct.length - 16));
    const plain = new Uint8Array([...d.update(ct.subarray(0, ct.length - 16)), ...d.final()]);
    expect(new TextDecoder().decode(plain)).toBe('{"text":"hello, bob"}');
  });

  it("round-trip text and file keys under a fresh IV", async () => {
    const key = newRoomKey();
    const content = { text: "see attached", files: [{ key: "u/1/encrypted.bin", k: b64(newRoomKey()), iv: "AAAAAAAAAAAAAAAA", name: "a.pdf", type: "application/pdf", size: 3, sha256: "x" }] };
    const e1 = await encryptMessage(key, AAD, content);
    const e2 = await encryptMessage(key, AAD, content);
    expect(e1).toMatchObject({ v: 1, epoch: 3, device: ALICE_DEV });
    expect(e1.iv).not.toBe(e2.iv);
    expect(await decryptMessage(key, receiver, e1)).toEqual(content);
  });

  it("throw as tampered when sender, clientId, epoch, room, device, key or ciphertext change", async () => {
    const cases: [string, () => Promise<unknown>][] = [
      ["senderUserId", () => decryptMessage(ROOM_KEY, { ...receiver, senderUserId: BOB }, FIXED)],
      ["clientId", () => decryptMessage(ROOM_KEY, { ...receiver, clientId: "c2" }, FIXED)],
      ["roomId", () => decryptMessage(ROOM_KEY, { ...receiver, roomId: "room_2" }, FIXED)],
      ["epoch in aad", () => decryptMessage(ROOM_KEY, { ...receiver, epoch: 4 }, FIXED)],
      ["epoch in envelope", () => decryptMessage(ROOM_KEY, receiver, { ...FIXED, epoch: 4 })],
      ["device", () => decryptMessage(ROOM_KEY, receiver, { ...FIXED, device: BOB_DEV })],
      ["device in aad", () => decryptMessage(ROOM_KEY, { ...receiver, senderDevice: BOB_DEV }, FIXED)],
      ["key", () => decryptMessage(newRoomKey(), receiver, FIXED)],
      ["ciphertext", () => decryptMessage(ROOM_KEY, receiver, { ...FIXED, ct: "A" + FIXED.ct.slice(1) })],
    ];
    for (const [what, run] of cases) await expect(run(), what).rejects.toMatchObject({ reason: "tampered" });
  });

  it("throw as malformed for another version or a plaintext that is not a content object", async () => {
    await expect(decryptMessage(ROOM_KEY, receiver, { ...FIXED, v: 2 })).rejects.toMatchObject({ reason: "malformed" });
    const key = newRoomKey();
    // Encrypt a JSON array by hand under the right aad.
    const { aesGcmEncrypt } = await import("../../src/features/e2ee/primitives");
    const iv = new Uint8Array(12);
    const ct = await aesGcmEncrypt(key, iv, enc.encode("[1]"), messageAad(AAD));
    await expect(decryptMessage(key, receiver, { v: 1, epoch: 3, device: ALICE_DEV, iv: b64(iv), ct: b64(ct) })).rejects.toMatchObject({ reason: "malformed" });
    await expect(encryptMessage(key, AAD, { text: 1 } as never)).rejects.toBeInstanceOf(CryptoFailure);
  });
});

describe("files", () => {
  it("round-trip with a fresh key and IV and the plaintext's SHA-256", async () => {
    const data = enc.encode("the quarterly numbers");
    const f = await encryptFile(data);
    expect(f.ct.length).toBe(data.length + 16);
    expect(unb64(f.key)).toHaveLength(32);
    expect(unb64(f.iv)).toHaveLength(12);
    expect(f.sha256).toBe(b64(new Uint8Array(await crypto.subtle.digest("SHA-256", data))));
    expect(await decryptFile(f.ct, f.key, f.iv, f.sha256)).toEqual(data);
    expect((await encryptFile(data)).key).not.toBe(f.key);
  });

  it("recognise a FileKey from a decrypted message", () => {
    const ok = { key: "u/1/encrypted.bin", k: "a", iv: "b", name: "a.pdf", type: "application/pdf", size: 3, sha256: "c" };
    expect(isFileKey(ok)).toBe(true);
    expect(isFileKey({ ...ok, size: -1 })).toBe(false);
    expect(isFileKey({ ...ok, size: "3" })).toBe(false);
    expect(isFileKey({ ...ok, k: undefined })).toBe(false);
    expect(isFileKey(null)).toBe(false);
  });

  it("fail on a checksum mismatch and on a changed object", async () => {
    const f = await encryptFile(enc.encode("abc"));
    const other = await encryptFile(enc.encode("abd"));
    await expect(decryptFile(f.ct, f.key, f.iv, other.sha256)).rejects.toMatchObject({ reason: "checksum" });
    const ct = f.ct.slice();
    ct[0] ^= 1;
    await expect(decryptFile(ct, f.key, f.iv, f.sha256)).rejects.toMatchObject({ reason: "tampered" });
    await expect(decryptFile(f.ct, other.key, f.iv, f.sha256)).rejects.toMatchObject({ reason: "tampered" });
  });
});
