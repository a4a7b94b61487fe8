// Sign-in through an external identity provider (Google, an OIDC provider)
// by way of the Cognito hosted domain: the OAuth 2.0 authorization-code
// grant with PKCE (RFC 7636, S256) for a public client. The tokens are the
// user pool's own, stored like those of a password sign-in.
import { CognitoError, tokensFrom, type CognitoConfig, type Tokens } from "./cognito";

const KEY = "backchannel.oauth";

interface Pending {
  state: string;
  verifier: string;
  redirectUri: string;
  remember: boolean;
}

export function base64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

// pkceChallenge is BASE64URL(SHA-256(verifier)).
export async function pkceChallenge(verifier: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
}

const random = (n: number) => base64url(crypto.getRandomValues(new Uint8Array(n)));

// redirectUri is the app client's callback: the site's origin and "/".
export const redirectUri = (origin: string) => origin.replace(/\/+$/, "") + "/";

// authorizeURL builds the hosted domain's /oauth2/authorize address and
// remembers, for this tab only, what the answer must match.
export async function authorizeURL(cfg: CognitoConfig, provider: string, remember: boolean, origin: string, store: Storage = sessionStorage): Promise<string> {
  if (!cfg.domain) throw new Error("no hosted domain");
  const p: Pending = { state: random(16), verifier: random(32), redirectUri: redirectUri(origin), remember };
  store.setItem(KEY, JSON.stringify(p));
  const q = new URLSearchParams({
    response_type: "code",
    client_id: cfg.clientId,
    redirect_uri: p.redirectUri,
    identity_provider: provider,
    // aws.cognito.signin.user.admin: the access token may call the user's
    // own API (GetUser, TOTP enrolment) as a password sign-in's may.
    scope: "openid email profile aws.cognito.signin.user.admin",
    state: p.state,
    code_challenge: await pkceChallenge(p.verifier),
    code_challenge_method: "S256",
  });
  return `${cfg.domain.replace(/\/+$/, "")}/oauth2/authorize?${q}`;
}

// hasAnswer: the page was loaded as the provider sign-in's redirect.
export function hasAnswer(search: string, store: Storage = sessionStorage): boolean {
  const q = new URLSearchParams(search);
  return (q.has("code") || q.has("error")) && q.has("state") && store.getItem(KEY) !== null;
}

// finish trades the redirect's code for tokens at /oauth2/token. The state
// must be the one this tab sent; the pending sign-in is used once.
export async function finish(cfg: CognitoConfig, search: string, fetchImpl: typeof fetch = (...a) => fetch(...a), store: Storage = sessionStorage): Promise<{ tokens: Tokens; remember: boolean }> {
  const raw = store.getItem(KEY);
  store.removeItem(KEY);
  const q = new URLSearchParams(search);
  const p = raw ? (JSON.parse(raw) as Pending) : null;
  if (!p || !cfg.domain || q.get("state") !== p.state) throw new CognitoError("OAuthStateMismatch", "the sign-in answer is not for this tab");
  const err = q.get("error");
  if (err) throw new CognitoError("OAuthError", q.get("error_description") || err);
  let res: Response;
  try {
    res = await fetchImpl(`${cfg.domain.replace(/\/+$/, "")}/oauth2/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        client_id: cfg.clientId,
        code: q.get("code") ?? "",
        redirect_uri: p.redirectUri,
        code_verifier: p.verifier,
      }).toString(),
    });
  } catch (e) {
    throw new CognitoError("network", String(e));
  }
  const data = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) throw new CognitoError("OAuthError", String(data.error_description ?? data.error ?? res.statusText));
  const tokens = tokensFrom(
    {
      AuthenticationResult: {
        IdToken: data.id_token as string,
        AccessToken: data.access_token as string,
        RefreshToken: data.refresh_token as string,
        ExpiresIn: Number(data.expires_in) || undefined,
      },
    },
    "",
  );
  return { tokens, remember: p.remember };
}
