// An in-app confirmation (instead of the browser's confirm()): a modal
// dialog with the question, what it does, Cancel (focused first, so Enter
// does not destroy anything by accident) and the action's own name.
import { Dialog } from "./Dialog";
import { useApp } from "./context";
import { useSubmit } from "./useSubmit";

export function ConfirmDialog({ title, body, action, onConfirm, onClose }: { title: string; body?: string; action: string; onConfirm(): Promise<unknown> | void; onClose(): void }) {
  const { t } = useApp();
  const { error, busy, run } = useSubmit();
  return (
    <Dialog title={title} onClose={onClose}>
      <div class="stack confirm">
        {body && <p>{body}</p>}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={onClose}>
            {t("common.cancel")}
          </button>
          <button
            type="button"
            class="btn danger"
            disabled={busy}
            onClick={() =>
              void run(async () => {
                await onConfirm();
                onClose();
              })
            }
          >
            {action}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
