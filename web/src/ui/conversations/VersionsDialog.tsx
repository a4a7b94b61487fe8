// A message's edit history: its earlier texts, oldest first, then the
// current one. Opened from "(edited)".
import { useEffect, useState } from "preact/hooks";
import type { Message, MessageVersion } from "../../api/protocol.gen";
import { Dialog } from "../common/Dialog";
import { useApp } from "../common/context";
import { errorText } from "../common/errorText";

export function VersionsDialog({ msg, onClose }: { msg: Message; onClose(): void }) {
  const { chat, t, prefs } = useApp();
  const [versions, setVersions] = useState<MessageVersion[] | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    chat.versions(msg.roomId, msg.seq).then(setVersions, (err) => setError(errorText(err, t)));
  }, [msg.roomId, msg.seq]);
  const when = (iso: string) => new Date(iso).toLocaleString(prefs.lang, { dateStyle: "medium", timeStyle: "short" });
  return (
    <Dialog title={t("history.title")} onClose={onClose} className="versions-dialog">
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {versions === null && !error && <p class="hint">{t("common.loading")}</p>}
      {versions && (
        <ol class="versions">
          {versions.map((v, i) => (
            <li key={i} class="version">
              <time dateTime={v.at}>{when(v.at)}</time>
              <p class="version-text">{v.text}</p>
            </li>
          ))}
          <li class="version current">
            <time dateTime={msg.editedAt}>
              {t("history.current")} · {when(msg.editedAt ?? msg.createdAt)}
            </time>
            <p class="version-text">{msg.text}</p>
          </li>
        </ol>
      )}
      {versions && versions.length === 0 && <p class="hint">{t("history.none")}</p>}
    </Dialog>
  );
}
