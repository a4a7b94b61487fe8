// The files of an encrypted message, by their real names and sizes (from
// the decrypted message, never from the server's list, which says only
// "encrypted.bin"): images are decrypted and shown inline, other files are
// decrypted and saved when chosen.
import { useEffect, useState } from "preact/hooks";
import { fileIcon, humanSize, isImage } from "../common/fileinfo";
import { useApp } from "../common/context";
import type { E2EE, FileKey } from "./api";

// How long a saved file's object URL lives (the browser has started the
// download well before).
const REVOKE_MS = 60_000;

export function EncryptedFiles({ e2ee, roomId, seq, files }: { e2ee: E2EE; roomId: string; seq: number; files: FileKey[] }) {
  return (
    <div class="attachments e2ee-files">
      {files.map((f) => (isImage(f.type) ? <EncryptedImage key={f.key} e2ee={e2ee} roomId={roomId} seq={seq} f={f} /> : <EncryptedFile key={f.key} e2ee={e2ee} roomId={roomId} seq={seq} f={f} />))}
    </div>
  );
}

function EncryptedImage({ e2ee, roomId, seq, f }: { e2ee: E2EE; roomId: string; seq: number; f: FileKey }) {
  const { t } = useApp();
  const [url, setUrl] = useState("");
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    e2ee.fileUrl(roomId, seq, f).then(
      (u) => live && setUrl(u),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [roomId, seq, f.key]);
  if (failed)
    return (
      <span class="att-file e2ee-file-failed" role="note">
        {t("e2ee.fileFailed", { name: f.name })}
      </span>
    );
  return (
    <a class="att-image e2ee-image" href={url || undefined} target="_blank" rel="noopener noreferrer" title={t("files.openImage")} data-testid="e2ee-image">
      {url ? <img src={url} alt={f.name} decoding="async" /> : <span class="att-image-missing">{t("e2ee.fileOpening", { name: f.name })}</span>}
    </a>
  );
}

function EncryptedFile({ e2ee, roomId, seq, f }: { e2ee: E2EE; roomId: string; seq: number; f: FileKey }) {
  const { t, prefs } = useApp();
  const [state, setState] = useState<"" | "busy" | "failed">("");
  const save = async () => {
    setState("busy");
    try {
      const blob = await e2ee.openFile(roomId, seq, f);
      const url = URL.createObjectURL(blob.type ? blob : new Blob([blob], { type: f.type || "application/octet-stream" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = f.name;
      a.rel = "noopener";
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), REVOKE_MS);
      setState("");
    } catch {
      setState("failed");
    }
  };
  return (
    <>
      <button type="button" class="att-file e2ee-file" data-testid="e2ee-file" disabled={state === "busy"} onClick={() => void save()}>
        <span class="att-icon" aria-hidden="true">
          {fileIcon(f.type)}
        </span>
        <span class="att-text">
          <span class="att-name">{f.name}</span>
          <span class="att-size">
            {humanSize(f.size, prefs.lang)} · {state === "busy" ? t("e2ee.decrypting") : t("files.download")}
          </span>
        </span>
      </button>
      {state === "failed" && (
        <span class="error small" role="alert">
          {t("e2ee.fileFailed", { name: f.name })}
        </span>
      )}
    </>
  );
}
