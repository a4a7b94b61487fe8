// Fixed keys for the bc-e2ee-v1 tests: two people (alice, bob), each with a
// P-256 identity key (PKCS#8, b64url) and a P-256 device key (JWK). Made once
// with WebCrypto; never used anywhere but tests.
import { b64, concat, unb64 } from "../../src/features/e2ee/encoding";

export const ALICE = "usr_alice";
export const BOB = "usr_bob";
export const ALICE_DEV = "dev_aaaaaaaaaaaaaaaaaaaaaaaaaa";
export const BOB_DEV = "dev_bbbbbbbbbbbbbbbbbbbbbbbbbb";

export const ALICE_ID_PKCS8 =
  "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgtGzOcI9wfxZiSzuT5PbD7Wobd-7GG3bINnKSgY9uONWhRANCAARVD_EpcONyCDc3HwHIS8MEi9pKu3U74eyXcJ7ioQ-TgBWgwW3PtgurMMqAVbG3yDfji5zAe_3D8B2QiaNeg1N6";
export const BOB_ID_PKCS8 =
  "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQga0ne4W6uiCOK7hBIC2xIw_9mTCxztAGuwpevT14wHpmhRANCAATCiXRUpLh4uZnNFwFx9GdF3v4bWQD897z06SxhtIetaZoNA0O2cC-o5tFVgBcHUynyl4ag-dsClxMvFG3E5v50";
// The identity keys' public points (b64 raw uncompressed).
export const ALICE_ID_PUB = rawPoint("VQ_xKXDjcgg3Nx8ByEvDBIvaSrt1O-Hsl3Ce4qEPk4A", "FaDBbc-2C6swyoBVsbfIN-OLnMB7_cPwHZCJo16DU3o");
export const BOB_ID_PUB = rawPoint("wol0VKS4eLmZzRcBcfRnRd7-G1kA_Pe89OksYbSHrWk", "mg0DQ7ZwL6jm0VWAFwdTKfKXhqD52wKXEy8UbcTm_nQ");

export const ALICE_DEV_JWK: JsonWebKey = {
  kty: "EC",
  crv: "P-256",
  x: "Tq1iHR880E_MW7d3jra-tXwRnTtS-84vCvPwhvvDepg",
  y: "YMiNNh5B_AR61gmNt-ASR68ZaF-f6QnayOoJTn0Shgo",
  d: "NeS3txKUg8Hkwkcy8-yIk4FnVPTMnGBdIIDEG6jUBA0",
};
export const BOB_DEV_JWK: JsonWebKey = {
  kty: "EC",
  crv: "P-256",
  x: "likpVjdzUkhSKxB1BzLY_QQGoI0tQMR-6cTA77S2HLs",
  y: "QNksSHuuk0Mjzwl6nHHb92S1DSTfG6TjQ4U515f0-yg",
  d: "_IgEUX4EMeXuN_V4RJHf9yYPcNHkod9zXyIXXZq6iJE",
};

export function rawPoint(x: string, y: string): string {
  return b64(concat(new Uint8Array([4]), unb64(x), unb64(y)));
}

// deviceKey imports a fixed device key the way the app holds one: a
// non-extractable ECDH private key and the b64 raw public point.
export async function deviceKey(jwk: JsonWebKey): Promise<{ privateKey: CryptoKey; publicKey: string }> {
  const privateKey = await crypto.subtle.importKey("jwk", jwk, { name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]);
  return { privateKey, publicKey: rawPoint(jwk.x!, jwk.y!) };
}

export const unb = unb64;

export function hex(text: string): Uint8Array<ArrayBuffer> {
  const clean = text.replace(/\s+/g, "");
  return new Uint8Array(clean.match(/../g)?.map((h) => parseInt(h, 16)) ?? []);
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// A fixed room key: bytes 0x00..0x1f.
export const ROOM_KEY = new Uint8Array(Array.from({ length: 32 }, (_, i) => i));

// nodeCrypto loads node:crypto for independent cross-checks (the web
// project has no Node types, hence the narrow shape).
export interface NodeCrypto {
  createHash(alg: string): { update(data: Uint8Array): { digest(): Uint8Array } };
  createDecipheriv(alg: string, key: Uint8Array, iv: Uint8Array): {
    setAAD(aad: Uint8Array): void;
    setAuthTag(tag: Uint8Array): void;
    update(data: Uint8Array): Uint8Array;
    final(): Uint8Array;
  };
  createECDH(curve: string): { setPrivateKey(key: Uint8Array): void; computeSecret(other: Uint8Array): Uint8Array };
  hkdfSync(digest: string, ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): ArrayBuffer;
  scryptSync(password: Uint8Array, salt: Uint8Array, keylen: number, opts: { N: number; r: number; p: number; maxmem?: number }): Uint8Array;
}

export async function nodeCrypto(): Promise<NodeCrypto> {
  const name = "node:crypto";
  return (await import(/* @vite-ignore */ name)) as NodeCrypto;
}
