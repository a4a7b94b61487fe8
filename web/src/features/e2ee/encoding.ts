// Byte helpers for bc-e2ee-v1: base64url without padding (every byte string
// on the wire), UTF-8, concatenation, randomness.
import { CryptoFailure, type Bytes } from "./types";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const REVERSE = new Map([...ALPHABET].map((c, i) => [c, i]));

// b64 encodes bytes as base64url without padding.
export function b64(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const left = bytes.length - i;
    out += ALPHABET[(n >> 18) & 63] + ALPHABET[(n >> 12) & 63];
    if (left > 1) out += ALPHABET[(n >> 6) & 63];
    if (left > 2) out += ALPHABET[n & 63];
  }
  return out;
}

// unb64 decodes base64url without padding; anything else (padding, the
// standard alphabet's +/, a dangling character, non-zero spare bits)
// throws a CryptoFailure "malformed", so each byte string has one spelling.
export function unb64(text: string): Bytes {
  if (typeof text !== "string" || text.length % 4 === 1) throw new CryptoFailure("malformed", "not base64url");
  const out = new Uint8Array((text.length * 3) >> 2);
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (const c of text) {
    const v = REVERSE.get(c);
    if (v === undefined) throw new CryptoFailure("malformed", "not base64url");
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
    acc &= (1 << bits) - 1;
  }
  if (acc !== 0) throw new CryptoFailure("malformed", "not canonical base64url");
  return out;
}

// unb64Len decodes and checks the length.
export function unb64Len(text: string, length: number, what: string): Bytes {
  const out = unb64(text);
  if (out.length !== length) throw new CryptoFailure("malformed", `${what}: want ${length} bytes, got ${out.length}`);
  return out;
}

export function utf8(text: string): Bytes {
  return new TextEncoder().encode(text) as Bytes;
}

export function concat(...parts: Uint8Array[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function randomBytes(n: number): Bytes {
  return crypto.getRandomValues(new Uint8Array(n));
}

// bytes copies any byte view into a Bytes (over its own ArrayBuffer).
export function bytes(view: Uint8Array): Bytes {
  return new Uint8Array(view);
}

// lines joins the parts of a label with "\n"; a part holding "\n" could be
// read two ways, so it is refused.
export function lines(...parts: (string | number)[]): string {
  for (const p of parts) if (String(p).includes("\n")) throw new CryptoFailure("malformed", "label part contains a newline");
  return parts.join("\n");
}

export function checkEpoch(epoch: number): void {
  if (!Number.isSafeInteger(epoch) || epoch < 1) throw new CryptoFailure("malformed", `bad epoch ${epoch}`);
}
