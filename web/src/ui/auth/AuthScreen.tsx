// Sign in, sign up and email confirmation, forgotten passwords, the first
// sign-in of an invited person (NEW_PASSWORD_REQUIRED), the authenticator
// code (SOFTWARE_TOKEN_MFA, and MFA_SETUP where the pool requires one), all
// against Cognito; and sign-in with an external identity provider through
// the hosted domain (authorization code + PKCE).
import { useEffect, useState } from "preact/hooks";
import { CognitoClient, CognitoError, errorKey, MfaRequired, MfaSetupRequired, NewPasswordRequired, type CognitoConfig, type Tokens } from "../../api/cognito";
import { authorizeURL, finish as finishProvider, hasAnswer } from "../../api/oauth";
import type { Translate } from "../../i18n";
import { TotpKey } from "../common/TotpKey";
import type { LegalConfig } from "../../api/config";
import { rememberTick } from "../../features/terms";
import { LegalLink } from "../legal/LegalViewer";

type Mode = "signIn" | "signUp" | "confirm" | "forgot" | "reset" | "newPassword" | "mfa" | "mfaSetup";
type Field = "" | "email" | "password" | "code";

// fieldOf: which field an error is about.
function fieldOf(key: string, mode: Mode): Field {
  if (mode === "confirm") return key === "auth.err.badCode" || key === "auth.err.expiredCode" ? "code" : "";
  if (key === "auth.err.badCredentials" || key === "auth.err.weakPassword") return "password";
  if (key === "auth.err.exists") return "email";
  if (key === "auth.err.invalid") return mode === "signUp" ? "password" : "email";
  return "";
}

// The name chosen at sign-up is applied to the chat profile on the first
// connection when the ID token did not carry it (cognito-local omits the
// "name" attribute from ID tokens).
const signUpNameKey = (email: string) => `backchannel.signUpName.${email.toLowerCase()}`;
function rememberSignUpName(email: string, name: string): void {
  localStorage.setItem(signUpNameKey(email), name);
}
export function takeSignUpName(email: string): { name: string; done(): void } | null {
  const name = email ? localStorage.getItem(signUpNameKey(email)) : null;
  return name ? { name, done: () => localStorage.removeItem(signUpNameKey(email)) } : null;
}

