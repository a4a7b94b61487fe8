// Escalate: priority high, a note, and the team's leads are told.
import { useState } from "preact/hooks";
import type { SupportConversation } from "../../state/support";
import { Dialog } from "../common/Dialog";
import { useApp } from "../common/context";
import { useSubmit } from "../common/useSubmit";

export function EscalateDialog({ conv, onClose }: { conv: SupportConversation; onClose(): void }) {
  const { support, t } = useApp();
  const [note, setNote] = useState("");
  const { error, busy, run } = useSubmit();
  return (
    <Dialog title={t("support.escalateTitle")} onClose={onClose}>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            await support.escalate(conv.roomId, note.trim());
            onClose();
          });
        }}
      >
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <p class="hint">{t("support.escalateHint")}</p>
        <label>
          {t("support.escalateNote")}
          <textarea name="escalate-note" rows={3} maxLength={2000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
        </label>
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={onClose}>
            {t("common.cancel")}
          </button>
          <button type="submit" class="btn primary" disabled={busy}>
            {t("support.escalate")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
