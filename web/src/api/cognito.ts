// Cognito user pools over plain fetch: the same JSON API is served by AWS
// and by cognito-local, so one code path works in both.
import type { MessageKey } from "../i18n";

export interface CognitoConfig {
  endpoint: string;
  userPoolId: string;
  clientId: string;
}

export interface Tokens {
  idToken: string;
  // The access token: for GetUser (the user's attributes) and the calls a
  // user makes about their own account (change password, sign out
  // everywhere). Absent in sessions stored before.
  accessToken?: string;
  refreshToken: string;
  // Expiry of the ID token, Unix milliseconds.
  expiresAt: number;
}

// CognitoError carries Cognito's error type (e.g. NotAuthorizedException).
export class CognitoError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

// errorKey maps Cognito's error types to a message for people.
export function errorKey(err: unknown): MessageKey {
  const type = err instanceof CognitoError ? err.type : "";
  if (type === "NotAuthorizedException" && /disabled/i.test((err as Error).message)) return "auth.err.disabled";
  switch (type) {
    case "NotAuthorizedException":
    case "InvalidPasswordException":
      // cognito-local answers a wrong password with InvalidPasswordException.
      return "auth.err.badCredentials";
    case "UserNotFoundException":
      return "auth.err.badCredentials";
    case "UsernameExistsException":
      return "auth.err.exists";
    case "CodeMismatchException":
      return "auth.err.badCode";
    case "ExpiredCodeException":
      return "auth.err.expiredCode";
    case "UserNotConfirmedException":
      return "auth.err.notConfirmed";
    case "TooManyRequestsException":
    case "LimitExceededException":
    case "TooManyFailedAttemptsException":
      return "auth.err.tooMany";
    case "InvalidParameterException":
      return "auth.err.invalid";
    case "network":
      return "auth.err.network";
    default:
      return "auth.err.unknown";
  }
}

