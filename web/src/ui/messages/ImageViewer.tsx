// The full-size image viewer: a modal dialog (focus stays inside, Escape
// closes it, focus returns to the preview) with a download link.
import type { Attachment } from "../../api/protocol.gen";
import { humanSize } from "../common/fileinfo";
import { Dialog } from "../common/Dialog";
import { useApp } from "../common/context";
import { useFileUrl } from "./useFileUrl";

export function ImageViewer({ roomId, seq, a, onClose }: { roomId: string; seq: number; a: Attachment; onClose(): void }) {
  const { t, prefs } = useApp();
  const { url, failed, reload } = useFileUrl(roomId, seq, a, false);
  const dims = a.width && a.height ? `${a.width} × ${a.height} · ` : "";
  return (
    <Dialog title={a.name} onClose={onClose} wide>
      <div class="viewer">
        {url && !failed ? (
          <img class="viewer-img" src={url} alt={a.name} width={a.width} height={a.height} onError={reload} />
        ) : (
          <p class="muted">{failed ? t("files.unavailable", { name: a.name }) : t("common.loading")}</p>
        )}
      </div>
      <div class="dialog-actions">
        <span class="muted">
          {dims}
          {humanSize(a.size, prefs.lang)}
        </span>
        {url && (
          <a class="btn primary" href={url} target="_blank" rel="noopener noreferrer" download={a.name}>
            {t("files.download")}
          </a>
        )}
      </div>
    </Dialog>
  );
}
