// Offers notifications once, after the user's first message: asking on load
// is rude and browsers penalize it. Agreeing also subscribes this device to
// Web Push (when the server offers it), so notifications come with the tab
// closed too.
import { useState } from "preact/hooks";
import { askPermission, notificationPermission } from "../../features/notify";
import { useApp } from "../common/context";

const DISMISSED = "backchannel.notifyPromptDismissed";

export function NotifyPrompt() {
  const { t, push } = useApp();
  const [hidden, setHidden] = useState(() => notificationPermission() !== "default" || localStorage.getItem(DISMISSED) === "1");
  if (hidden) return null;
  const close = () => {
    localStorage.setItem(DISMISSED, "1");
    setHidden(true);
  };
  return (
    <div class="notify-prompt" role="region" aria-label={t("settings.notifications")}>
      {/* The long question on wide screens; on narrow ones a short one and a
          × to dismiss, so the prompt stays one line (styles.css). */}
      <span class="notify-long">{t("notify.prompt")}</span>
      <span class="notify-short">{t("notify.promptShort")}</span>
      <button
        type="button"
        class="btn primary"
        onClick={() => {
          // The offer goes once answered; subscribing (which may take the
          // push service a while) goes on behind it.
          void askPermission()
            .then((p) => {
              close();
              if (p === "granted") void push.enable();
            })
            .catch(close);
        }}
      >
        {t("notify.allow")}
      </button>
      <button type="button" class="btn notify-later" onClick={close} aria-label={t("notify.later")} title={t("notify.later")}>
        <span class="notify-long">{t("notify.later")}</span>
        <span class="notify-short" aria-hidden="true">
          ×
        </span>
      </button>
    </div>
  );
}
