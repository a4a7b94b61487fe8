// Settings, privacy: delete my account. The person types DELETE to
// confirm; the server refuses the account at once and erases it in the
// background (docs/PROTOCOL.md, deleteAccount); this window signs out.
import { useState } from "preact/hooks";
import { useApp } from "../common/context";
import { useSubmit } from "../common/useSubmit";

const CONFIRM = "DELETE";

export function DeleteAccountSetting() {
  const { chat, t, signOut, session } = useApp();
  const [typed, setTyped] = useState("");
  const del = useSubmit();
  return (
    <form
      class="stack delete-account"
      aria-labelledby="set-delete-account"
      onSubmit={(e) => {
        e.preventDefault();
        if (typed !== CONFIRM) return;
        void del.run(async () => {
          await chat.request({ action: "deleteAccount", confirm: typed });
          // Signed out with the reason, the tokens kept from a revoke the
          // disabled account would refuse.
          if (session) session.onLost("deleted");
          else signOut();
        });
      }}
    >
      <h3 id="set-delete-account">{t("settings.deleteAccount")}</h3>
      <p class="hint">{t("settings.deleteAccountHelp")}</p>
      <label>
        {t("settings.deleteAccountConfirm", { word: CONFIRM })}
        <input name="delete-confirm" autoComplete="off" autoCapitalize="characters" spellcheck={false} value={typed} onInput={(e) => setTyped(e.currentTarget.value)} />
      </label>
      {del.error && (
        <p class="error" role="alert">
          {t("common.error", { error: del.error })}
        </p>
      )}
      <div class="dialog-actions">
        <button type="submit" class="btn danger" disabled={typed !== CONFIRM || del.busy}>
          {t("settings.deleteAccountButton")}
        </button>
      </div>
    </form>
  );
}
