// Settings, two-step sign-in: enrol an authenticator app (TOTP) or turn it
// off. Shown only when the deployment's pool offers MFA (config.json's
// cognito.mfa).
import { useEffect, useState } from "preact/hooks";
import { errorKey } from "../../api/cognito";
import { useApp } from "../common/context";
import { TotpKey } from "../common/TotpKey";

export function MfaSetting() {
  const { t, session } = useApp();
  const [enabled, setEnabled] = useState<boolean | null>(null);
  const [secret, setSecret] = useState("");
  const [code, setCode] = useState("");
  const [msg, setMsg] = useState("");
  const [busy, setBusy] = useState(false);
  const mode = session?.mfaMode ?? "off";
  useEffect(() => {
    if (!session || mode === "off") return;
    session.totpEnabled().then(setEnabled, () => setEnabled(false));
  }, [session, mode]);
  if (!session || mode === "off") return null;
  const run = async (f: () => Promise<void>) => {
    setBusy(true);
    try {
      await f();
    } catch (err) {
      setMsg(t(errorKey(err)));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="stack mfa-setting" aria-labelledby="set-mfa">
      <h3 id="set-mfa">{t("settings.mfa")}</h3>
      <p class="hint">{mode === "required" ? t("settings.mfaRequired") : enabled ? t("settings.mfaOnHelp") : t("settings.mfaOffHelp")}</p>
      {secret ? (
        <form
          class="stack"
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              await session.confirmTotp(code.trim());
              setSecret("");
              setCode("");
              setEnabled(true);
              setMsg(t("settings.mfaIsOn"));
            });
          }}
        >
          <TotpKey secret={secret} account={session.email} t={t} />
          <label>
            {t("totp.code")}
            <input name="totp-code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} required value={code} onInput={(e) => setCode(e.currentTarget.value)} />
          </label>
          <div class="dialog-actions">
            <button type="button" class="btn" disabled={busy} onClick={() => setSecret("")}>
              {t("settings.mfaCancel")}
            </button>
            <button type="submit" class="btn primary" disabled={busy}>
              {t("settings.mfaTurnOn")}
            </button>
          </div>
        </form>
      ) : (
        <div class="dialog-actions">
          <span role="status">{msg}</span>
          {enabled === false && (
            <button
              type="button"
              class="btn"
              disabled={busy}
              onClick={() =>
                void run(async () => {
                  setMsg("");
                  setSecret(await session.startTotp());
                })
              }
            >
              {t("settings.mfaSetUp")}
            </button>
          )}
          {enabled && mode !== "required" && (
            <button
              type="button"
              class="btn"
              disabled={busy}
              onClick={() =>
                void run(async () => {
                  await session.disableTotp();
                  setEnabled(false);
                  setMsg(t("settings.mfaIsOff"));
                })
              }
            >
              {t("settings.mfaTurnOff")}
            </button>
          )}
        </div>
      )}
    </section>
  );
}
