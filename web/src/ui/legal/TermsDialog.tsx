// The blocking dialog of the terms gate: while the server says the current
// terms are not accepted (a newcomer whose tick at sign-up did not reach
// it, or a new version since the last sign-in), nothing else can be used
// (the server refuses every other action with terms_required). It cannot
// be dismissed: accept, or sign out.
import { useEffect, useRef, useState } from "preact/hooks";
import type { LegalConfig } from "../../api/config";
import { useApp, useChatState } from "../common/context";
import { useSubmit } from "../common/useSubmit";
import { LegalLink } from "./LegalViewer";

export function TermsDialog({ legal }: { legal?: LegalConfig }) {
  const { chat, terms, t, signOut } = useApp();
  useChatState(chat); // re-render when the gate changes (it emits)
  const required = terms.required && terms.terms;
  if (!required || !terms.terms) return null;
  return <TermsGateDialog version={terms.terms.version} again={!!terms.terms.accepted} legal={legal} onAccept={(v) => terms.accept(v)} onSignOut={signOut} t={t} />;
}

function TermsGateDialog({
  version,
  again,
  legal,
  onAccept,
  onSignOut,
  t,
}: {
  version: string;
  again: boolean;
  legal?: LegalConfig;
  onAccept(v: string): Promise<void>;
  onSignOut(): void;
  t: ReturnType<typeof useApp>["t"];
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [ticked, setTicked] = useState(false);
  const { error, busy, run } = useSubmit();
  useEffect(() => {
    const d = ref.current!;
    if (!d.open) d.showModal?.();
    d.querySelector<HTMLElement>("input")?.focus();
    return () => {
      if (d.open) d.close();
    };
  }, []);
  return (
    <dialog ref={ref} class="dialog terms-gate" aria-labelledby="terms-gate-title" aria-describedby="terms-gate-body" onCancel={(e) => e.preventDefault()}>
      <div class="dialog-body stack">
        <header class="dialog-head">
          <h2 id="terms-gate-title">{again ? t("legal.updatedTitle") : t("legal.acceptTitle")}</h2>
        </header>
        <p id="terms-gate-body">{again ? t("legal.updatedBody", { version }) : t("legal.acceptBody", { version })}</p>
        {legal && (
          <p class="terms-links">
            <LegalLink href={legal.terms} label={t("legal.terms")} t={t} />
            <LegalLink href={legal.privacy} label={t("legal.privacy")} t={t} />
            <LegalLink href={legal.guidelines} label={t("legal.guidelines")} t={t} />
          </p>
        )}
        <label class="check legal-accept">
          <input type="checkbox" name="acceptTerms" checked={ticked} onChange={(e) => setTicked(e.currentTarget.checked)} />
          {t("legal.acceptLabel")}
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={onSignOut}>
            {t("legal.signOut")}
          </button>
          <button type="button" class="btn primary" disabled={!ticked || busy} onClick={() => void run(() => onAccept(version))}>
            {t("legal.accept")}
          </button>
        </div>
      </div>
    </dialog>
  );
}
