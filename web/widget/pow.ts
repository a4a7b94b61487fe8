// The proof of work the session route asks for: a nonce such that
// sha256(challenge + nonce) (UTF-8, the nonce in decimal) starts with
// `difficulty` zero bits. Hashing runs in slices of a few milliseconds
// with the event loop in between, so the page stays responsive.
//
// The hash is the small synchronous SHA-256 of sha256.ts, not WebCrypto:
// a crypto.subtle.digest call per try costs a promise each, measured about
// 2-3x slower in Chromium (34-51k vs 114k+ hashes/s on the dev machine),
// and crypto.subtle is missing on plain-http pages (not a secure context).
// The tests check it against WebCrypto.
import { sha256, zeroBits } from "./sha256";

export function leadingZeroBits(digest: Uint8Array): number {
  let bits = 0;
  for (const b of digest) {
    if (b === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(b) - 24;
  }
  return bits;
}

export interface SolveOptions {
  // sliceMs: how long one slice may hash before yielding (default 12).
  sliceMs?: number;
  // maxTries: give up (throw) after this many hashes; default 2^(difficulty+6).
  maxTries?: number;
  signal?: AbortSignal;
}

const yieldToPage = () => new Promise<void>((r) => setTimeout(r, 0));

// solve returns the first nonce (decimal string) that meets difficulty.
export async function solve(challenge: string, difficulty: number, opts: SolveOptions = {}): Promise<string> {
  const sliceMs = opts.sliceMs ?? 12;
  const max = opts.maxTries ?? 2 ** Math.min(difficulty + 6, 40);
  const prefix = new TextEncoder().encode(challenge);
  const msg = new Uint8Array(prefix.length + 16);
  msg.set(prefix);
  const out = new Uint32Array(8);
  let n = 0;
  while (n < max) {
    if (opts.signal?.aborted) throw new Error("aborted");
    const until = performance.now() + sliceMs;
    for (const stop = Math.min(n + 1_000_000, max); n < stop; n++) {
      // the nonce's decimal digits after the prefix
      const digits = String(n);
      let len = prefix.length;
      for (let i = 0; i < digits.length; i++) msg[len++] = digits.charCodeAt(i);
      if (zeroBits(sha256(msg, len, out)) >= difficulty) return String(n);
      if ((n & 1023) === 1023 && performance.now() >= until) {
        n++;
        break;
      }
    }
    await yieldToPage();
  }
  throw new Error(`no nonce within ${max} tries`);
}
