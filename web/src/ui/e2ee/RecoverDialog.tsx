// Recovering the keys on a new device with the passphrase: a wrong one is
// refused with the engine's words (attempts left).
import { useState } from "preact/hooks";
import { Dialog } from "../common/Dialog";
import { useApp } from "../common/context";
import { useSubmit } from "../common/useSubmit";
import type { E2EE } from "./api";

export function RecoverDialog({ e2ee, onClose, onDone }: { e2ee: E2EE; onClose(): void; onDone?(text: string): void }) {
  const { t } = useApp();
  const [p, setP] = useState("");
  const { error, busy, run } = useSubmit();
  return (
    <Dialog title={t("e2ee.recoverTitle")} onClose={() => !busy && onClose()} className="e2ee-dialog">
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          if (!p) return;
          void run(async () => {
            await e2ee.recover(p);
            onDone?.(t("e2ee.recoverDone"));
            onClose();
          });
        }}
      >
        <p class="hint">{t("e2ee.recoverHelp")}</p>
        <label>
          {t("e2ee.passphrase")}
          <input
            type="password"
            name="e2ee-passphrase"
            data-testid="e2ee-passphrase"
            autoComplete="current-password"
            required
            aria-invalid={!!error || undefined}
            aria-describedby={error ? "e2ee-recover-error" : undefined}
            value={p}
            onInput={(e) => setP(e.currentTarget.value)}
          />
        </label>
        {error && (
          <p class="error" role="alert" id="e2ee-recover-error">
            {error}
          </p>
        )}
        <div class="dialog-actions">
          <span role="status">{busy ? t("e2ee.working") : ""}</span>
          <button type="button" class="btn" onClick={onClose} disabled={busy}>
            {t("common.cancel")}
          </button>
          <button type="submit" class="btn primary" data-testid="e2ee-recover-submit" disabled={busy || !p}>
            {t("e2ee.recover")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
