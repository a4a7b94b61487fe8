// Settings, Privacy > Your data: ask for an export of my data, see where it
// is (the server's status, so a reload keeps it), download it while valid.
import { useLayoutEffect, useState } from "preact/hooks";
import { useApp, useChatState } from "../common/context";
import { errorText } from "../common/errorText";
import { humanSize } from "../common/fileinfo";

export function ExportSetting() {
  const { chat, exports, t, prefs } = useApp();
  useChatState(chat); // re-render when the export changes
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  useLayoutEffect(() => {
    exports.load().catch((err) => setError(errorText(err, t)));
  }, [exports]);
  const run = async (f: () => Promise<void>) => {
    setBusy(true);
    setError("");
    try {
      await f();
    } catch (err) {
      setError(errorText(err, t));
    } finally {
      setBusy(false);
    }
  };
  const mine = exports.mine;
  const lang = prefs.lang;
  const until = mine?.expiresAt ? new Date(mine.expiresAt).toLocaleString(lang) : "";
  return (
    <section class="settings-section export-section" aria-labelledby="set-export">
      <h3 id="set-export">{t("export.heading")}</h3>
      <p class="hint">{t("export.help")}</p>
      <p class="export-status" role="status" data-state={mine?.state ?? "none"}>
        {mine?.state === "pending" || mine?.state === "running"
          ? t("export.pending")
          : mine?.state === "ready"
            ? t("export.ready", { size: humanSize(mine.size ?? 0, lang), messages: mine.messages ?? 0, files: mine.files ?? 0, until })
            : mine?.state === "failed"
              ? t("export.failed", { error: mine.error ?? "" })
              : ""}
      </p>
      {mine && mine.requestedBy !== mine.userId && <p class="hint">{t("export.byAdmin")}</p>}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="dialog-actions">
        {mine?.state === "ready" && (
          <button
            type="button"
            class="btn primary"
            name="export-download"
            disabled={busy}
            onClick={() =>
              void run(async () => {
                const url = await exports.downloadUrl();
                const a = document.createElement("a");
                a.href = url;
                a.rel = "noopener";
                a.download = "";
                document.body.appendChild(a);
                a.click();
                a.remove();
              })
            }
          >
            {t("export.download")}
          </button>
        )}
        <button type="button" class="btn" name="export-request" disabled={busy || exports.running()} onClick={() => void run(async () => void (await exports.request()))}>
          {mine ? t("export.again") : t("export.request")}
        </button>
      </div>
    </section>
  );
}
