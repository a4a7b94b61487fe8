// Sign in, sign up and email confirmation, all against Cognito.
import { useState } from "preact/hooks";
import { CognitoClient, CognitoError, errorKey, type Tokens } from "../../api/cognito";
import type { Translate } from "../../i18n";

type Mode = "signIn" | "signUp" | "confirm";
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
  t,
  notice,
  onSignedIn,
}: {
  cognito: CognitoClient;
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
  const [busy, setBusy] = useState(false);
  const [error, setErrorText] = useState("");
  // The field the error concerns ("" for the form as a whole): shown below it.
  const [errorField, setErrorField] = useState<Field>("");
  const setError = (text: string, field: Field = "") => {
    setErrorText(text);
    setErrorField(field);
  };
  const [info, setInfo] = useState(notice ?? "");

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
      const key = weak ? "auth.err.weakPassword" : errorKey(err);
      setError(t(key), fieldOf(key, mode));
    } finally {
      setBusy(false);
    }
  }

  const signIn = () =>
    run(async () => {
      const tokens = await cognito.signIn(email.trim(), password);
      onSignedIn(tokens, remember);
    });

  const signUp = () =>
    run(async () => {
      const out = await cognito.signUp(email.trim(), password, name.trim());
      rememberSignUpName(email.trim(), name.trim());
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

  const title = mode === "signIn" ? t("auth.signIn") : mode === "signUp" ? t("auth.signUp") : t("auth.confirmTitle");
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
            void (mode === "signIn" ? signIn() : mode === "signUp" ? signUp() : confirm());
          }}
        >
          {mode === "confirm" ? (
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
              <label class="check">
                <input type="checkbox" name="remember" checked={remember} onChange={(e) => setRemember(e.currentTarget.checked)} />
                {t("auth.remember")}
              </label>
              <button type="submit" class="primary" disabled={busy}>
                {busy ? t("auth.working") : mode === "signIn" ? t("auth.signIn") : t("auth.signUp")}
              </button>
            </>
          )}
        </form>
        <p class="switch">
          {mode === "signIn" ? t("auth.noAccount") : t("auth.haveAccount")}{" "}
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
            {mode === "signIn" ? t("auth.signUp") : t("auth.signIn")}
          </button>
        </p>
      </div>
    </main>
  );
}
