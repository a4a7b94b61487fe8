// The top level: configuration, the session, then either the sign-in
// screen or the chat.
import { useEffect, useMemo, useState } from "preact/hooks";
import { createClient } from "../features/client";
import { CognitoClient, type Tokens } from "../api/cognito";
import { loadConfig, type AppConfig } from "../api/config";
import { translator } from "../i18n";
import { applyPrefs, hasSavedPrefs, loadPrefs, savePrefs, type Prefs } from "../features/prefs";
import { Session } from "../api/session";
import type { SignUpName } from "../state/chat";
import { AuthScreen, takeSignUpName } from "./auth/AuthScreen";
import { ChatShell } from "./shell/ChatShell";
import { AppContext } from "./common/context";
import { TermsDialog } from "./legal/TermsDialog";

export function App() {
  const [config, setConfig] = useState<AppConfig | null>(null);
  const [configError, setConfigError] = useState("");
  useEffect(() => {
    loadConfig().then(setConfig, (err: Error) => setConfigError(err.message));
  }, []);
  const t0 = translator(loadPrefs("").lang);
  if (configError) return <p class="fatal" role="alert">{t0("app.configError", { error: configError })}</p>;
  if (!config) return <p class="fatal" role="status">{t0("app.loading")}</p>;
  return <Signed config={config} />;
}

function Signed({ config }: { config: AppConfig }) {
  const cognito = useMemo(() => new CognitoClient(config.cognito), [config]);
  const session = useMemo(() => new Session(cognito), [cognito]);
  const [userId, setUserId] = useState(() => (session.restore() ? session.userId : ""));
  const [notice, setNotice] = useState("");
  const [prefs, setPrefsState] = useState<Prefs>(() => loadPrefs(userId));
  const t = useMemo(() => translator(prefs.lang), [prefs.lang]);

  useEffect(() => {
    applyPrefs(prefs);
    const mq = matchMedia("(prefers-color-scheme: dark)");
    const onChange = () => applyPrefs(prefs);
    mq.addEventListener?.("change", onChange);
    return () => mq.removeEventListener?.("change", onChange);
  }, [prefs]);

  const signOut = (why = "", revoke = false) => {
    session.signOut(revoke);
    setUserId("");
    setNotice(why);
  };
  session.onLost = (reason) => signOut(reason === "deactivated" ? t("auth.deactivated") : reason === "deleted" ? t("auth.deleted") : t("auth.sessionLost"));

  const onSignedIn = (tokens: Tokens, remember: boolean) => {
    session.signedIn(tokens, remember);
    setPrefsState(loadPrefs(session.userId));
    setUserId(session.userId);
    setNotice("");
  };

  if (!userId) {
    document.title = t("app.name");
    return <AuthScreen cognito={cognito} config={config.cognito} legal={config.legal} t={t} notice={notice} onSignedIn={onSignedIn} />;
  }
  return (
    <ChatRoot
      key={userId}
      config={config}
      session={session}
      cognito={cognito}
      prefs={prefs}
      setPrefs={(p) => {
        savePrefs(userId, p);
        setPrefsState(p);
      }}
      signOut={() => signOut("", true)}
    />
  );
}

// signUpName: the display name given at sign-up. This browser remembers it
// from the sign-up form; else (the account was confirmed or first used in
// another browser) it is the user pool's "name" attribute, read once per
// user and browser with GetUser, applied only while the profile still has
// the server's fallback name (the email's local part).
async function signUpName(cognito: CognitoClient, session: Session): Promise<SignUpName | null> {
  const local = takeSignUpName(session.email);
  if (local) return local;
  const key = `backchannel.nameChecked.${session.userId}`;
  if (localStorage.getItem(key)) return null;
  const token = await session.accessToken();
  if (!token) return null;
  const attrs = await cognito.getUser(token);
  return { name: (attrs.name ?? "").trim(), ifDefault: session.email.split("@")[0], done: () => localStorage.setItem(key, "1") };
}

function ChatRoot({ config, session, cognito, prefs, setPrefs, signOut }: { config: AppConfig; session: Session; cognito: CognitoClient; prefs: Prefs; setPrefs(p: Prefs): void; signOut(): void }) {
  const t = useMemo(() => translator(prefs.lang), [prefs.lang]);
  // The controller reads the latest prefs and translator through refs.
  const live = useMemo(() => ({ prefs, t, setPrefs }), []);
  live.prefs = prefs;
  live.t = t;
  live.setPrefs = setPrefs;
  const client = useMemo(
    () =>
      createClient({
        userId: session.userId,
        // The server's appearance: used and cached (never sent back).
        applyPrefs: (p) => {
          live.prefs = p;
          live.setPrefs(p);
        },
        hadLocalPrefs: hasSavedPrefs(session.userId),
        wsUrl: config.wsUrl,
        getToken: session.getToken,
        onAuthLost: (reason) => session.onLost(reason),
        prefs: () => live.prefs,
        t: () => live.t,
        signUpName: () => signUpName(cognito, session),
        email: session.email,
      }),
    [],
  );
  const { chat } = client;
  useEffect(() => {
    chat.start();
    return () => chat.stop();
  }, [chat]);
  return (
    <AppContext.Provider
      value={{
        ...client,
        t,
        prefs,
        setPrefs: (p) => {
          setPrefs(p);
          void client.preferences.saveAppearance(p);
        },
        // The server forgets this device's push subscription first (not
        // waiting long for it: signing out must not hang on the network).
        signOut: () => void Promise.race([client.push.signOut(), new Promise((r) => setTimeout(r, 2000))]).finally(signOut),
        session,
        legal: config.legal,
        httpApiUrl: config.httpApiUrl,
      }}
    >
      <ChatShell />
      <TermsDialog legal={config.legal} />
    </AppContext.Provider>
  );
}
