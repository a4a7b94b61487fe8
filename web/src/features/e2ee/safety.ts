// Safety numbers (Signal's numeric fingerprint design, bc-e2ee-v1 flavour):
// two people whose screens show the same 60 digits hold each other's real
// identity keys.
import { concat, unb64, utf8 } from "./encoding";
import { P256_POINT_BYTES } from "./primitives";
import { CryptoFailure, type Bytes } from "./types";

export const FINGERPRINT_ITERATIONS = 5200;
const VERSION = new Uint8Array([0, 0]);

async function sha512(data: Uint8Array): Promise<Bytes> {
  return new Uint8Array(await crypto.subtle.digest("SHA-512", new Uint8Array(data)));
}

// fingerprint is a person's 30 digits: h0 = SHA-512(0x0000 || key || userId),
// h(i+1) = SHA-512(h(i) || key), 5200 hashes in all (h0..h5199); the first
// 30 bytes of the last, as six 5-byte big-endian numbers mod 100000.
export async function fingerprint(identityKey: string, userId: string): Promise<string> {
  const key = unb64(identityKey);
  if (key.length !== P256_POINT_BYTES) throw new CryptoFailure("malformed", "identity key must be a 65-byte point");
  let h = await sha512(concat(VERSION, key, utf8(userId)));
  for (let i = 1; i < FINGERPRINT_ITERATIONS; i++) h = await sha512(concat(h, key));
  let out = "";
  for (let c = 0; c < 30; c += 5) {
    let n = 0;
    for (let j = 0; j < 5; j++) n = n * 256 + h[c + j];
    out += String(n % 100000).padStart(5, "0");
  }
  return out;
}

export interface SafetyParty {
  userId: string;
  identityKey: string; // b64 raw point
}

// combineFingerprints sorts the two 30-digit strings, concatenates them and
// shows them as 12 groups of 5 digits separated by spaces.
export function combineFingerprints(a: string, b: string): string {
  return ([a, b].sort().join("").match(/.{5}/g) ?? []).join(" ");
}

// safetyNumber of two people, the same on both screens.
export async function safetyNumber(a: SafetyParty, b: SafetyParty): Promise<string> {
  const [fa, fb] = await Promise.all([fingerprint(a.identityKey, a.userId), fingerprint(b.identityKey, b.userId)]);
  return combineFingerprints(fa, fb);
}
