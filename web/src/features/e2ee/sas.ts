// Short authentication strings for verifying a new device from an existing
// one (bc-e2ee-v1, Matrix-style with a commitment). A is the device that
// sent verify.request (and sends its ephemeral key first), B the one that
// accepted (and committed to its ephemeral key in verify.accept).
import { b64, concat, lines, randomBytes, unb64, utf8 } from "./encoding";
import { KEY_BYTES, ecdh, generateEcdh, hkdfZeroSalt, open, seal, sha256 } from "./primitives";
import type { Bytes } from "./types";

export interface SasContext {
  txn: string;
  devA: string; // requester's device id
  devB: string; // acceptor's device id
  ephPubA: string; // b64 raw ephemeral public keys
  ephPubB: string;
}

// newSasTxn is a fresh transaction id (16 random bytes, b64).
export function newSasTxn(): string {
  return b64(randomBytes(16));
}

// generateSasKey makes the ephemeral ECDH key pair of one verification.
export function generateSasKey(): Promise<{ privateKey: CryptoKey; publicKey: string }> {
  return generateEcdh();
}

// sasCommitment is B's commitment to its ephemeral key:
// b64 SHA-256(raw ephPubB || UTF-8 txn).
export async function sasCommitment(ephPubB: string, txn: string): Promise<string> {
  return b64(await sha256(concat(unb64(ephPubB), utf8(txn))));
}

// checkSasCommitment is A's check, once B has revealed its key.
export async function checkSasCommitment(commitment: string, ephPubB: string, txn: string): Promise<boolean> {
  try {
    return equalText(await sasCommitment(ephPubB, txn), commitment);
  } catch {
    return false;
  }
}

// sasShared is the ephemeral ECDH secret (our private, their public).
export function sasShared(ephPriv: CryptoKey, theirEphPub: string): Promise<Bytes> {
  return ecdh(ephPriv, theirEphPub);
}

function info(purpose: "sas" | "mac" | "secret", ctx: SasContext): Bytes {
  return utf8(`bc-e2ee-v1 ${purpose}\n` + lines(ctx.txn, ctx.devA, ctx.devB, ctx.ephPubA, ctx.ephPubB));
}

// sasBytes are the 5 bytes both screens show (as sasNumbers).
export function sasBytes(shared: Uint8Array, ctx: SasContext): Promise<Bytes> {
  return hkdfZeroSalt(shared, info("sas", ctx), 5);
}

// sasNumbers reads 39 bits of the SAS bytes as three 13-bit numbers + 1000
// (Matrix's decimal SAS): each in 1000..9191.
export function sasNumbers(bytes: Uint8Array): [number, number, number] {
  if (bytes.length < 5) throw new Error("sasNumbers: need 5 bytes");
  const [b0, b1, b2, b3, b4] = bytes;
  return [((b0 << 5) | (b1 >> 3)) + 1000, (((b1 & 0x7) << 10) | (b2 << 2) | (b3 >> 6)) + 1000, (((b3 & 0x3f) << 7) | (b4 >> 1)) + 1000];
}

async function macKey(shared: Uint8Array, ctx: SasContext): Promise<CryptoKey> {
  const raw = await hkdfZeroSalt(shared, info("mac", ctx), KEY_BYTES);
  return crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

function macInput(deviceId: string, publicKey: string): Bytes {
  return utf8("bc-e2ee-v1 sas-mac\n" + lines(deviceId, publicKey));
}

// sasMac is a device's MAC over its own id and device publicKey (b64),
// sent in verify.mac after both people pressed "They match".
export async function sasMac(shared: Uint8Array, ctx: SasContext, deviceId: string, publicKey: string): Promise<string> {
  return b64(new Uint8Array(await crypto.subtle.sign("HMAC", await macKey(shared, ctx), macInput(deviceId, publicKey))));
}

// verifySasMac checks the other device's MAC (in constant time) against the
// deviceId and publicKey the server lists for it.
export async function verifySasMac(shared: Uint8Array, ctx: SasContext, deviceId: string, publicKey: string, mac: string): Promise<boolean> {
  try {
    return await crypto.subtle.verify("HMAC", await macKey(shared, ctx), unb64(mac), macInput(deviceId, publicKey));
  } catch {
    return false;
  }
}

const SECRET_AAD = utf8("bc-e2ee-v1 secret");

// sealSasSecret is verify.done's payload: the backup key, sealed under a key
// only the two verified devices can derive.
export async function sealSasSecret(shared: Uint8Array, ctx: SasContext, secret: Uint8Array): Promise<string> {
  return seal(await hkdfZeroSalt(shared, info("secret", ctx), KEY_BYTES), secret, SECRET_AAD);
}

export async function openSasSecret(shared: Uint8Array, ctx: SasContext, payload: string): Promise<Bytes> {
  return open(await hkdfZeroSalt(shared, info("secret", ctx), KEY_BYTES), payload, SECRET_AAD);
}

function equalText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
