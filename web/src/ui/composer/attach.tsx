// Attaching files, shared by the room's composer and a thread's: the
// paperclip (a hidden file input and its button) and pasted files (images
// get a readable name). Files go to the upload queue under a slot: the
// room's id for the room's composer, the thread's key for a thread's
// (features/uploads.ts); UploadChips shows a slot's uploads with their
// progress and cancel buttons.
import { useRef } from "preact/hooks";
import type { ChatState } from "../../state/types";
import { useApp } from "../common/context";

// pastedName names a pasted image (clipboards call them all "image.png"):
// pasted-image-20261121-031500.png.
export function pastedName(type: string, now: Date): string {
  const ext = (type.split("/")[1] ?? "png").replace("jpeg", "jpg").replace(/[^a-z0-9]/g, "") || "png";
  const p = (n: number) => String(n).padStart(2, "0");
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  return `pasted-image-${stamp}.${ext}`;
}

// filesOn: without a files bucket the deployment shares no files (no
// button, no paste).
export function filesOn(state: ChatState): boolean {
  return state.limits?.files !== false;
}

// usePasteFiles handles a paste into a composer: files (if any) go to the
// queue instead of the text.
export function usePasteFiles(roomId: string, slot: string = roomId): (e: ClipboardEvent) => void {
  const { chat, uploads: queue } = useApp();
  return (e: ClipboardEvent) => {
    const files = Array.from(e.clipboardData?.files ?? []);
    if (files.length === 0 || !filesOn(chat.state)) return;
    e.preventDefault();
    const now = new Date();
    queue.add(
      roomId,
      files.map((f) => (f.type.startsWith("image/") ? new File([f], pastedName(f.type, now), { type: f.type }) : f)),
      slot,
    );
  };
}

// AttachButton: the paperclip and its hidden file input (inputId), for
// the composer of slot; onPicked runs after files were chosen (the caret
// goes back to the text).
export function AttachButton({ roomId, slot = roomId, inputId, onPicked }: { roomId: string; slot?: string; inputId: string; onPicked?: () => void }) {
  const { uploads: queue, t } = useApp();
  const fileRef = useRef<HTMLInputElement>(null);
  const onFiles = (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    const files = Array.from(input.files ?? []);
    input.value = ""; // the same file can be picked again
    if (files.length > 0) queue.add(roomId, files, slot);
    onPicked?.();
  };
  return (
    <>
      <input ref={fileRef} id={inputId} type="file" multiple hidden onChange={onFiles} />
      <button type="button" class="icon-btn attach-btn" aria-label={t("files.attach")} title={t("files.attach")} onClick={() => fileRef.current?.click()}>
        📎
      </button>
    </>
  );
}
