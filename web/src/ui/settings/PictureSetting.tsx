// The profile picture in Settings: upload a new one (cropped and scaled to
// 256×256 in the browser first, with progress) or remove it.
import { useRef, useState } from "preact/hooks";
import { Avatar } from "../common/Avatar";
import { useApp, useChatState } from "../common/context";
import { errorText } from "../common/errorText";
import { PutError, removeAvatar, uploadAvatar } from "../../features/avatars";
import { RequestError } from "../../api/socket";
import type { Translate } from "../../i18n";

export function PictureSetting() {
  const { chat, t } = useApp();
  const state = useChatState(chat);
  const fileRef = useRef<HTMLInputElement>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [status, setStatus] = useState("");
  const busy = progress !== null;
  const filesOn = state.limits?.files ?? true;

  const onPick = async (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    input.value = ""; // picking the same file again fires change again
    if (!file) return;
    if (!file.type.startsWith("image/")) {
      setStatus(t("settings.pictureNotImage"));
      return;
    }
    setProgress(0);
    setStatus(t("settings.pictureUploading"));
    try {
      await uploadAvatar(chat, file, setProgress);
      setStatus(t("settings.pictureSaved"));
    } catch (err) {
      setStatus(pictureError(t, err));
    } finally {
      setProgress(null);
    }
  };

  const remove = async () => {
    try {
      await removeAvatar(chat);
      setStatus(t("settings.pictureRemoved"));
    } catch (err) {
      setStatus(t("common.error", { error: errorText(err) }));
    }
  };

  if (!filesOn) return null;
  return (
    <div class="settings-avatar">
      <Avatar user={state.me ?? undefined} size={64} />
      <input ref={fileRef} id="avatar-file" type="file" accept="image/*" hidden onChange={(e) => void onPick(e)} />
      <button type="button" class="btn" disabled={busy} onClick={() => fileRef.current?.click()}>
        {t("settings.uploadPicture")}
      </button>
      {state.me?.avatarKey && (
        <button type="button" class="btn" disabled={busy} onClick={() => void remove()}>
          {t("settings.removePicture")}
        </button>
      )}
      {busy && <progress max={1} value={progress ?? 0} aria-label={t("settings.pictureUploading")} />}
      <span role="status" data-picture-status>
        {status}
      </span>
    </div>
  );
}

// pictureError: the server's own words for what it refuses, ours for the rest.
function pictureError(t: Translate, err: unknown): string {
  if (err instanceof RequestError) {
    if (err.code === "too_large" || err.code === "invalid") return err.message;
    return t("common.error", { error: err.message });
  }
  if (err instanceof PutError) return err.status ? t("files.putFailed", { status: err.status }) : t("files.network");
  return t("settings.pictureUnreadable");
}
