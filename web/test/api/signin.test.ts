// The sign-in paths of the Cognito client against a scripted fetch: the
// authenticator challenge (and SELECT_MFA_TYPE, MFA_SETUP), TOTP
// enrolment, and the OAuth code grant with PKCE.
import { describe, expect, it } from "vitest";
import { CognitoClient, MfaRequired, MfaSetupRequired, type CognitoConfig } from "../../src/api/cognito";
import { authorizeURL, finish, hasAnswer, pkceChallenge } from "../../src/api/oauth";

const jwt = (claims: Record<string, unknown>) => `h.${btoa(JSON.stringify(claims)).replace(/=+$/, "")}.s`;
const idToken = jwt({ sub: "u1", exp: 2_000_000_000 });
const tokens = { AuthenticationResult: { IdToken: idToken, AccessToken: "at", RefreshToken: "rt" } };

// scripted answers each call in turn and records it.
function scripted(answers: unknown[]) {
  const calls: { op: string; body: Record<string, any> }[] = []; // eslint-disable-line @typescript-eslint/no-explicit-any
  const fetchImpl = (async (_url: string, init: RequestInit) => {
    const op = String((init.headers as Record<string, string>)["X-Amz-Target"]).split(".").pop()!;
    calls.push({ op, body: JSON.parse(String(init.body)) });
    const next = answers.shift();
    if (next instanceof Error) return new Response(JSON.stringify({ __type: next.message, message: next.message }), { status: 400 });
    return new Response(JSON.stringify(next ?? {}), { status: 200 });
  }) as unknown as typeof fetch;
  return { calls, fetchImpl };
}

const cfg: CognitoConfig = { endpoint: "https://idp/", userPoolId: "eu-west-1_Pool", clientId: "client", mfa: "optional" };

class MemoryStorage implements Storage {
  private m = new Map<string, string>();
  get length() {
    return this.m.size;
  }
  clear() {
    this.m.clear();
  }
  getItem(k: string) {
    return this.m.get(k) ?? null;
  }
  key(i: number) {
    return [...this.m.keys()][i] ?? null;
  }
  removeItem(k: string) {
    this.m.delete(k);
  }
  setItem(k: string, v: string) {
    this.m.set(k, v);
  }
}

describe("authenticator (TOTP) sign-in", () => {
  it("asks for the code, then answers SOFTWARE_TOKEN_MFA with the session", async () => {
    const { calls, fetchImpl } = scripted([{ ChallengeName: "SOFTWARE_TOKEN_MFA", Session: "s1", ChallengeParameters: { USER_ID_FOR_SRP: "uuid-1" } }, tokens]);
    const c = new CognitoClient(cfg, fetchImpl);
    const err = await c.signIn("ann@example.com", "pw").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MfaRequired);
    const { session, username } = err as MfaRequired;
    expect([session, username]).toEqual(["s1", "uuid-1"]);
    const t = await c.answerMfa(username, "123456", session);
    expect(t.idToken).toBe(idToken);
    expect(calls[1]).toEqual({
      op: "RespondToAuthChallenge",
      body: { ClientId: "client", ChallengeName: "SOFTWARE_TOKEN_MFA", Session: "s1", ChallengeResponses: { USERNAME: "uuid-1", SOFTWARE_TOKEN_MFA_CODE: "123456" } },
    });
  });

  it("picks the authenticator when asked to select", async () => {
    const { calls, fetchImpl } = scripted([{ ChallengeName: "SELECT_MFA_TYPE", Session: "s1" }, { ChallengeName: "SOFTWARE_TOKEN_MFA", Session: "s2" }]);
    const err = await new CognitoClient(cfg, fetchImpl).signIn("ann@example.com", "pw").catch((e: unknown) => e);
    expect((err as MfaRequired).session).toBe("s2");
    expect(calls[1].body.ChallengeResponses).toEqual({ USERNAME: "ann@example.com", ANSWER: "SOFTWARE_TOKEN_MFA" });
  });

  it("enrols during sign-in when the pool requires MFA (MFA_SETUP)", async () => {
    const { calls, fetchImpl } = scripted([{ ChallengeName: "MFA_SETUP", Session: "s1" }, { SecretCode: "JBSWY3DPEHPK3PXP", Session: "s2" }, { Status: "SUCCESS", Session: "s3" }, tokens]);
    const c = new CognitoClient({ ...cfg, mfa: "required" }, fetchImpl);
    const err = (await c.signIn("ann@example.com", "pw").catch((e: unknown) => e)) as MfaSetupRequired;
    expect(err).toBeInstanceOf(MfaSetupRequired);
    const { secret, session } = await c.associateTotp({ session: err.session });
    expect(secret).toBe("JBSWY3DPEHPK3PXP");
    const v = await c.verifyTotp({ session: session! }, "123456", "phone");
    const t = await c.finishMfaSetup(err.username, v.session!);
    expect(t.refreshToken).toBe("rt");
    expect(calls.map((x) => x.op)).toEqual(["InitiateAuth", "AssociateSoftwareToken", "VerifySoftwareToken", "RespondToAuthChallenge"]);
    expect(calls[1].body).toEqual({ Session: "s1" });
    expect(calls[2].body).toEqual({ Session: "s2", UserCode: "123456", FriendlyDeviceName: "phone" });
    expect(calls[3].body).toMatchObject({ ChallengeName: "MFA_SETUP", Session: "s3" });
  });

  it("enrols from the settings and turns the code on", async () => {
    const { calls, fetchImpl } = scripted([{ SecretCode: "ABC" }, { Status: "SUCCESS" }, {}, { UserMFASettingList: ["SOFTWARE_TOKEN_MFA"] }]);
    const c = new CognitoClient(cfg, fetchImpl);
    expect((await c.associateTotp({ accessToken: "at" })).secret).toBe("ABC");
    await c.verifyTotp({ accessToken: "at" }, "654321", "authenticator");
    await c.setTotp("at", true);
    expect(await c.totpEnabled("at")).toBe(true);
    expect(calls[2].body).toEqual({ AccessToken: "at", SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } });
  });

  it("signs in with SRP when the config says so: no password is sent", async () => {
    const { calls, fetchImpl } = scripted([new Error("NotAuthorizedException")]);
    await new CognitoClient({ ...cfg, authFlow: "USER_SRP_AUTH" }, fetchImpl).signIn("ann@example.com", "secret-pw").catch(() => {});
    expect(calls[0].body.AuthFlow).toBe("USER_SRP_AUTH");
    expect(JSON.stringify(calls)).not.toContain("secret-pw");
  });
});

