// Reporting a message: an optional reason, and the community guidelines
// one link away (config.json's legal.guidelines), so the person can check
// what the workspace asks of everyone before reporting.
import { useState } from "preact/hooks";
import { Dialog } from "../common/Dialog";
import { useApp } from "../common/context";
import { useSubmit } from "../common/useSubmit";
import { LegalLink } from "../legal/LegalViewer";

// note: what else the report carries (an encrypted message: its decrypted text).
export function ReportDialog({ onReport, onClose, note }: { onReport(reason: string): Promise<unknown>; onClose(): void; note?: string }) {
  const { t, legal } = useApp();
  const [reason, setReason] = useState("");
  const { error, busy, run } = useSubmit();
  return (
    <Dialog title={t("mod.reportTitle")} onClose={onClose}>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            await onReport(reason.trim());
            onClose();
          });
        }}
      >
        <label>
          {t("mod.reportPrompt")}
          <textarea name="reason" rows={3} maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        </label>
        {note && (
          <p class="hint" data-testid="e2ee-report-note">
            {note}
          </p>
        )}
        {legal?.guidelines && (
          <p class="hint">
            {t("mod.reportGuidelines")} <LegalLink href={legal.guidelines} label={t("legal.guidelines")} t={t} />
          </p>
        )}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={onClose}>
            {t("common.cancel")}
          </button>
          <button type="submit" class="btn primary" disabled={busy}>
            {t("mod.report")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
