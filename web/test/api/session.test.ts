// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CognitoClient, CognitoError, errorKey, jwtClaims } from "../../src/api/cognito";
import { REFRESH_MARGIN_MS, Session } from "../../src/api/session";

function jwt(claims: Record<string, unknown>): string {
  const b64 = (o: unknown) => btoa(JSON.stringify(o)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${b64({ alg: "RS256" })}.${b64(claims)}.sig`;
}

// fakeCognito answers like the Cognito JSON API and records the calls.
function fakeCognito(answer: (target: string, body: Record<string, unknown>) => { status: number; body: unknown }) {
  const calls: { target: string; body: Record<string, unknown>; headers: Record<string, string> }[] = [];
  const fetchImpl = vi.fn(async (_url: RequestInfo | URL, init?: RequestInit) => {
    const headers = init!.headers as Record<string, string>;
    const target = headers["X-Amz-Target"].split(".")[1];
    const body = JSON.parse(String(init!.body)) as Record<string, unknown>;
    calls.push({ target, body, headers });
    const a = answer(target, body);
    return new Response(JSON.stringify(a.body), { status: a.status });
  });
  return { client: new CognitoClient({ endpoint: "http://cognito/", userPoolId: "p", clientId: "client-1" }, fetchImpl as typeof fetch), calls };
}

beforeEach(() => {
  localStorage.clear();
  sessionStorage.clear();
});
afterEach(() => vi.useRealTimers());

describe("CognitoClient", () => {
  it("signs up with the name attribute and the Cognito JSON headers", async () => {
    const { client, calls } = fakeCognito(() => ({ status: 200, body: { UserConfirmed: false } }));
    expect(await client.signUp("a@x.io", "pw123456", "Ana")).toEqual({ confirmed: false });
    expect(calls[0].headers["Content-Type"]).toBe("application/x-amz-json-1.1");
    expect(calls[0].target).toBe("SignUp");
    expect(calls[0].body).toMatchObject({ ClientId: "client-1", Username: "a@x.io", UserAttributes: [{ Name: "email", Value: "a@x.io" }, { Name: "name", Value: "Ana" }] });
  });

  it("signs in with USER_PASSWORD_AUTH and reads the expiry from the ID token", async () => {
    const exp = 2_000_000_000;
    const { client, calls } = fakeCognito(() => ({ status: 200, body: { AuthenticationResult: { IdToken: jwt({ sub: "u1", exp }), RefreshToken: "r1", ExpiresIn: 3600 } } }));
    const t = await client.signIn("a@x.io", "pw");
    expect(calls[0].body).toMatchObject({ AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: { USERNAME: "a@x.io", PASSWORD: "pw" } });
    expect(t.expiresAt).toBe(exp * 1000);
    expect(t.refreshToken).toBe("r1");
  });

  it("turns Cognito's error types into errors with clear messages", async () => {
    const { client } = fakeCognito(() => ({ status: 400, body: { __type: "NotAuthorizedException", message: "Incorrect username or password." } }));
    const err = await client.signIn("a@x.io", "bad").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CognitoError);
    expect((err as CognitoError).type).toBe("NotAuthorizedException");
    expect(errorKey(err)).toBe("auth.err.badCredentials");
    expect(errorKey(new CognitoError("UsernameExistsException", ""))).toBe("auth.err.exists");
    expect(errorKey(new CognitoError("CodeMismatchException", ""))).toBe("auth.err.badCode");
    expect(errorKey(new CognitoError("UserNotConfirmedException", ""))).toBe("auth.err.notConfirmed");
    expect(errorKey(new Error("?"))).toBe("auth.err.unknown");
  });

  it("reads JWT claims, including non-ASCII ones", () => {
    expect(jwtClaims(jwt({ sub: "u1", name: "Zoë" }))).toMatchObject({ sub: "u1" });
  });
});

describe("Session", () => {
  const tokens = (expiresAt: number) => ({ idToken: jwt({ sub: "u1", email: "a@x.io" }), refreshToken: "r1", expiresAt });

  it("keeps tokens in localStorage only when remembered", () => {
    const { client } = fakeCognito(() => ({ status: 500, body: {} }));
    const s = new Session(client);
    s.signedIn(tokens(Date.now() + 3_600_000), false);
    expect(sessionStorage.length).toBe(1);
    expect(localStorage.length).toBe(0);
    s.signedIn(tokens(Date.now() + 3_600_000), true);
    expect(localStorage.length).toBe(1);
    expect(sessionStorage.length).toBe(0);
    expect(new Session(client).restore()).toBe(true);
    s.signOut();
    expect(localStorage.length + sessionStorage.length).toBe(0);
    expect(new Session(client).restore()).toBe(false);
  });

  it("refreshes silently before the ID token expires, keeping the refresh token", async () => {
    vi.useFakeTimers();
    const fresh = jwt({ sub: "u1", exp: Math.floor(Date.now() / 1000) + 7200 });
    const { client, calls } = fakeCognito(() => ({ status: 200, body: { AuthenticationResult: { IdToken: fresh } } }));
    const s = new Session(client);
    s.signedIn(tokens(Date.now() + REFRESH_MARGIN_MS + 60_000), true);
    expect(await s.getToken()).not.toBe(fresh);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls.map((c) => c.body.AuthFlow)).toEqual(["REFRESH_TOKEN_AUTH"]);
    expect(calls[0].body.AuthParameters).toEqual({ REFRESH_TOKEN: "r1" });
    expect(await s.getToken()).toBe(fresh);
    expect(JSON.parse(localStorage.getItem("backchannel.session")!).refreshToken).toBe("r1");
  });

  it("getToken refreshes first when the token is about to expire", async () => {
    const fresh = jwt({ sub: "u1", exp: Math.floor(Date.now() / 1000) + 7200 });
    const { client, calls } = fakeCognito(() => ({ status: 200, body: { AuthenticationResult: { IdToken: fresh } } }));
    const s = new Session(client);
    s.signedIn(tokens(Date.now() + 1000), false);
    expect(await s.getToken()).toBe(fresh);
    expect(calls).toHaveLength(1);
  });

  it("a refused refresh token ends the session", async () => {
    const { client } = fakeCognito(() => ({ status: 400, body: { __type: "NotAuthorizedException", message: "Refresh Token has expired" } }));
    const s = new Session(client);
    const lost = vi.fn();
    s.onLost = lost;
    s.signedIn(tokens(Date.now() + 1000), true);
    await expect(s.getToken()).rejects.toMatchObject({ code: "auth" });
    expect(lost).toHaveBeenCalledOnce();
    expect(localStorage.length).toBe(0);
  });
});