describe("provider sign-in (authorization code + PKCE)", () => {
  const withDomain = { ...cfg, domain: "https://auth.example.com", providers: [{ id: "Google", name: "Google" }] };

  it("derives the S256 challenge as RFC 7636 appendix B", async () => {
    expect(await pkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  });

  it("goes to /oauth2/authorize and trades the code with the verifier", async () => {
    const store = new MemoryStorage();
    const url = new URL(await authorizeURL(withDomain, "Google", true, "https://chat.example.com", store));
    expect(url.origin + url.pathname).toBe("https://auth.example.com/oauth2/authorize");
    const q = url.searchParams;
    expect(Object.fromEntries(q)).toMatchObject({ response_type: "code", client_id: "client", redirect_uri: "https://chat.example.com/", identity_provider: "Google", scope: "openid email profile aws.cognito.signin.user.admin", code_challenge_method: "S256" });
    const pending = JSON.parse(store.getItem("backchannel.oauth")!);
    expect(q.get("code_challenge")).toBe(await pkceChallenge(pending.verifier));
    expect(pending.verifier.length).toBeGreaterThanOrEqual(43);

    const back = `?code=c1&state=${q.get("state")}`;
    expect(hasAnswer(back, store)).toBe(true);
    let sent: { url: string; body: string } | null = null;
    const fetchImpl = (async (u: string, init: RequestInit) => {
      sent = { url: u, body: String(init.body) };
      return new Response(JSON.stringify({ id_token: idToken, access_token: "at", refresh_token: "rt", expires_in: 3600, token_type: "Bearer" }));
    }) as unknown as typeof fetch;
    const { tokens: t, remember } = await finish(withDomain, back, fetchImpl, store);
    expect(remember).toBe(true);
    expect(t).toMatchObject({ idToken, accessToken: "at", refreshToken: "rt" });
    expect(sent!.url).toBe("https://auth.example.com/oauth2/token");
    expect(Object.fromEntries(new URLSearchParams(sent!.body))).toEqual({
      grant_type: "authorization_code",
      client_id: "client",
      code: "c1",
      redirect_uri: "https://chat.example.com/",
      code_verifier: pending.verifier,
    });
    // Used once.
    expect(store.getItem("backchannel.oauth")).toBeNull();
  });

  it("refuses an answer with another state, and provider errors", async () => {
    const store = new MemoryStorage();
    const never = (async () => {
      throw new Error("must not call /oauth2/token");
    }) as unknown as typeof fetch;
    await authorizeURL(withDomain, "Google", false, "https://chat.example.com", store);
    await expect(finish(withDomain, "?code=c1&state=forged", never, store)).rejects.toMatchObject({ type: "OAuthStateMismatch" });
    const url = new URL(await authorizeURL(withDomain, "Google", false, "https://chat.example.com", store));
    await expect(finish(withDomain, `?error=access_denied&error_description=nope&state=${url.searchParams.get("state")}`, never, store)).rejects.toMatchObject({ type: "OAuthError", message: "nope" });
  });
});
