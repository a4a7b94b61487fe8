// Choosing a passphrase: to set up encryption (the first device), to
// change it, or to reset encryption (a new identity; old history lost: the
// dialog says so first). Deriving the keys takes a few seconds (scrypt):
// the dialog says it is working meanwhile.
import { useState } from "preact/hooks";
import { Dialog } from "../common/Dialog";
import { useApp } from "../common/context";
import { useSubmit } from "../common/useSubmit";
import type { E2EE } from "./api";
import { PassphraseFields, passphraseProblem, type NewPassphrase } from "./PassphraseFields";
import { MIN_PASSPHRASE } from "./passphrase";

export type SetupMode = "setup" | "change" | "reset";

export function SetupDialog({ e2ee, mode, onClose, onDone }: { e2ee: E2EE; mode: SetupMode; onClose(): void; onDone?(text: string): void }) {
  const { t } = useApp();
  const [p, setP] = useState<NewPassphrase>({ value: "", again: "" });
  const [tried, setTried] = useState(false);
  const { error, setError, busy, run } = useSubmit();
  const title = mode === "setup" ? t("e2ee.setupTitle") : mode === "change" ? t("e2ee.changeTitle") : t("e2ee.resetTitle");
  const submit = (e: Event) => {
    e.preventDefault();
    setTried(true);
    const problem = passphraseProblem(p, t);
    if (problem) return setError(problem);
    setError("");
    void run(async () => {
      if (mode === "setup") await e2ee.setup(p.value);
      else if (mode === "change") await e2ee.changePassphrase(p.value);
      else await e2ee.resetEncryption(p.value);
      onDone?.(mode === "setup" ? t("e2ee.setupDone") : mode === "change" ? t("e2ee.changeDone") : t("e2ee.resetDone"));
      onClose();
    });
  };
  return (
    <Dialog title={title} onClose={() => !busy && onClose()} className="e2ee-dialog">
      <form class="stack" onSubmit={submit} noValidate>
        {mode === "reset" && (
          <p class="e2ee-warning" role="alert">
            {t("e2ee.resetWarning")}
          </p>
        )}
        <p class="hint">{mode === "change" ? t("e2ee.changeHelp") : t("e2ee.setupHelp", { n: MIN_PASSPHRASE })}</p>
        <PassphraseFields
          value={p}
          onChange={(v) => {
            setP(v);
            // What was wrong with the last try is stale once it changes.
            if (error) setError("");
          }} label={mode === "setup" ? undefined : t("e2ee.newPassphrase")} showMismatch={tried || p.again.length >= p.value.length} />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="dialog-actions">
          <span role="status">{busy ? t("e2ee.working") : ""}</span>
          <button type="button" class="btn" onClick={onClose} disabled={busy}>
            {t("common.cancel")}
          </button>
          <button type="submit" class={mode === "reset" ? "btn danger" : "btn primary"} data-testid="e2ee-setup-submit" disabled={busy}>
            {mode === "setup" ? t("e2ee.setUp") : mode === "change" ? t("e2ee.changePassphrase") : t("e2ee.resetAction")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
