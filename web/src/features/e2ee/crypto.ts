// The primitives of bc-e2ee-v1 (docs/E2EE.md) the encryption engine uses:
// identity and device keys, device signatures, room-key wraps, message and
// file encryption. Pure: no protocol, no storage. The key backup lives in
// backup.ts and is re-exported here, so this module is the one to import.
import { b64, checkEpoch, concat, lines, randomBytes, unb64, unb64Len, utf8 } from "./encoding";
import { IV_BYTES, KEY_BYTES, aesGcmDecrypt, aesGcmEncrypt, ecdh, exportPublic, generateEcdh, hkdfZeroSalt, importPublic, seal, open, sha256 } from "./primitives";
import { CryptoFailure, type Bytes, type EncryptedContent, type FileKey, type MessageAad, type MessageContent } from "./types";

export { b64, unb64, lines } from "./encoding";
export * from "./types";
export {
  deriveBackupSecrets,
  backupScrypt,
  newBackupKdf,
  newBackupKey,
  checkBackupKdf,
  normalizePassphrase,
  MIN_PASSPHRASE_LENGTH,
  wrapBackupKey,
  unwrapBackupKey,
  sealIdentity,
  openIdentity,
  sealBackupRoomKey,
  openBackupRoomKey,
} from "./backup";

const subtle = () => crypto.subtle;
const ECDSA = { name: "ECDSA", namedCurve: "P-256" } as const;
const SIGN = { name: "ECDSA", hash: "SHA-256" } as const;

// ---- identity (ECDSA P-256 / SHA-256) ----

export interface Identity {
  privateKey: CryptoKey; // non-extractable
  publicKey: string; // b64 raw point: the person's identityKey
  pkcs8: Bytes; // the only copy of the private key that leaves WebCrypto: for the backup
}

// generateIdentity makes a person's identity key. The private key is
// extractable only here, long enough to export its PKCS#8 for the backup;
// the CryptoKey handed back is a non-extractable re-import.
export async function generateIdentity(): Promise<Identity> {
  const pair = await subtle().generateKey(ECDSA, true, ["sign", "verify"]);
  const pkcs8 = new Uint8Array(await subtle().exportKey("pkcs8", pair.privateKey));
  return { privateKey: await importIdentity(pkcs8), publicKey: await exportPublic(pair.publicKey), pkcs8 };
}

// importIdentity reads an identity PKCS#8 as a non-extractable signing key.
export async function importIdentity(pkcs8: Uint8Array): Promise<CryptoKey> {
  try {
    return await subtle().importKey("pkcs8", new Uint8Array(pkcs8), ECDSA, false, ["sign"]);
  } catch {
    throw new CryptoFailure("malformed", "identity: not a P-256 PKCS#8 key");
  }
}

// identityPublicKey derives the b64 raw public point of an identity PKCS#8
// (to compare a recovered identity with the server's identityKey).
export async function identityPublicKey(pkcs8: Uint8Array): Promise<string> {
  let jwk: JsonWebKey;
  try {
    const key = await subtle().importKey("pkcs8", new Uint8Array(pkcs8), ECDSA, true, ["sign"]);
    jwk = await subtle().exportKey("jwk", key);
  } catch {
    throw new CryptoFailure("malformed", "identity: not a P-256 PKCS#8 key");
  }
  if (!jwk.x || !jwk.y) throw new CryptoFailure("malformed", "identity: no public point");
  return b64(concat(new Uint8Array([4]), unb64Len(jwk.x, 32, "x"), unb64Len(jwk.y, 32, "y")));
}

// ---- devices (ECDH P-256) ----

const DEVICE_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

// newDeviceId is "dev_" + 26 random characters of [a-z2-7].
export function newDeviceId(): string {
  return "dev_" + Array.from(randomBytes(26), (b) => DEVICE_ALPHABET[b & 31]).join("");
}

export function validDeviceId(id: string): boolean {
  return /^dev_[a-z2-7]{26}$/.test(id);
}

