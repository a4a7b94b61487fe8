// Offers browser notifications once, after the user's first message: asking
// on load is rude and browsers penalize it.
import { useState } from "preact/hooks";
import { askPermission, notificationPermission } from "../../features/notify";
import { useApp } from "../common/context";

const DISMISSED = "backchannel.notifyPromptDismissed";

export function NotifyPrompt() {
  const { t } = useApp();
  const [hidden, setHidden] = useState(() => notificationPermission() !== "default" || localStorage.getItem(DISMISSED) === "1");
  if (hidden) return null;
  const close = () => {
    localStorage.setItem(DISMISSED, "1");
    setHidden(true);
  };
  return (
    <div class="notify-prompt" role="region" aria-label={t("settings.notifications")}>
      <span>{t("notify.prompt")}</span>
      <button
        type="button"
        class="btn primary"
        onClick={() => {
          void askPermission().finally(close);
        }}
      >
        {t("notify.allow")}
      </button>
      <button type="button" class="btn" onClick={close}>
        {t("notify.later")}
      </button>
    </div>
  );
}
