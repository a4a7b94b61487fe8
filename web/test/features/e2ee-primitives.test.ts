// Known-answer vectors for the building blocks of bc-e2ee-v1: base64url,
// HKDF-SHA256 (RFC 5869), AES-256-GCM (the GCM spec's test case 16) and
// scrypt (RFC 7914), each through the helper the app uses.
import { describe, expect, it } from "vitest";
import { b64, unb64 } from "../../src/features/e2ee/encoding";
import { aesGcmDecrypt, aesGcmEncrypt, hkdf, open, seal } from "../../src/features/e2ee/primitives";
import { backupScrypt, deriveBackupSecrets } from "../../src/features/e2ee/backup";
import { CryptoFailure, type BackupKDF } from "../../src/features/e2ee/types";
import { hex, nodeCrypto, toHex } from "./e2ee-fixtures";

describe("base64url without padding", () => {
  it("round-trips every length and uses the url alphabet", () => {
    for (let n = 0; n < 40; n++) {
      const bytes = new Uint8Array(Array.from({ length: n }, (_, i) => (i * 151 + 7) & 0xff));
      expect(unb64(b64(bytes))).toEqual(bytes);
    }
    expect(b64(new Uint8Array([0xfb, 0xff, 0xfe]))).toBe("-__-");
    expect(b64(new Uint8Array([1]))).toBe("AQ");
    expect(b64(new TextEncoder().encode("NaCl"))).toBe("TmFDbA");
  });

  it("refuses padding, the standard alphabet, dangling and non-canonical input", () => {
    for (const bad of ["AQ==", "+/+/", "A", "AR", "a b", "é"]) expect(() => unb64(bad), bad).toThrow(CryptoFailure);
  });
});

describe("HKDF-SHA256", () => {
  it("matches RFC 5869 test case 1", async () => {
    const okm = await hkdf(hex("0b".repeat(22)), hex("000102030405060708090a0b0c"), hex("f0f1f2f3f4f5f6f7f8f9"), 42);
    expect(toHex(okm)).toBe("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  });
});

describe("AES-256-GCM", () => {
  // The GCM specification (McGrew & Viega), test case 16: 256-bit key, 96-bit
  // IV, 60 bytes of plaintext, 20 bytes of aad.
  const K = hex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
  const IV = hex("cafebabefacedbaddecaf888");
  const P = hex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
  const A = hex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
  const C = "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662";
  const T = "76fc6ece0f4e1768cddf8853bb2d551b";

  it("matches the GCM spec's test case 16 both ways", async () => {
    expect(toHex(await aesGcmEncrypt(K, IV, P, A))).toBe(C + T);
    expect(await aesGcmDecrypt(K, IV, hex(C + T), A)).toEqual(P);
  });

  it("refuses a changed ciphertext, tag or aad as tampered", async () => {
    const ct = hex(C + T);
    ct[3] ^= 1;
    await expect(aesGcmDecrypt(K, IV, ct, A)).rejects.toMatchObject({ reason: "tampered" });
    await expect(aesGcmDecrypt(K, IV, hex(C + T), hex("00"))).rejects.toMatchObject({ reason: "tampered" });
  });

  it("seals under a fresh IV each time and opens only with the same aad", async () => {
    const aad = new TextEncoder().encode("label");
    const a = await seal(K, P, aad);
    const b = await seal(K, P, aad);
    expect(a).not.toBe(b);
    expect(unb64(a).length).toBe(12 + P.length + 16);
    expect(await open(K, a, aad)).toEqual(P);
    await expect(open(K, a, new TextEncoder().encode("other"))).rejects.toMatchObject({ reason: "tampered" });
    await expect(open(K, "AAAA", aad)).rejects.toMatchObject({ reason: "malformed" });
  });
});

describe("scrypt (RFC 7914 §12) through the backup's KDF", () => {
  const vectors: { password: string; kdf: BackupKDF; dk: string }[] = [
    {
      password: "",
      kdf: { alg: "scrypt", n: 16, r: 1, p: 1, salt: "" },
      dk: "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906",
    },
    {
      password: "password",
      kdf: { alg: "scrypt", n: 1024, r: 8, p: 16, salt: b64(new TextEncoder().encode("NaCl")) },
      dk: "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640",
    },
  ];

  for (const v of vectors) {
    it(`N=${v.kdf.n}, r=${v.kdf.r}, p=${v.kdf.p}, "${v.password}"`, async () => {
      expect(toHex(await backupScrypt(v.password, v.kdf, { allowWeak: true }))).toBe(v.dk);
      // deriveBackupSecrets: the proof is the last 32 bytes, the kek the first.
      const { kek, proof } = await deriveBackupSecrets(v.password, v.kdf, { allowWeak: true });
      expect(toHex(unb64(proof))).toBe(v.dk.slice(64));
      expect(kek.extractable).toBe(false);
      const iv = new Uint8Array(12);
      const ct = await aesGcmEncrypt(kek, iv, new Uint8Array([1, 2, 3]));
      expect(await aesGcmDecrypt(hex(v.dk.slice(0, 64)), iv, ct)).toEqual(new Uint8Array([1, 2, 3]));
    });
  }

  it("agrees with node:crypto's scrypt on the first vector", async () => {
    const node = await nodeCrypto();
    expect(toHex(node.scryptSync(new Uint8Array(), new Uint8Array(), 64, { N: 16, r: 1, p: 1 }))).toBe(vectors[0].dk);
  });
});
