// Cognito's SRP-6a sign-in (USER_SRP_AUTH, then PASSWORD_VERIFIER): the
// password never leaves the browser; Cognito only learns a proof that we
// know it. The math is the one of AWS's amazon-cognito-identity-js
// (AuthenticationHelper: the 3072-bit group of RFC 5054, g = 2, SHA-256,
// k = H(N | g), x = H(salt | H(poolName userId ":" password)), an HKDF
// "Caldera Derived Key" of S and u, and an HMAC over pool, user, secret
// block and timestamp), written here on BigInt and WebCrypto: the only
// maintained implementations are AWS's SDK itself (amazon-cognito-identity-js,
// Amplify) with their own HTTP clients, Node polyfills and storage, tens of
// kilobytes for a hundred lines of arithmetic. test/api/srp.test.ts checks
// this code against amazon-cognito-identity-js and against a server side.

// The parts of Cognito's answers and configuration used here (cognito.ts
// has the full ones and imports this module).
interface AuthOut {
  ChallengeName?: string;
  ChallengeParameters?: Record<string, string>;
  Session?: string;
}
interface PoolClient {
  userPoolId: string;
  clientId: string;
}

export const N = BigInt(
  "0x" +
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD" +
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED" +
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F" +
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B" +
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510" +
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7" +
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C" +
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);
export const g = 2n;

// padHex is the even-length, sign-safe hex of a non-negative number (a
// leading 00 when the top bit is set), as Java's BigInteger.toByteArray
// and Cognito's server encode it.
export function padHex(n: bigint): string {
  if (n < 0n) throw new Error("padHex: negative");
  let h = n.toString(16);
  if (h.length % 2) h = "0" + h;
  return /^[89a-f]/.test(h) ? "00" + h : h;
}

export function hexToBytes(hex: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const toHex = (b: ArrayBuffer | Uint8Array) => Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, "0")).join("");
const utf8 = (s: string) => new TextEncoder().encode(s);

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function sha256(data: Uint8Array<ArrayBuffer>): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", data));
}
const hexHash = (hex: string) => sha256(hexToBytes(hex));

async function hmac(key: Uint8Array<ArrayBuffer>, data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const k = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, data));
}

export function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  base = ((base % mod) + mod) % mod;
  while (exp > 0n) {
    if (exp & 1n) result = (result * base) % mod;
    base = (base * base) % mod;
    exp >>= 1n;
  }
  return result;
}

let kCache: Promise<bigint> | null = null;
export function multiplier(): Promise<bigint> {
  kCache ??= hexHash(padHex(N) + padHex(g)).then((h) => BigInt("0x" + h));
  return kCache;
}

// smallA is the client's secret: 128 random bytes, mod N.
export function randomSmallA(): bigint {
  const b = crypto.getRandomValues(new Uint8Array(128));
  return BigInt("0x" + toHex(b)) % N;
}

export function largeA(a: bigint): bigint {
  const A = modPow(g, a, N);
  if (A % N === 0n) throw new Error("SRP: A mod N is 0");
  return A;
}

// passwordKey is the 16-byte key both sides derive (Cognito's
// getPasswordAuthenticationKey): poolName is the part of the pool id after
// "_", userId the challenge's USER_ID_FOR_SRP, salt and B its SALT and SRP_B.
export async function passwordKey(poolName: string, userId: string, password: string, a: bigint, B: bigint, salt: bigint): Promise<Uint8Array<ArrayBuffer>> {
  if (B % N === 0n) throw new Error("SRP: B is 0");
  const A = largeA(a);
  const u = BigInt("0x" + (await hexHash(padHex(A) + padHex(B))));
  if (u === 0n) throw new Error("SRP: u is 0");
  const x = BigInt("0x" + (await hexHash(padHex(salt) + (await sha256(utf8(`${poolName}${userId}:${password}`))))));
  const k = await multiplier();
  const base = (((B - k * modPow(g, x, N)) % N) + N) % N;
  const S = modPow(base, a + u * x, N);
  // HKDF-SHA256 (RFC 5869) of S with salt u, info "Caldera Derived Key", 16 bytes.
  const prk = await hmac(hexToBytes(padHex(u)), hexToBytes(padHex(S)));
  const okm = await hmac(prk, concat(utf8("Caldera Derived Key"), new Uint8Array([1])));
  return okm.slice(0, 16);
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

// timestamp is Cognito's "ddd MMM D HH:mm:ss UTC YYYY" (the day unpadded).
export function timestamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

function bytesToBase64(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s);
}

// claimSignature is PASSWORD_CLAIM_SIGNATURE: HMAC-SHA256 with the password
// key over poolName, userId, the secret block (base64-decoded) and the
// timestamp.
export async function claimSignature(key: Uint8Array<ArrayBuffer>, poolName: string, userId: string, secretBlock: string, ts: string): Promise<string> {
  return bytesToBase64(await hmac(key, concat(utf8(poolName), utf8(userId), base64ToBytes(secretBlock), utf8(ts))));
}

type Call = <T>(op: string, body: unknown) => Promise<T>;

// srpSignIn runs InitiateAuth USER_SRP_AUTH and answers PASSWORD_VERIFIER;
// it returns the answer to that (tokens, or the next challenge).
export async function srpSignIn<Out extends AuthOut>(call: Call, cfg: PoolClient, email: string, password: string, now: () => Date = () => new Date()): Promise<Out> {
  const a = randomSmallA();
  const first = await call<Out>("InitiateAuth", {
    ClientId: cfg.clientId,
    AuthFlow: "USER_SRP_AUTH",
    AuthParameters: { USERNAME: email, SRP_A: largeA(a).toString(16) },
  });
  if (first.ChallengeName !== "PASSWORD_VERIFIER") return first;
  const p = first.ChallengeParameters ?? {};
  const userId = p.USER_ID_FOR_SRP ?? "";
  const poolName = cfg.userPoolId.split("_")[1] ?? "";
  const key = await passwordKey(poolName, userId, password, a, BigInt("0x" + p.SRP_B), BigInt("0x" + p.SALT));
  const ts = timestamp(now());
  const out = await call<Out>("RespondToAuthChallenge", {
    ClientId: cfg.clientId,
    ChallengeName: "PASSWORD_VERIFIER",
    Session: first.Session,
    ChallengeResponses: {
      USERNAME: userId,
      PASSWORD_CLAIM_SECRET_BLOCK: p.SECRET_BLOCK,
      TIMESTAMP: ts,
      PASSWORD_CLAIM_SIGNATURE: await claimSignature(key, poolName, userId, p.SECRET_BLOCK ?? "", ts),
    },
  });
  // Later challenges name the user by USER_ID_FOR_SRP too.
  return { ...out, ChallengeParameters: { USER_ID_FOR_SRP: userId, ...out.ChallengeParameters } };
}
