// The building blocks of bc-e2ee-v1 over WebCrypto: HKDF-SHA256, AES-256-GCM
// (random 12-byte IV, 128-bit tag, the tag inside the ciphertext), sealed
// boxes b64(iv || ct), SHA-256 and P-256 ECDH. Everything above them
// (crypto.ts, backup.ts, sas.ts) is built from these.
import { b64, concat, randomBytes, unb64, unb64Len } from "./encoding";
import { CryptoFailure, type Bytes } from "./types";

const subtle = () => crypto.subtle;

export const IV_BYTES = 12;
export const KEY_BYTES = 32;
const ZERO_SALT = new Uint8Array(32);

// hkdf is HKDF-SHA256 (RFC 5869) with `length` bytes of output.
export async function hkdf(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Promise<Bytes> {
  const key = await subtle().importKey("raw", new Uint8Array(ikm), "HKDF", false, ["deriveBits"]);
  const bits = await subtle().deriveBits({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(salt), info: new Uint8Array(info) }, key, length * 8);
  return new Uint8Array(bits);
}

// hkdfZeroSalt is hkdf with the 32 zero bytes the design uses as salt.
export function hkdfZeroSalt(ikm: Uint8Array, info: Uint8Array, length: number): Promise<Bytes> {
  return hkdf(ikm, ZERO_SALT, info, length);
}

// aesKey imports 32 raw bytes as a non-extractable AES-GCM key (a CryptoKey
// passes through).
export async function aesKey(key: Uint8Array | CryptoKey): Promise<CryptoKey> {
  if (!(key instanceof Uint8Array)) return key;
  if (key.length !== KEY_BYTES) throw new CryptoFailure("malformed", `AES key: want ${KEY_BYTES} bytes, got ${key.length}`);
  return subtle().importKey("raw", new Uint8Array(key), "AES-GCM", false, ["encrypt", "decrypt"]);
}

// aesGcmEncrypt returns ciphertext || tag.
export async function aesGcmEncrypt(key: Uint8Array | CryptoKey, iv: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Promise<Bytes> {
  const params: AesGcmParams = { name: "AES-GCM", iv: new Uint8Array(iv), tagLength: 128 };
  if (aad) params.additionalData = new Uint8Array(aad);
  return new Uint8Array(await subtle().encrypt(params, await aesKey(key), new Uint8Array(plaintext)));
}

// aesGcmDecrypt opens ciphertext || tag; a failed tag is CryptoFailure
// "tampered".
export async function aesGcmDecrypt(key: Uint8Array | CryptoKey, iv: Uint8Array, ct: Uint8Array, aad?: Uint8Array): Promise<Bytes> {
  const params: AesGcmParams = { name: "AES-GCM", iv: new Uint8Array(iv), tagLength: 128 };
  if (aad) params.additionalData = new Uint8Array(aad);
  const k = await aesKey(key);
  try {
    return new Uint8Array(await subtle().decrypt(params, k, new Uint8Array(ct)));
  } catch {
    throw new CryptoFailure("tampered", "decryption failed");
  }
}

// seal encrypts under a fresh IV and returns b64(iv || ct).
export async function seal(key: Uint8Array | CryptoKey, plaintext: Uint8Array, aad?: Uint8Array): Promise<string> {
  const iv = randomBytes(IV_BYTES);
  return b64(concat(iv, await aesGcmEncrypt(key, iv, plaintext, aad)));
}

// open reverses seal.
export async function open(key: Uint8Array | CryptoKey, sealed: string, aad?: Uint8Array): Promise<Bytes> {
  const box = unb64(sealed);
  if (box.length < IV_BYTES + 16) throw new CryptoFailure("malformed", "sealed box too short");
  return aesGcmDecrypt(key, box.subarray(0, IV_BYTES), box.subarray(IV_BYTES), aad);
}

export async function sha256(data: Uint8Array): Promise<Bytes> {
  return new Uint8Array(await subtle().digest("SHA-256", new Uint8Array(data)));
}

// P256_POINT_BYTES is the length of a raw uncompressed P-256 point.
export const P256_POINT_BYTES = 65;

// importPublic reads a b64 raw uncompressed P-256 point as an ECDH or ECDSA
// public key; a point off the curve is CryptoFailure "malformed".
export async function importPublic(publicKey: string, alg: "ECDH" | "ECDSA"): Promise<CryptoKey> {
  const raw = unb64Len(publicKey, P256_POINT_BYTES, "public key");
  if (raw[0] !== 4) throw new CryptoFailure("malformed", "public key: not an uncompressed point");
  try {
    return await subtle().importKey("raw", raw, { name: alg, namedCurve: "P-256" }, true, alg === "ECDSA" ? ["verify"] : []);
  } catch {
    throw new CryptoFailure("malformed", "public key: not a P-256 point");
  }
}

// exportPublic writes a public CryptoKey as b64 raw uncompressed point.
export async function exportPublic(key: CryptoKey): Promise<string> {
  return b64(new Uint8Array(await subtle().exportKey("raw", key)));
}

// ecdh is the 32-byte P-256 shared secret of our private and their public key.
export async function ecdh(privateKey: CryptoKey, theirPublic: string): Promise<Bytes> {
  const pub = await importPublic(theirPublic, "ECDH");
  return new Uint8Array(await subtle().deriveBits({ name: "ECDH", public: pub }, privateKey, 256));
}

// generateEcdh makes a P-256 ECDH key pair whose private half cannot be
// exported; publicKey is b64 raw.
export async function generateEcdh(): Promise<{ privateKey: CryptoKey; publicKey: string }> {
  const pair = await subtle().generateKey({ name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]);
  return { privateKey: pair.privateKey, publicKey: await exportPublic(pair.publicKey) };
}
