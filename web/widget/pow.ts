// The proof of work the session route asks for: a nonce such that
// sha256(challenge + nonce) (UTF-8, the nonce in decimal) starts with
// `difficulty` zero bits. WebCrypto hashes in batches; between batches the
// event loop runs (digest resolves as a task), so the page stays
// responsive while the widget works.

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
  batch?: number;
  // maxTries: give up (throw) after this many hashes; default 2^(difficulty+6).
  maxTries?: number;
  subtle?: SubtleCrypto;
  signal?: AbortSignal;
}

const yieldToPage = () => new Promise<void>((r) => setTimeout(r, 0));

// solve returns the first nonce (decimal string) that meets difficulty.
export async function solve(challenge: string, difficulty: number, opts: SolveOptions = {}): Promise<string> {
  const subtle = opts.subtle ?? globalThis.crypto.subtle;
  const batch = opts.batch ?? 512;
  const max = opts.maxTries ?? 2 ** Math.min(difficulty + 6, 40);
  const enc = new TextEncoder();
  for (let start = 0; start < max; start += batch) {
    if (opts.signal?.aborted) throw new Error("aborted");
    const tries: Promise<ArrayBuffer>[] = [];
    for (let n = start; n < start + batch; n++) tries.push(subtle.digest("SHA-256", enc.encode(challenge + n)));
    const digests = await Promise.all(tries);
    for (let i = 0; i < digests.length; i++) {
      if (leadingZeroBits(new Uint8Array(digests[i])) >= difficulty) return String(start + i);
    }
    await yieldToPage();
  }
  throw new Error(`no nonce within ${max} tries`);
}
