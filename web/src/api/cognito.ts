// Cognito user pools over plain fetch: the same JSON API is served by AWS
// and by cognito-local, so one code path works in both.
import type { MessageKey } from "../i18n";
import { srpSignIn } from "./srp";

export interface CognitoConfig {
  endpoint: string;
  userPoolId: string;
  clientId: string;
  // How the password is checked: USER_SRP_AUTH (the deployed pool: the
  // password never leaves the browser) or USER_PASSWORD_AUTH (the local
  // pool: cognito-local cannot do SRP). Absent means USER_PASSWORD_AUTH.
  authFlow?: "USER_SRP_AUTH" | "USER_PASSWORD_AUTH";
  // TOTP MFA of the pool: off (absent), optional or required.
  mfa?: "off" | "optional" | "required";
  // The hosted domain (https://...) and its external identity providers,
  // when the deployment has them.
  domain?: string;
  providers?: { id: string; name: string }[];
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

  get mfaMode(): "off" | "optional" | "required" {
    return this.cfg.mfa ?? "off";
  }

  // signIn checks the password (SRP where the pool can, see authFlow).
  // A challenge that needs the person is thrown: NewPasswordRequired,
  // MfaRequired (the authenticator's code) or MfaSetupRequired.
  async signIn(email: string, password: string): Promise<Tokens> {
    if (this.cfg.authFlow === "USER_SRP_AUTH") return this.next(email, await srpSignIn<AuthOut>(this.call.bind(this), this.cfg, email, password));
    const out = await this.call<AuthOut>("InitiateAuth", {
      ClientId: this.cfg.clientId,
      AuthFlow: "USER_PASSWORD_AUTH",
      AuthParameters: { USERNAME: email, PASSWORD: password },
    });
    return this.next(email, out);
  }

  // next turns an auth answer into tokens, or throws the challenge the
  // person must answer. SELECT_MFA_TYPE is answered here: authenticator
  // apps are the only second factor the pool offers.
  private async next(email: string, out: AuthOut): Promise<Tokens> {
    // The name the challenge answers must give (the SRP flow's user id).
    const user = out.ChallengeParameters?.USER_ID_FOR_SRP || email;
    switch (out.ChallengeName) {
      case "NEW_PASSWORD_REQUIRED":
        throw new NewPasswordRequired(out.Session ?? "", user);
      case "SOFTWARE_TOKEN_MFA":
        throw new MfaRequired(out.Session ?? "", user);
      case "MFA_SETUP":
        throw new MfaSetupRequired(out.Session ?? "", user);
      case "SELECT_MFA_TYPE":
        return this.next(
          user,
          await this.call<AuthOut>("RespondToAuthChallenge", {
            ClientId: this.cfg.clientId,
            ChallengeName: "SELECT_MFA_TYPE",
            Session: out.Session,
            ChallengeResponses: { USERNAME: user, ANSWER: "SOFTWARE_TOKEN_MFA" },
          }),
        );
    }
    return tokensFrom(out, "");
  }

  // answerMfa answers SOFTWARE_TOKEN_MFA with the authenticator's code.
  async answerMfa(email: string, code: string, session: string): Promise<Tokens> {
    const out = await this.call<AuthOut>("RespondToAuthChallenge", {
      ClientId: this.cfg.clientId,
      ChallengeName: "SOFTWARE_TOKEN_MFA",
      Session: session,
      ChallengeResponses: { USERNAME: email, SOFTWARE_TOKEN_MFA_CODE: code },
    });
    return this.next(email, out);
  }

  // associateTotp starts enrolling an authenticator app: with the access
  // token (settings) or a sign-in's MFA_SETUP session. The secret is the
  // base32 key the app needs.
  async associateTotp(by: { accessToken: string } | { session: string }): Promise<{ secret: string; session?: string }> {
    const out = await this.call<{ SecretCode?: string; Session?: string }>(
      "AssociateSoftwareToken",
      "accessToken" in by ? { AccessToken: by.accessToken } : { Session: by.session },
    );
    if (!out.SecretCode) throw new CognitoError("Unknown", "no secret");
    return { secret: out.SecretCode, session: out.Session };
  }

  // verifyTotp proves the app was set up: its current code.
  async verifyTotp(by: { accessToken: string } | { session: string }, code: string, deviceName: string): Promise<{ session?: string }> {
    const out = await this.call<{ Status?: string; Session?: string }>("VerifySoftwareToken", {
      ...("accessToken" in by ? { AccessToken: by.accessToken } : { Session: by.session }),
      UserCode: code,
      FriendlyDeviceName: deviceName,
    });
    if (out.Status !== "SUCCESS") throw new CognitoError("CodeMismatchException", "code not accepted");
    return { session: out.Session };
  }

  // finishMfaSetup completes a sign-in that had to enrol (MFA_SETUP).
  async finishMfaSetup(email: string, session: string): Promise<Tokens> {
    const out = await this.call<AuthOut>("RespondToAuthChallenge", {
      ClientId: this.cfg.clientId,
      ChallengeName: "MFA_SETUP",
      Session: session,
      ChallengeResponses: { USERNAME: email },
    });
    return this.next(email, out);
  }

  // setTotp turns sign-in codes from the authenticator app on or off.
  async setTotp(accessToken: string, enabled: boolean): Promise<void> {
    await this.call("SetUserMFAPreference", { AccessToken: accessToken, SoftwareTokenMfaSettings: { Enabled: enabled, PreferredMfa: enabled } });
  }

  // totpEnabled: whether signing in asks for the authenticator's code.
  async totpEnabled(accessToken: string): Promise<boolean> {
    const out = await this.call<{ UserMFASettingList?: string[] }>("GetUser", { AccessToken: accessToken });
    return (out.UserMFASettingList ?? []).includes("SOFTWARE_TOKEN_MFA");
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
    return this.next(email, out);
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
  constructor(
    readonly session: string,
    readonly username = "",
  ) {
    super("NEW_PASSWORD_REQUIRED");
  }
}

// MfaRequired: the password was right; answer with answerMfa, the
// authenticator's current code and this session.
export class MfaRequired extends Error {
  constructor(
    readonly session: string,
    readonly username: string,
  ) {
    super("SOFTWARE_TOKEN_MFA");
  }
}

// MfaSetupRequired: the pool requires MFA and the person has no
// authenticator yet: associateTotp/verifyTotp with this session, then
// finishMfaSetup.
export class MfaSetupRequired extends Error {
  constructor(
    readonly session: string,
    readonly username: string,
  ) {
    super("MFA_SETUP");
  }
}

export interface AuthOut {
  AuthenticationResult?: { IdToken?: string; AccessToken?: string; RefreshToken?: string; ExpiresIn?: number };
  ChallengeName?: string;
  ChallengeParameters?: Record<string, string>;
  Session?: string;
}

// tokensFrom: the tokens of a finished sign-in (the OAuth code grant's
// answer is turned into the same shape).
export function tokensFrom(out: AuthOut, oldRefresh: string): Tokens {
  const r = out.AuthenticationResult;
  if (!r?.IdToken) throw new CognitoError(out.ChallengeName ?? "Unknown", "unsupported sign-in challenge");
  const exp = Number(jwtClaims(r.IdToken).exp);
  const expiresAt = Number.isFinite(exp) && exp > 0 ? exp * 1000 : Date.now() + (r.ExpiresIn ?? 3600) * 1000;
  return { idToken: r.IdToken, accessToken: r.AccessToken, refreshToken: r.RefreshToken ?? oldRefresh, expiresAt };
}
