// The workspace's default message retention (admins only; the server
// checks): rooms without their own setting remove older messages.
import { useEffect, useState } from "preact/hooks";
import { useApp, useChatState } from "../common/context";
import { useSubmit } from "../common/useSubmit";
import { isAdmin } from "../../state/moderation";

export function RetentionSetting() {
  const { chat, retention, t } = useApp();
  const state = useChatState(chat);
  const { error, run } = useSubmit();
  const [days, setDays] = useState(retention.workspaceDays === null ? "" : String(retention.workspaceDays));
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (retention.workspaceDays !== null && days === "") setDays(String(retention.workspaceDays));
  }, [retention.workspaceDays]);
  if (!isAdmin(state)) return null;
  const save = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      await retention.setWorkspaceDays(Number(days));
      setSaved(true);
    });
  };
  return (
    <section class="settings-section retention-section" aria-labelledby="set-retention">
      <h3 id="set-retention">{t("retention.workspace")}</h3>
      <form class="settings-rows" onSubmit={save}>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <label class="settings-row">
          <span>{t("retention.workspaceDays")}</span>
          <input name="workspace-retention" type="number" min={0} max={3650} step={1} required value={days} onInput={(e) => (setDays(e.currentTarget.value), setSaved(false))} />
        </label>
        <p class="hint">{t("retention.workspaceHint")}</p>
        <div class="dialog-actions">
          <span role="status">{saved ? t("retention.saved") : ""}</span>
          <button type="submit" class="btn">
            {t("retention.save")}
          </button>
        </div>
      </form>
    </section>
  );
}
