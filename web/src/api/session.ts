// The signed-in session: tokens kept in localStorage only when the user
// asked to be remembered (sessionStorage otherwise), and refreshed silently
// before the ID token expires.
import { CognitoClient, CognitoError, jwtClaims, type Tokens } from "./cognito";
import { RequestError } from "./socket";

const KEY = "backchannel.session";
// Refresh this long before the ID token expires.
export const REFRESH_MARGIN_MS = 5 * 60_000;

const SESSION_OVER = new Set(["NotAuthorizedException", "UserNotFoundException", "ResourceNotFoundException"]);

interface Stored extends Tokens {
  remember: boolean;
}

export class Session {
  private tokens: Stored | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private refreshing: Promise<string> | null = null;
  // onLost: the session ended without the user asking ("deactivated" when
  // an admin deactivated them, "" when the refresh token was refused).
  onLost: (reason?: string) => void = () => {};

  constructor(private readonly cognito: CognitoClient) {}

  // restore loads a remembered (or this tab's) session, if any.
  restore(): boolean {
    for (const store of [localStorage, sessionStorage]) {
      const raw = store.getItem(KEY);
      if (!raw) continue;
      try {
        this.tokens = JSON.parse(raw) as Stored;
        this.schedule();
        return true;
      } catch {
        store.removeItem(KEY);
      }
    }
    return false;
  }

  signedIn(tokens: Tokens, remember: boolean): void {
    this.tokens = { ...tokens, remember };
    this.persist();
    this.schedule();
  }

  // signOut forgets the tokens; with revoke, it also ends the refresh
  // token at Cognito (RevokeToken), so a copy of it is worthless.
  signOut(revoke = false): void {
    const t = this.tokens;
    if (revoke && t?.refreshToken) this.cognito.revoke(t.refreshToken).catch(() => {});
    this.tokens = null;
    if (this.timer) clearTimeout(this.timer);
    localStorage.removeItem(KEY);
    sessionStorage.removeItem(KEY);
  }

  // signOutEverywhere ends every session of the user, on every device
  // (GlobalSignOut), then this one.
  async signOutEverywhere(): Promise<void> {
    if (!this.tokens) return;
    if (!this.tokens.accessToken) await this.refresh();
    await this.cognito.globalSignOut(this.tokens!.accessToken!);
    this.signOut();
  }

  // changePassword changes the signed-in user's password.
  async changePassword(oldPassword: string, newPassword: string): Promise<void> {
    if (!this.tokens) throw new RequestError("auth", "signed out");
    if (!this.tokens.accessToken) await this.refresh();
    await this.cognito.changePassword(this.tokens!.accessToken!, oldPassword, newPassword);
  }

  // The pool's MFA: whether the settings offer an authenticator app.
  get mfaMode(): "off" | "optional" | "required" {
    return this.cognito.mfaMode;
  }

  // totpEnabled: whether signing in asks for an authenticator code.
  async totpEnabled(): Promise<boolean> {
    return this.cognito.totpEnabled(await this.accessToken());
  }

  // startTotp begins enrolling an authenticator app; its key comes back.
  async startTotp(): Promise<string> {
    return (await this.cognito.associateTotp({ accessToken: await this.accessToken() })).secret;
  }

  // confirmTotp checks the app's first code, then asks for it at sign-in.
  async confirmTotp(code: string): Promise<void> {
    const accessToken = await this.accessToken();
    await this.cognito.verifyTotp({ accessToken }, code, "authenticator");
    await this.cognito.setTotp(accessToken, true);
  }

  async disableTotp(): Promise<void> {
    await this.cognito.setTotp(await this.accessToken(), false);
  }

  // groups are the workspace groups in the ID token (cognito:groups).
  get groups(): string[] {
    const g = this.tokens ? jwtClaims(this.tokens.idToken)["cognito:groups"] : undefined;
    return Array.isArray(g) ? g.map(String) : [];
  }

  get userId(): string {
    return this.tokens ? String(jwtClaims(this.tokens.idToken).sub ?? "") : "";
  }

  // accessToken: for the user pool's own API (GetUser), after a refresh
  // when due.
  async accessToken(): Promise<string> {
    await this.getToken();
    return this.tokens?.accessToken ?? "";
  }

  get email(): string {
    return this.tokens ? String(jwtClaims(this.tokens.idToken).email ?? "") : "";
  }

  // getToken returns a valid ID token, refreshing first when it is near
  // expiry. A refused refresh token rejects with RequestError("auth").
  getToken = async (force = false): Promise<string> => {
    const t = this.tokens;
    if (!t) throw new RequestError("auth", "signed out");
    if (!force && t.expiresAt - Date.now() > REFRESH_MARGIN_MS) return t.idToken;
    return this.refresh();
  };

  private refresh(): Promise<string> {
    if (this.refreshing) return this.refreshing;
    const t = this.tokens;
    if (!t) return Promise.reject(new RequestError("auth", "signed out"));
    this.refreshing = this.cognito
      .refresh(t.refreshToken)
      .then((fresh) => {
        this.tokens = { ...fresh, remember: t.remember };
        this.persist();
        this.schedule();
        return fresh.idToken;
      })
      .catch((err: unknown) => {
        // The refresh token (or the pool or client it belongs to) is no
        // longer valid: the user must sign in again.
        if (err instanceof CognitoError && SESSION_OVER.has(err.type)) {
          this.signOut();
          this.onLost();
          throw new RequestError("auth", err.message);
        }
        throw err;
      })
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }

  private persist(): void {
    if (!this.tokens) return;
    const raw = JSON.stringify(this.tokens);
    (this.tokens.remember ? localStorage : sessionStorage).setItem(KEY, raw);
    (this.tokens.remember ? sessionStorage : localStorage).removeItem(KEY);
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    if (!this.tokens) return;
    const wait = Math.max(0, this.tokens.expiresAt - Date.now() - REFRESH_MARGIN_MS);
    // setTimeout overflows past ~24.8 days; tokens live at most a day.
    this.timer = setTimeout(() => {
      // Offline or Cognito down: try again in a while (getToken also
      // refreshes on demand before each connect).
      this.refresh().catch(() => {
        if (this.tokens) this.timer = setTimeout(() => this.schedule(), 30_000);
      });
    }, Math.min(wait, 2 ** 31 - 1));
  }
}
