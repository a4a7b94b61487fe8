// The files waiting to go with the next message: name, size, upload
// progress, a remove/cancel button, and what went wrong.
import type { Upload } from "../../features/uploads";
import { fileIcon, humanSize } from "../common/fileinfo";
import { useApp } from "../common/context";

export function UploadChips({ uploads }: { uploads: Upload[] }) {
  const { uploads: queue, t, prefs } = useApp();
  if (uploads.length === 0) return null;
  return (
    <ul class="upload-chips" aria-label={t("files.pending")}>
      {uploads.map((u) => {
        const pct = u.size > 0 ? Math.round((u.loaded / u.size) * 100) : 0;
        const errId = `upload-err-${u.id}`;
        return (
          <li key={u.id} class={`upload-chip is-${u.status}`} data-upload-status={u.status}>
            <span class="att-icon" aria-hidden="true">
              {fileIcon(u.type)}
            </span>
            <span class="att-text">
              <span class="att-name" title={u.name}>
                {u.name}
              </span>
              <span class="att-size">
                {humanSize(u.size, prefs.lang)}
                {u.status === "done" && ` · ${t("files.ready")}`}
              </span>
              {u.status === "uploading" && (
                <span
                  class="upload-progress"
                  role="progressbar"
                  aria-label={t("files.progress", { name: u.name })}
                  aria-valuemin={0}
                  aria-valuemax={100}
                  aria-valuenow={pct}
                  aria-valuetext={`${pct}%`}
                >
                  <span class="upload-bar" style={{ width: `${pct}%` }} />
                </span>
              )}
              {u.status === "error" && (
                <span class="upload-error" id={errId} role="alert">
                  {u.error}
                </span>
              )}
            </span>
            <button
              type="button"
              class="icon-btn upload-remove"
              aria-label={u.status === "uploading" ? t("files.cancel", { name: u.name }) : t("files.remove", { name: u.name })}
              title={u.status === "uploading" ? t("files.cancel", { name: u.name }) : t("files.remove", { name: u.name })}
              aria-describedby={u.status === "error" ? errId : undefined}
              onClick={() => queue.remove(u.id)}
            >
              ×
            </button>
          </li>
        );
      })}
    </ul>
  );
}