// generateDeviceKey makes this browser's device key; the private half is
// never extractable.
export function generateDeviceKey(): Promise<{ privateKey: CryptoKey; publicKey: string }> {
  return generateEcdh();
}

// deviceStatement is what an identity signs to vouch for a device.
export function deviceStatement(userId: string, deviceId: string, publicKey: string): Bytes {
  return utf8("bc-e2ee-v1 device\n" + lines(userId, deviceId, publicKey));
}

// signDevice returns the b64 IEEE-P1363 (r||s, 64 bytes) signature of the
// device statement.
export async function signDevice(identityPriv: CryptoKey, userId: string, deviceId: string, publicKey: string): Promise<string> {
  return b64(new Uint8Array(await subtle().sign(SIGN, identityPriv, deviceStatement(userId, deviceId, publicKey))));
}

// verifyDevice says whether `signature` is the identity's signature of the
// device; malformed input is simply false.
export async function verifyDevice(identityKey: string, userId: string, deviceId: string, publicKey: string, signature: string): Promise<boolean> {
  try {
    const key = await importPublic(identityKey, "ECDSA");
    const sig = unb64Len(signature, 64, "signature");
    return await subtle().verify(SIGN, key, sig, deviceStatement(userId, deviceId, publicKey));
  } catch {
    return false;
  }
}

// ---- room keys ----

export function newRoomKey(): Bytes {
  return randomBytes(KEY_BYTES);
}

// wrapInfo is the HKDF info and the AES-GCM aad of a wrap.
export function wrapInfo(roomId: string, epoch: number, fromDev: string, toDev: string): Bytes {
  checkEpoch(epoch);
  return utf8("bc-e2ee-v1 wrap\n" + lines(roomId, epoch, fromDev, toDev));
}

async function wrapKey(devPriv: CryptoKey, otherPub: string, info: Uint8Array): Promise<Bytes> {
  return hkdfZeroSalt(await ecdh(devPriv, otherPub), info, KEY_BYTES);
}

// wrapRoomKey encrypts a room key for one recipient device:
// b64(iv || AES-GCM(HKDF(ECDH(ours, theirs), info), roomKey, aad=info)).
export async function wrapRoomKey(devPriv: CryptoKey, recipientPub: string, roomId: string, epoch: number, fromDev: string, toDev: string, roomKey: Uint8Array): Promise<string> {
  if (roomKey.length !== KEY_BYTES) throw new CryptoFailure("malformed", "room key must be 32 bytes");
  const info = wrapInfo(roomId, epoch, fromDev, toDev);
  return seal(await wrapKey(devPriv, recipientPub, info), roomKey, info);
}

// unwrapRoomKey opens a wrap made for our device by the device `fromDev`
// whose public key is senderPub.
export async function unwrapRoomKey(devPriv: CryptoKey, senderPub: string, roomId: string, epoch: number, fromDev: string, toDev: string, wrapped: string): Promise<Bytes> {
  const info = wrapInfo(roomId, epoch, fromDev, toDev);
  const key = await open(await wrapKey(devPriv, senderPub, info), wrapped, info);
  if (key.length !== KEY_BYTES) throw new CryptoFailure("malformed", "room key must be 32 bytes");
  return key;
}

// ---- messages ----

// messageAad binds a message's ciphertext to its room, epoch, sender and
// clientId.
export function messageAad(a: MessageAad): Bytes {
  checkEpoch(a.epoch);
  return utf8("bc-e2ee-v1 msg\n" + lines(a.roomId, a.epoch, a.senderUserId, a.senderDevice, a.clientId));
}

// encryptMessage encrypts the content (JSON) under the room key of
// aad.epoch.
export async function encryptMessage(roomKey: Uint8Array | CryptoKey, aad: MessageAad, content: MessageContent): Promise<EncryptedContent> {
  if (typeof content?.text !== "string") throw new CryptoFailure("malformed", "content needs a text");
  const iv = randomBytes(IV_BYTES);
  const ct = await aesGcmEncrypt(roomKey, iv, utf8(JSON.stringify(content)), messageAad(aad));
  return { v: 1, epoch: aad.epoch, device: aad.senderDevice, iv: b64(iv), ct: b64(ct) };
}