export function AuthScreen({
  cognito,
  config,
  legal,
  t,
  notice,
  onSignedIn,
}: {
  cognito: CognitoClient;
  config?: CognitoConfig;
  legal?: LegalConfig;
  t: Translate;
  notice?: string;
  onSignedIn(tokens: Tokens, remember: boolean): void;
}) {
  const [mode, setMode] = useState<Mode>("signIn");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [name, setName] = useState("");
  const [code, setCode] = useState("");
  const [remember, setRemember] = useState(false);
  // The terms' box at sign-up: never ticked for the person.
  const [accepted, setAccepted] = useState(false);
  const termsVersion = legal?.version ?? "";
  const [busy, setBusy] = useState(false);
  const [error, setErrorText] = useState("");
  // The field the error concerns ("" for the form as a whole): shown below it.
  const [errorField, setErrorField] = useState<Field>("");
  const setError = (text: string, field: Field = "") => {
    setErrorText(text);
    setErrorField(field);
  };
  const [info, setInfo] = useState(notice ?? "");
  const [challenge, setChallenge] = useState("");
  // The name the challenge answers give (SRP: the pool's user id).
  const [challengeUser, setChallengeUser] = useState("");
  const [totpSecret, setTotpSecret] = useState("");
  const providers = config?.domain ? (config.providers ?? []) : [];

  // Back from the provider (the hosted domain redirected here with a code).
  useEffect(() => {
    if (!config || !hasAnswer(location.search)) return;
    const search = location.search;
    history.replaceState(null, "", location.pathname); // the code is single-use: do not keep it in the address bar
    void run(async () => {
      try {
        const { tokens, remember } = await finishProvider(config, search);
        onSignedIn(tokens, remember);
      } catch (err) {
        if (err instanceof CognitoError && err.type.startsWith("OAuth")) throw new CognitoError("provider", err.message);
        throw err;
      }
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const withProvider = (id: string) =>
    run(async () => {
      location.assign(await authorizeURL(config!, id, remember, location.origin));
    });

  // challenged moves to the step a sign-in's challenge asks for; other
  // errors go on to run's handling.
  const challenged = async (err: unknown) => {
    if (err instanceof NewPasswordRequired) {
      setChallenge(err.session);
      setChallengeUser(err.username || email.trim());
      setPassword("");
      setInfo(t("auth.newPasswordHelp"));
      setMode("newPassword");
    } else if (err instanceof MfaRequired) {
      setChallenge(err.session);
      setChallengeUser(err.username);
      setCode("");
      setInfo(t("auth.mfaHelp"));
      setMode("mfa");
    } else if (err instanceof MfaSetupRequired) {
      const { secret, session } = await cognito.associateTotp({ session: err.session });
      setTotpSecret(secret);
      setChallenge(session ?? err.session);
      setChallengeUser(err.username);
      setCode("");
      setInfo(t("auth.mfaSetupHelp"));
      setMode("mfaSetup");
    } else {
      throw err;
    }
  };

  async function run(f: () => Promise<void>) {
    setBusy(true);
    setError("");
    try {
      await f();
    } catch (err) {
      if (err instanceof CognitoError && err.type === "UserNotConfirmedException") {
        setMode("confirm");
        setInfo("");
      }
      const weak = mode === "signUp" && err instanceof CognitoError && err.type === "InvalidPasswordException";
      const provider = err instanceof CognitoError && err.type === "provider";
      const key = weak ? "auth.err.weakPassword" : provider ? "auth.err.provider" : errorKey(err);
      setError(t(key), fieldOf(key, mode));
    } finally {
      setBusy(false);
    }
  }

  const signIn = () =>
    run(async () => {
      try {
        onSignedIn(await cognito.signIn(email.trim(), password), remember);
      } catch (err) {
        await challenged(err);
      }
    });

  const setNewPassword = () =>
    run(async () => {
      try {
        onSignedIn(await cognito.setNewPassword(challengeUser || email.trim(), password, challenge), remember);
      } catch (err) {
        await challenged(err);
      }
    });

  const answerMfa = () =>
    run(async () => {
      try {
        onSignedIn(await cognito.answerMfa(challengeUser, code.trim(), challenge), remember);
      } catch (err) {
        // The session ended (3 minutes, or used): sign in again.
        if (err instanceof CognitoError && err.type === "NotAuthorizedException") {
          setMode("signIn");
          setInfo("");
        }
        await challenged(err);
      }
    });

  const setUpMfa = () =>
    run(async () => {
      const { session } = await cognito.verifyTotp({ session: challenge }, code.trim(), "authenticator");
      onSignedIn(await cognito.finishMfaSetup(challengeUser, session ?? challenge), remember);
    });

  const forgot = () =>
    run(async () => {
      try {
        await cognito.forgotPassword(email.trim());
      } catch (err) {
        // Do not reveal whether the address has an account.
        if (!(err instanceof CognitoError && err.type === "UserNotFoundException")) throw err;
      }
      setPassword("");
      setInfo(t("auth.resetHelp", { email: email.trim() }));
      setMode("reset");
    });

  const reset = () =>
    run(async () => {
      await cognito.confirmForgotPassword(email.trim(), code.trim(), password);
      setPassword("");
      setCode("");
      setInfo(t("auth.resetDone"));
      setMode("signIn");
    });

  const signUp = () =>
    run(async () => {
      if (termsVersion && !accepted) {
        setError(t("legal.mustAccept"));
        return;
      }
      let out: { confirmed: boolean };
      try {
        out = await cognito.signUp(email.trim(), password, name.trim());
      } catch (err) {
        // The sign-up screen does not reveal whether an email has an
        // account: an existing one gets the same "check your email" step
        // (its owner can sign in or reset the password).
        if (!(err instanceof CognitoError && err.type === "UsernameExistsException")) throw err;
        out = { confirmed: false };
      }
      rememberSignUpName(email.trim(), name.trim());
      // The server records the acceptance on the first connection, for the
      // signed-in person (features/terms).
      if (termsVersion) rememberTick(email.trim(), termsVersion);
      if (out.confirmed) {
        onSignedIn(await cognito.signIn(email.trim(), password), remember);
        return;
      }
      setInfo("");
      setMode("confirm");
    });

  const confirm = () =>
    run(async () => {
      await cognito.confirmSignUp(email.trim(), code.trim());
      if (password) {
        onSignedIn(await cognito.signIn(email.trim(), password), remember);
      } else {
        setInfo(t("auth.confirmed"));
        setMode("signIn");
      }
    });

  const resend = () =>
    run(async () => {
      await cognito.resendCode(email.trim());
      setInfo(t("auth.resent"));
    });

  const fieldAttrs = (f: Field) => (errorField === f ? { "aria-invalid": true, "aria-describedby": `err-${f}` } : {});
  const fieldMessage = (f: Field) =>
    errorField === f && error ? (
      <p class="field-error" id={`err-${f}`} role="alert">
        {error}
      </p>
    ) : null;

  const titles: Record<Mode, string> = {
    signIn: t("auth.signIn"),
    signUp: t("auth.signUp"),
    confirm: t("auth.confirmTitle"),
    forgot: t("auth.forgotTitle"),
    reset: t("auth.forgotTitle"),
    newPassword: t("auth.newPasswordTitle"),
    mfa: t("auth.mfaTitle"),
    mfaSetup: t("auth.mfaSetupTitle"),
  };
  const title = titles[mode];
  const submit = { signIn, signUp, confirm, forgot, reset, newPassword: setNewPassword, mfa: answerMfa, mfaSetup: setUpMfa }[mode];
  const codeField = (label: string) => (
    <label>
      {label}
      <input name="totp-code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} required value={code} onInput={(e) => setCode(e.currentTarget.value)} />
    </label>
  );
  const newPasswordField = (
    <>
      <label>
        {t("auth.newPassword")}
        <input
          name="new-password"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          aria-describedby="pw-hint"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
        />
      </label>
      <p class="hint" id="pw-hint">
        {t("auth.passwordHint")}
      </p>
    </>
  );
  return (
    <main class="auth" id="main">
      <div class="auth-card">
        <h1 class="brand">{t("app.name")}</h1>
        <p class="tagline">{t("auth.tagline")}</p>
        <h2>{title}</h2>
        {info && (
          <p class="info" role="status">
            {info}
          </p>
        )}
        {error && !errorField && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {/* keyed by mode: reusing one mode's inputs for another leaks
            attributes such as maxLength */}
        <form
          key={mode}
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          {mode === "forgot" ? (
            <>
              <p>{t("auth.forgotHelp")}</p>
              <label>
                {t("auth.email")}
                <input name="email" type="email" autoComplete="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
              </label>
              <button type="submit" class="primary" disabled={busy}>
                {busy ? t("auth.working") : t("auth.sendCode")}
              </button>
            </>
          ) : mode === "reset" ? (
            <>
              <label>
                {t("auth.code")}
                <input name="code" inputMode="numeric" autoComplete="one-time-code" required value={code} onInput={(e) => setCode(e.currentTarget.value)} />
              </label>
              {newPasswordField}
              <button type="submit" class="primary" disabled={busy}>
                {busy ? t("auth.working") : t("auth.setPassword")}
              </button>
            </>
          ) : mode === "mfa" ? (
            <>
              {codeField(t("auth.mfaCode"))}
              <button type="submit" class="primary" disabled={busy}>
                {busy ? t("auth.working") : t("auth.verify")}
              </button>
            </>
          ) : mode === "mfaSetup" ? (
            <>
              <TotpKey secret={totpSecret} account={email.trim()} t={t} />
              {codeField(t("totp.code"))}
              <button type="submit" class="primary" disabled={busy}>
                {busy ? t("auth.working") : t("auth.verify")}
              </button>
            </>
          ) : mode === "newPassword" ? (
            <>
              {newPasswordField}
              <button type="submit" class="primary" disabled={busy}>
                {busy ? t("auth.working") : t("auth.setPassword")}
              </button>
            </>
          ) : mode === "confirm" ? (
            <>
              <p>{t("auth.confirmHelp", { email })}</p>
              <label>
                {t("auth.code")}
                <input name="code" inputMode="numeric" autoComplete="one-time-code" required value={code} onInput={(e) => setCode(e.currentTarget.value)} {...fieldAttrs("code")} />
              </label>
              {fieldMessage("code")}
              <button type="submit" class="primary" disabled={busy}>
                {busy ? t("auth.working") : t("auth.confirm")}
              </button>
              <button type="button" class="link" onClick={() => void resend()} disabled={busy}>
                {t("auth.resend")}
              </button>
            </>
          ) : (
            <>
              {mode === "signUp" && (
                <label>
                  {t("auth.displayName")}
                  <input name="name" autoComplete="name" required maxLength={80} value={name} onInput={(e) => setName(e.currentTarget.value)} />
                </label>
              )}
              <label>
                {t("auth.email")}
                <input name="email" type="email" autoComplete="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} {...fieldAttrs("email")} />
              </label>
              {fieldMessage("email")}
              <label>
                {t("auth.password")}
                <input
                  name="password"
                  type="password"
                  autoComplete={mode === "signUp" ? "new-password" : "current-password"}
                  required
                  minLength={mode === "signUp" ? 8 : undefined}
                  aria-describedby={[mode === "signUp" ? "pw-hint" : "", errorField === "password" ? "err-password" : ""].filter(Boolean).join(" ") || undefined}
                  aria-invalid={errorField === "password" || undefined}
                  value={password}
                  onInput={(e) => setPassword(e.currentTarget.value)}
                />
              </label>
              {fieldMessage("password")}
              {mode === "signUp" && (
                <p class="hint" id="pw-hint">
                  {t("auth.passwordHint")}
                </p>
              )}
              {mode === "signUp" && legal && termsVersion && (
                <label class="check legal-accept">
                  <input type="checkbox" name="acceptTerms" checked={accepted} onChange={(e) => setAccepted(e.currentTarget.checked)} />
                  <span>
                    {t("legal.signUpAccept")} <LegalLink href={legal.terms} label={t("legal.terms")} t={t} />, <LegalLink href={legal.privacy} label={t("legal.privacy")} t={t} />,{" "}
                    <LegalLink href={legal.guidelines} label={t("legal.guidelines")} t={t} />
                  </span>
                </label>
              )}
              {mode === "signUp" && legal && !termsVersion && (
                <p class="hint">
                  <LegalLink href={legal.terms} label={t("legal.terms")} t={t} /> · <LegalLink href={legal.privacy} label={t("legal.privacy")} t={t} /> ·{" "}
                  <LegalLink href={legal.guidelines} label={t("legal.guidelines")} t={t} />
                </p>
              )}
              <label class="check">
                <input type="checkbox" name="remember" checked={remember} onChange={(e) => setRemember(e.currentTarget.checked)} />
                {t("auth.remember")}
              </label>
              <button type="submit" class="primary" disabled={busy}>
                {busy ? t("auth.working") : mode === "signIn" ? t("auth.signIn") : t("auth.signUp")}
              </button>
              {mode === "signIn" && (
                <button
                  type="button"
                  class="link"
                  onClick={() => {
                    setError("");
                    setInfo("");
                    setMode("forgot");
                  }}
                >
                  {t("auth.forgot")}
                </button>
              )}
            </>
          )}
        </form>
        {mode === "signIn" && providers.length > 0 && (
          <div class="providers">
            <p class="or">{t("auth.orWith")}</p>
            {providers.map((p) => (
              <button key={p.id} type="button" class="provider" disabled={busy} onClick={() => void withProvider(p.id)}>
                {t("auth.withProvider", { name: p.name })}
              </button>
            ))}
          </div>
        )}
        <p class="switch">
          {mode === "signIn" ? t("auth.noAccount") : mode === "signUp" ? t("auth.haveAccount") : ""}{" "}
          <button
            type="button"
            class="link"
            onClick={() => {
              setError("");
              setInfo("");
              // A password typed for one account is not carried to another.
              setPassword("");
              setMode(mode === "signIn" ? "signUp" : "signIn");
            }}
          >
            {mode === "signIn" ? t("auth.signUp") : mode === "signUp" ? t("auth.signIn") : t("auth.backToSignIn")}
          </button>
        </p>
      </div>
    </main>
  );
}
