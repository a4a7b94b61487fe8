// The key backup of bc-e2ee-v1: a passphrase, through scrypt, gives the key
// that wraps the backup key (BK) and a proof the server checks before it
// hands the wrapped BK out; BK seals the identity and every room key.
import { scryptAsync } from "@noble/hashes/scrypt.js";
import { b64, checkEpoch, lines, randomBytes, unb64, utf8 } from "./encoding";
import { KEY_BYTES, aesKey, open, seal } from "./primitives";
import { CryptoFailure, type BackupKDF, type Bytes } from "./types";

// MIN_PASSPHRASE_LENGTH is the shortest passphrase (in characters, after
// NFKC) that setup accepts.
export const MIN_PASSPHRASE_LENGTH = 10;

// The parameters newBackupKdf picks: 128 MiB of memory per derivation.
const STRONG = { n: 1 << 17, r: 8, p: 1 };
const SALT_BYTES = 16;
const DK_BYTES = 64;

export function normalizePassphrase(passphrase: string): string {
  return passphrase.normalize("NFKC");
}

// newBackupKdf returns fresh parameters for a new backup: scrypt N=2^17,
// r=8, p=1 with a random 16-byte salt.
export function newBackupKdf(): BackupKDF {
  return { alg: "scrypt", ...STRONG, salt: b64(randomBytes(SALT_BYTES)) };
}

export interface KdfOptions {
  // allowWeak accepts parameters below newBackupKdf's (tests, and known
  // vectors). Without it a server that hands out a cheap KDF to learn an
  // easily brute-forced proof is refused.
  allowWeak?: boolean;
  // onProgress gets 0..1 while scrypt runs.
  onProgress?: (done: number) => void;
}

// checkBackupKdf throws CryptoFailure "weak-kdf" (or "malformed") for
// parameters we will not run: unknown algorithm, N not a power of two,
// weaker than newBackupKdf's (unless allowWeak), or so large that the tab
// would run out of memory or time.
export function checkBackupKdf(kdf: BackupKDF, opts: KdfOptions = {}): Bytes {
  if (!kdf || kdf.alg !== "scrypt") throw new CryptoFailure("malformed", "backup: unknown KDF");
  const { n, r, p } = kdf;
  const ints = [n, r, p].every((x) => Number.isSafeInteger(x) && x >= 1);
  if (!ints || n < 2 || (n & (n - 1)) !== 0) throw new CryptoFailure("malformed", "backup: bad scrypt parameters");
  const salt = unb64(kdf.salt);
  if (n > 1 << 20 || 128 * n * r > 1 << 30 || n * r * p > 1 << 22) throw new CryptoFailure("weak-kdf", "backup: scrypt parameters too large");
  if (!opts.allowWeak && (n < STRONG.n || r < STRONG.r || salt.length < SALT_BYTES)) throw new CryptoFailure("weak-kdf", "backup: scrypt parameters too weak");
  return salt;
}

// backupScrypt is the raw 64-byte scrypt output for a passphrase (NFKC)
// under kdf; async, so the page stays responsive.
export async function backupScrypt(passphrase: string, kdf: BackupKDF, opts: KdfOptions = {}): Promise<Bytes> {
  const salt = checkBackupKdf(kdf, opts);
  const out = await scryptAsync(utf8(normalizePassphrase(passphrase)), salt, { N: kdf.n, r: kdf.r, p: kdf.p, dkLen: DK_BYTES, onProgress: opts.onProgress });
  return new Uint8Array(out);
}

export interface BackupSecrets {
  kek: CryptoKey; // wraps BK (non-extractable AES-GCM)
  proof: string; // b64; the server keeps only its SHA-256
}

// deriveBackupSecrets splits scrypt's 64 bytes: the first 32 are the kek,
// the last 32 the proof.
export async function deriveBackupSecrets(passphrase: string, kdf: BackupKDF, opts: KdfOptions = {}): Promise<BackupSecrets> {
  const dk = await backupScrypt(passphrase, kdf, opts);
  const kek = await aesKey(dk.slice(0, KEY_BYTES));
  const proof = b64(dk.slice(KEY_BYTES));
  dk.fill(0);
  return { kek, proof };
}

// newBackupKey is a fresh random 32-byte BK.
export function newBackupKey(): Bytes {
  return randomBytes(KEY_BYTES);
}

const BACKUP_AAD = "bc-e2ee-v1 backup";

function checkKey(key: Uint8Array, what: string): void {
  if (key.length !== KEY_BYTES) throw new CryptoFailure("malformed", `${what} must be 32 bytes`);
}

// wrapBackupKey: b64(iv || AES-GCM(kek, BK, aad "bc-e2ee-v1 backup")).
export function wrapBackupKey(kek: CryptoKey, bk: Uint8Array): Promise<string> {
  checkKey(bk, "backup key");
  return seal(kek, bk, utf8(BACKUP_AAD));
}

// unwrapBackupKey opens wrapBackupKey; a wrong passphrase's kek throws
// CryptoFailure "tampered".
export async function unwrapBackupKey(kek: CryptoKey, wrapped: string): Promise<Bytes> {
  const bk = await open(kek, wrapped, utf8(BACKUP_AAD));
  checkKey(bk, "backup key");
  return bk;
}

// sealIdentity: b64(iv || AES-GCM(BK, PKCS#8, aad "bc-e2ee-v1 identity\n"+userId)).
export function sealIdentity(bk: Uint8Array, userId: string, pkcs8: Uint8Array): Promise<string> {
  checkKey(bk, "backup key");
  return seal(bk, pkcs8, utf8("bc-e2ee-v1 identity\n" + lines(userId)));
}

// openIdentity returns the identity's PKCS#8 (import it with importIdentity).
export function openIdentity(bk: Uint8Array, userId: string, sealed: string): Promise<Bytes> {
  checkKey(bk, "backup key");
  return open(bk, sealed, utf8("bc-e2ee-v1 identity\n" + lines(userId)));
}

function backupKeyAad(roomId: string, epoch: number): Bytes {
  checkEpoch(epoch);
  return utf8("bc-e2ee-v1 backup-key\n" + lines(roomId, epoch));
}

// sealBackupRoomKey is the `key` of a BackupRoomKey entry.
export function sealBackupRoomKey(bk: Uint8Array, roomId: string, epoch: number, key: Uint8Array): Promise<string> {
  checkKey(bk, "backup key");
  checkKey(key, "room key");
  return seal(bk, key, backupKeyAad(roomId, epoch));
}

// openBackupRoomKey opens a BackupRoomKey entry's `key`; one moved to
// another room or epoch throws CryptoFailure "tampered".
export async function openBackupRoomKey(bk: Uint8Array, roomId: string, epoch: number, sealed: string): Promise<Bytes> {
  checkKey(bk, "backup key");
  const key = await open(bk, sealed, backupKeyAad(roomId, epoch));
  checkKey(key, "room key");
  return key;
}