// DecryptAad is what the receiver knows from the stored message; epoch and
// senderDevice default to (and, when given, must equal) the envelope's.
export type DecryptAad = Omit<MessageAad, "epoch" | "senderDevice"> & Partial<Pick<MessageAad, "epoch" | "senderDevice">>;

// decryptMessage opens an EncryptedContent. A changed ciphertext, a wrong
// key or a different room/epoch/sender/device/clientId throws CryptoFailure
// "tampered"; an unreadable envelope or plaintext "malformed".
export async function decryptMessage(roomKey: Uint8Array | CryptoKey, aad: DecryptAad, enc: EncryptedContent): Promise<MessageContent> {
  if (!enc || enc.v !== 1 || typeof enc.device !== "string" || typeof enc.iv !== "string" || typeof enc.ct !== "string") throw new CryptoFailure("malformed", "not a v1 encrypted message");
  if (aad.epoch !== undefined && aad.epoch !== enc.epoch) throw new CryptoFailure("tampered", "epoch does not match");
  if (aad.senderDevice !== undefined && aad.senderDevice !== enc.device) throw new CryptoFailure("tampered", "device does not match");
  const full: MessageAad = { ...aad, epoch: enc.epoch, senderDevice: enc.device };
  const plain = await aesGcmDecrypt(roomKey, unb64Len(enc.iv, IV_BYTES, "iv"), unb64(enc.ct), messageAad(full));
  let content: unknown;
  try {
    content = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(plain));
  } catch {
    throw new CryptoFailure("malformed", "plaintext is not JSON");
  }
  if (!content || typeof content !== "object" || Array.isArray(content) || typeof (content as MessageContent).text !== "string") throw new CryptoFailure("malformed", "plaintext has no text");
  const files = (content as MessageContent).files;
  if (files !== undefined && !Array.isArray(files)) throw new CryptoFailure("malformed", "plaintext files is not a list");
  return content as MessageContent;
}

// ---- files ----

// isFileKey says whether a decrypted `files` entry has the FileKey shape
// (check before using one: the sender's client, not ours, wrote it).
export function isFileKey(x: unknown): x is FileKey {
  if (!x || typeof x !== "object") return false;
  const f = x as Record<string, unknown>;
  return ["key", "k", "iv", "name", "type", "sha256"].every((k) => typeof f[k] === "string") && Number.isSafeInteger(f.size) && (f.size as number) >= 0;
}

export interface EncryptedFile {
  ct: Bytes; // what is uploaded (as encrypted.bin, application/octet-stream)
  key: string; // b64 file key
  iv: string; // b64
  sha256: string; // b64 SHA-256 of the plaintext
}

// encryptFile encrypts one attachment under a fresh key and IV (no aad).
export async function encryptFile(data: Uint8Array): Promise<EncryptedFile> {
  const key = randomBytes(KEY_BYTES);
  const iv = randomBytes(IV_BYTES);
  const [ct, digest] = await Promise.all([aesGcmEncrypt(key, iv, data), sha256(data)]);
  return { ct, key: b64(key), iv: b64(iv), sha256: b64(digest) };
}

// decryptFile opens a downloaded attachment and checks its SHA-256;
// a mismatch throws CryptoFailure "checksum".
export async function decryptFile(ct: Uint8Array, key: string, iv: string, sha256Want: string): Promise<Bytes> {
  const plain = await aesGcmDecrypt(unb64Len(key, KEY_BYTES, "file key"), unb64Len(iv, IV_BYTES, "iv"), ct);
  const got = await sha256(plain);
  const want = unb64(sha256Want);
  if (want.length !== got.length || !got.every((b, i) => b === want[i])) throw new CryptoFailure("checksum", "file checksum does not match");
  return plain;
}
