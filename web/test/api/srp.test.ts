// The SRP math against AWS's own implementation (amazon-cognito-identity-js's
// AuthenticationHelper, a dev dependency only), and the whole exchange
// against a server side written here from the SRP-6a equations, which
// checks the claim signature the way Cognito does.
import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
// @ts-expect-error: the library ships no types for its lib/ modules
import AuthenticationHelperModule from "amazon-cognito-identity-js/lib/AuthenticationHelper.js";
// @ts-expect-error: idem
import BigIntegerModule from "amazon-cognito-identity-js/lib/BigInteger.js";
import { N, g, claimSignature, largeA, modPow, multiplier, padHex, passwordKey, srpSignIn, timestamp } from "../../src/api/srp";
import type { AuthOut } from "../../src/api/cognito";

/* eslint-disable @typescript-eslint/no-explicit-any */
const AuthenticationHelper: any = (AuthenticationHelperModule as any).default ?? AuthenticationHelperModule;
const BigInteger: any = (BigIntegerModule as any).default ?? BigIntegerModule;
const big = (n: bigint) => new BigInteger(n.toString(16), 16);

// Fixed "random" values, so the vectors are reproducible.
const a = BigInt("0x" + "a1b2c3d4e5f60718".repeat(16)) % N;
const b = BigInt("0x" + "0badc0ffee15900d".repeat(16)) % N;
const salt = BigInt("0x" + "c4a1f00d".repeat(4)); // Cognito's SALT: 16 bytes hex
const poolName = "AbCdEf123";
const userId = "6f1d2e3c-aaaa-bbbb-cccc-0123456789ab";
const password = "correct horse battery staple Ω";

const sha256hex = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");
const hexBuf = (h: string) => Buffer.from(h, "hex");

// The server: verifier v = g^x, B = k v + g^b, S = (A v^u)^b.
async function server(A: bigint) {
  const k = await multiplier();
  const x = BigInt("0x" + sha256hex(hexBuf(padHex(salt) + sha256hex(`${poolName}${userId}:${password}`))));
  const v = modPow(g, x, N);
  const B = (k * v + modPow(g, b, N)) % N;
  const u = BigInt("0x" + sha256hex(hexBuf(padHex(A) + padHex(B))));
  const S = modPow(A * modPow(v, u, N), b, N);
  const prk = createHmac("sha256", hexBuf(padHex(u))).update(hexBuf(padHex(S))).digest();
  const key = createHmac("sha256", prk).update(Buffer.concat([Buffer.from("Caldera Derived Key"), Buffer.from([1])])).digest().subarray(0, 16);
  return { B, key };
}