// jwtClaims reads a JWT's payload without verifying it: the server verifies;
// the client only needs the expiry and the subject.
export function jwtClaims(token: string): Record<string, unknown> {
  const part = token.split(".")[1] ?? "";
  const b64 = part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "=");
  try {
    const bin = atob(b64);
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export class CognitoClient {
  constructor(
    private readonly cfg: CognitoConfig,
    private readonly fetchImpl: typeof fetch = (...a) => fetch(...a),
  ) {}

  private async call<T>(op: string, body: unknown): Promise<T> {
    let res: Response;
    try {
      res = await this.fetchImpl(this.cfg.endpoint, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-amz-json-1.1",
          "X-Amz-Target": `AWSCognitoIdentityProviderService.${op}`,
        },
        body: JSON.stringify(body),
      });
    } catch (err) {
      throw new CognitoError("network", String(err));
    }
    const text = await res.text();
    const data = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    if (!res.ok) {
      // __type may be "prefix#Name" in some answers.
      const type = String(data.__type ?? res.headers.get("x-amzn-ErrorType") ?? "Unknown").split("#").pop()!.split(":")[0];
      throw new CognitoError(type, String(data.message ?? data.Message ?? res.statusText));
    }
    return data as T;
  }

  async signUp(email: string, password: string, displayName: string): Promise<{ confirmed: boolean }> {
    const out = await this.call<{ UserConfirmed?: boolean }>("SignUp", {
      ClientId: this.cfg.clientId,
      Username: email,
      Password: password,
      UserAttributes: [
        { Name: "email", Value: email },
        { Name: "name", Value: displayName },
      ],
    });
    return { confirmed: !!out.UserConfirmed };
  }

  async confirmSignUp(email: string, code: string): Promise<void> {
    await this.call("ConfirmSignUp", { ClientId: this.cfg.clientId, Username: email, ConfirmationCode: code });
  }

  async resendCode(email: string): Promise<void> {
    await this.call("ResendConfirmationCode", { ClientId: this.cfg.clientId, Username: email });
  }

  async signIn(email: string, password: string): Promise<Tokens> {
    const out = await this.call<AuthOut>("InitiateAuth", {
      ClientId: this.cfg.clientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: email, PASSWORD: password },
    });
    if (out.ChallengeName === "NEW_PASSWORD_REQUIRED") throw new NewPasswordRequired(out.Session ?? "");
    return tokensFrom(out, "");
  }

  // getUser reads the user's attributes (name, email...) with the access
  // token. The ID token may lack them (cognito-local leaves out "name").
  async getUser(accessToken: string): Promise<Record<string, string>> {
    const out = await this.call<{ UserAttributes?: { Name: string; Value: string }[] }>("GetUser", { AccessToken: accessToken });
    return Object.fromEntries((out.UserAttributes ?? []).map((a) => [a.Name, a.Value]));
  }

  // setNewPassword answers NEW_PASSWORD_REQUIRED: an invited person signed
  // in with their temporary password and chooses their own.
  async setNewPassword(email: string, newPassword: string, session: string): Promise<Tokens> {
    const out = await this.call<AuthOut>("RespondToAuthChallenge", {
      ClientId: this.cfg.clientId,
      ChallengeName: "NEW_PASSWORD_REQUIRED",
      Session: session,
      ChallengeResponses: { USERNAME: email, NEW_PASSWORD: newPassword },
    });
    return tokensFrom(out, "");
  }

  async forgotPassword(email: string): Promise<void> {
    await this.call("ForgotPassword", { ClientId: this.cfg.clientId, Username: email });
  }

  async confirmForgotPassword(email: string, code: string, password: string): Promise<void> {
    await this.call("ConfirmForgotPassword", { ClientId: this.cfg.clientId, Username: email, ConfirmationCode: code, Password: password });
  }

  async changePassword(accessToken: string, oldPassword: string, newPassword: string): Promise<void> {
    await this.call("ChangePassword", { AccessToken: accessToken, PreviousPassword: oldPassword, ProposedPassword: newPassword });
  }

  // revoke ends a refresh token (sign out on this device).
  async revoke(refreshToken: string): Promise<void> {
    await this.call("RevokeToken", { ClientId: this.cfg.clientId, Token: refreshToken });
  }

  // globalSignOut ends every refresh token of the user (every device).
  async globalSignOut(accessToken: string): Promise<void> {
    await this.call("GlobalSignOut", { AccessToken: accessToken });
  }

  // refresh trades the refresh token for a new ID token; Cognito does not
  // return a new refresh token, so the old one is kept.
  async refresh(refreshToken: string): Promise<Tokens> {
    const out = await this.call<AuthOut>("InitiateAuth", {
      ClientId: this.cfg.clientId,
      AuthFlow: "REFRESH_TOKEN_AUTH",
      AuthParameters: { REFRESH_TOKEN: refreshToken },
    });
    return tokensFrom(out, refreshToken);
  }
}

// NewPasswordRequired: the password was a temporary one (an invitation);
// answer with setNewPassword and this session.
export class NewPasswordRequired extends Error {
  constructor(readonly session: string) {
    super("NEW_PASSWORD_REQUIRED");
  }
}

interface AuthOut {
  AuthenticationResult?: { IdToken?: string; AccessToken?: string; RefreshToken?: string; ExpiresIn?: number };
  ChallengeName?: string;
  Session?: string;
}

function tokensFrom(out: AuthOut, oldRefresh: string): Tokens {
  const r = out.AuthenticationResult;
  if (!r?.IdToken) throw new CognitoError(out.ChallengeName ?? "Unknown", "unsupported sign-in challenge");
  const exp = Number(jwtClaims(r.IdToken).exp);
  const expiresAt = Number.isFinite(exp) && exp > 0 ? exp * 1000 : Date.now() + (r.ExpiresIn ?? 3600) * 1000;
  return { idToken: r.IdToken, accessToken: r.AccessToken, refreshToken: r.RefreshToken ?? oldRefresh, expiresAt };
}
