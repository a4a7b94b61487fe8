// Verifying one of my devices with another by comparing three numbers on
// both screens (SAS). The engine drives the stages (e2ee.verification);
// this dialog shows the one it is at and offers its choices. Closing it
// before the end cancels the verification.
import { useEffect, useRef } from "preact/hooks";
import { Dialog } from "../common/Dialog";
import { useApp } from "../common/context";
import { useSubmit } from "../common/useSubmit";
import type { E2EE, VerificationView } from "./api";
import { shortId } from "./DevicesList";

const OPEN_STAGES = new Set<VerificationView["stage"]>(["requested", "incoming", "compare", "waiting-other"]);

export function VerifyDialog({ e2ee, v, onClose }: { e2ee: E2EE; v: VerificationView; onClose(): void }) {
  const { t } = useApp();
  const { error, busy, run } = useSubmit();
  const body = useRef<HTMLDivElement>(null);
  const first = useRef(true);
  // Named with its short id: a person's browsers often share a name.
  const device = `${v.otherDeviceName || t("e2ee.unnamed")} (${t("e2ee.deviceId", { id: shortId(v.otherDeviceId) })})`;
  const open = OPEN_STAGES.has(v.stage);
  // A new stage brings new buttons: focus goes to its main one (the one
  // that was focused is gone). The Dialog focuses the first on opening.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    body.current?.querySelector<HTMLElement>("[data-autofocus], button")?.focus();
  }, [v.stage]);
  const close = () => {
    if (open) void e2ee.cancelVerification().catch(() => {});
    onClose();
  };
  const cancelBtn = (
    <button type="button" class="btn" onClick={close}>
      {t("common.cancel")}
    </button>
  );
  return (
    <Dialog title={t("e2ee.verifyTitle")} onClose={close} className="e2ee-dialog e2ee-verify">
      <div class="stack" ref={body} data-stage={v.stage}>
        {v.stage === "requested" && (
          <>
            <p role="status">{t("e2ee.verifyRequested", { device })}</p>
            <div class="dialog-actions">{cancelBtn}</div>
          </>
        )}
        {v.stage === "incoming" && (
          <>
            <p>{t("e2ee.verifyIncoming", { device })}</p>
            <div class="dialog-actions">
              <button type="button" class="btn" onClick={close}>
                {t("e2ee.decline")}
              </button>
              <button type="button" class="btn primary" data-testid="e2ee-verify-accept" disabled={busy} onClick={() => void run(() => e2ee.acceptVerification())}>
                {t("e2ee.accept")}
              </button>
            </div>
          </>
        )}
        {v.stage === "compare" && (
          <>
            <p>{t("e2ee.compareHelp", { device })}</p>
            <p class="e2ee-sas" data-testid="e2ee-sas" role="group" aria-label={t("e2ee.sasLabel")}>
              {(v.numbers ?? []).map((n, i) => (
                <span key={i} class="e2ee-sas-n">
                  {n}
                </span>
              ))}
            </p>
            <div class="dialog-actions">
              <button type="button" class="btn danger" data-testid="e2ee-sas-mismatch" onClick={() => void run(() => e2ee.cancelVerification("mismatch"))}>
                {t("e2ee.noMatch")}
              </button>
              <button type="button" class="btn primary" data-testid="e2ee-sas-match" disabled={busy} onClick={() => void run(() => e2ee.confirmSas())}>
                {t("e2ee.match")}
              </button>
            </div>
          </>
        )}
        {v.stage === "waiting-other" && (
          <>
            <p role="status">{t("e2ee.waitingOther")}</p>
            <div class="dialog-actions">{cancelBtn}</div>
          </>
        )}
        {v.stage === "done" && (
          <>
            <p role="status" class="e2ee-ok" data-testid="e2ee-verify-done">
              {t("e2ee.verifyDone", { device })}
            </p>
            <div class="dialog-actions">
              <button type="button" class="btn primary" data-autofocus onClick={onClose}>
                {t("common.close")}
              </button>
            </div>
          </>
        )}
        {v.stage === "cancelled" && (
          <>
            <p role="alert">{v.reason ? t("e2ee.verifyCancelled", { reason: v.reason }) : t("e2ee.verifyStopped")}</p>
            <div class="dialog-actions">
              <button type="button" class="btn" data-autofocus onClick={onClose}>
                {t("common.close")}
              </button>
            </div>
          </>
        )}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </div>
    </Dialog>
  );
}
