// Settings, security: change the password, sign out on every device.
import { useState } from "preact/hooks";
import { errorKey } from "../../api/cognito";
import { useApp } from "../common/context";

export function SecuritySetting() {
  const { t, session, signOut } = useApp();
  const [oldPw, setOldPw] = useState("");
  const [newPw, setNewPw] = useState("");
  const [msg, setMsg] = useState("");
  const [busy, setBusy] = useState(false);
  if (!session) return null;
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
    <form
      class="stack"
      onSubmit={(e) => {
        e.preventDefault();
        void run(async () => {
          await session.changePassword(oldPw, newPw);
          setOldPw("");
          setNewPw("");
          setMsg(t("settings.passwordChanged"));
        });
      }}
    >
      <h3>{t("settings.security")}</h3>
      <label>
        {t("settings.currentPassword")}
        <input name="current-password" type="password" autoComplete="current-password" required value={oldPw} onInput={(e) => setOldPw(e.currentTarget.value)} />
      </label>
      <label>
        {t("settings.newPassword")}
        <input name="new-password" type="password" autoComplete="new-password" required minLength={8} value={newPw} onInput={(e) => setNewPw(e.currentTarget.value)} />
      </label>
      <div class="dialog-actions">
        <span role="status">{msg}</span>
        <button type="submit" class="btn" disabled={busy}>
          {t("settings.changePassword")}
        </button>
      </div>
      <p class="hint">{t("settings.signOutEverywhereHelp")}</p>
      <div class="dialog-actions">
        <button
          type="button"
          class="btn danger"
          disabled={busy}
          onClick={() =>
            void run(async () => {
              await session.signOutEverywhere();
              signOut();
            })
          }
        >
          {t("settings.signOutEverywhere")}
        </button>
      </div>
    </form>
  );
}