describe("SRP (USER_SRP_AUTH)", () => {
  const helper = new AuthenticationHelper(poolName);

  it("pads hex as Cognito does", () => {
    for (const n of [0n, 1n, 0x7fn, 0x80n, 0xecn, 0x14n, 0xfffn, N, salt]) {
      expect(padHex(n), n.toString(16)).toBe(helper.padHex(big(n)));
    }
    expect(padHex(236n)).toBe("00ec");
    expect(padHex(20n)).toBe("14");
  });

  it("has AWS's k and A", async () => {
    expect((await multiplier()).toString(16)).toBe(helper.k.toString(16));
    helper.smallAValue = big(a);
    helper.largeAValue = undefined;
    const A: any = await new Promise((res, rej) => helper.getLargeAValue((err: Error, v: any) => (err ? rej(err) : res(v))));
    expect(largeA(a).toString(16)).toBe(A.toString(16));
  });

  it("derives AWS's password key, and the server's", async () => {
    const { B, key: serverKey } = await server(largeA(a));
    helper.smallAValue = big(a);
    helper.largeAValue = undefined;
    await new Promise((res) => helper.getLargeAValue(res));
    const awsKey: Uint8Array = await new Promise((res, rej) => helper.getPasswordAuthenticationKey(userId, password, big(B), big(salt), (err: Error, k: Uint8Array) => (err ? rej(err) : res(k))));
    const ours = await passwordKey(poolName, userId, password, a, B, salt);
    expect(Buffer.from(ours).toString("hex")).toBe(Buffer.from(awsKey).toString("hex"));
    expect(Buffer.from(ours).toString("hex")).toBe(serverKey.toString("hex"));
    // A wrong password gives another key.
    const wrong = await passwordKey(poolName, userId, password + "!", a, B, salt);
    expect(Buffer.from(wrong).toString("hex")).not.toBe(serverKey.toString("hex"));
  });

  it("formats the timestamp as Cognito wants", () => {
    expect(timestamp(new Date(Date.UTC(2026, 0, 5, 3, 4, 5)))).toBe("Mon Jan 5 03:04:05 UTC 2026");
    expect(timestamp(new Date(Date.UTC(2026, 10, 30, 23, 59, 9)))).toBe("Mon Nov 30 23:59:09 UTC 2026");
  });

  it("signs in: InitiateAuth USER_SRP_AUTH, then a PASSWORD_VERIFIER the server accepts", async () => {
    const secretBlock = Buffer.from("opaque secret block from Cognito").toString("base64");
    const calls: { op: string; body: any }[] = [];
    let serverKey: Buffer = Buffer.alloc(0);
    const call = async <T,>(op: string, body: any): Promise<T> => {
      calls.push({ op, body });
      if (op === "InitiateAuth") {
        expect(body.AuthFlow).toBe("USER_SRP_AUTH");
        expect(body.AuthParameters).not.toHaveProperty("PASSWORD");
        const s = await server(BigInt("0x" + body.AuthParameters.SRP_A));
        serverKey = s.key;
        const out: AuthOut = {
          ChallengeName: "PASSWORD_VERIFIER",
          Session: "sess-1",
          ChallengeParameters: { SALT: salt.toString(16), SRP_B: s.B.toString(16), SECRET_BLOCK: secretBlock, USER_ID_FOR_SRP: userId, USERNAME: userId },
        };
        return out as T;
      }
      const r = body.ChallengeResponses;
      const want = createHmac("sha256", serverKey)
        .update(Buffer.concat([Buffer.from(poolName), Buffer.from(userId), Buffer.from(secretBlock, "base64"), Buffer.from(r.TIMESTAMP)]))
        .digest("base64");
      if (r.PASSWORD_CLAIM_SIGNATURE !== want) throw new Error("NotAuthorizedException");
      return { AuthenticationResult: { IdToken: "id" } } as T;
    };
    const now = () => new Date(Date.UTC(2026, 10, 30, 1, 2, 3));
    const out: AuthOut = await srpSignIn<AuthOut>(call, { userPoolId: `eu-west-1_${poolName}`, clientId: "c" }, "ann@example.com", password, now);
    expect(out.AuthenticationResult?.IdToken).toBe("id");
    expect(calls.map((c) => c.op)).toEqual(["InitiateAuth", "RespondToAuthChallenge"]);
    const answer = calls[1].body;
    expect(answer).toMatchObject({ ChallengeName: "PASSWORD_VERIFIER", Session: "sess-1" });
    expect(answer.ChallengeResponses).toMatchObject({ USERNAME: userId, TIMESTAMP: "Mon Nov 30 01:02:03 UTC 2026", PASSWORD_CLAIM_SECRET_BLOCK: secretBlock });
    expect(JSON.stringify(calls)).not.toContain(password);
    expect(await claimSignature(new Uint8Array(serverKey), poolName, userId, secretBlock, answer.ChallengeResponses.TIMESTAMP)).toBe(answer.ChallengeResponses.PASSWORD_CLAIM_SIGNATURE);

    // The wrong password: the server refuses the proof.
    await expect(srpSignIn(call, { userPoolId: `eu-west-1_${poolName}`, clientId: "c" }, "ann@example.com", "nope", now)).rejects.toThrow("NotAuthorizedException");
  });
});
