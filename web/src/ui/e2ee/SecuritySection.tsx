// Settings, encryption: set up (choosing a passphrase), recover on a new
// device (passphrase, or verification from another device), the devices
// list, change the passphrase, and reset (with a clear warning first).
import "./e2ee.css";
import { useState } from "preact/hooks";
import { useApp } from "../common/context";
import { useSubmit } from "../common/useSubmit";
import { useE2EE, type E2EE } from "./api";
import { DevicesList } from "./DevicesList";
import { RecoverDialog } from "./RecoverDialog";
import { SetupDialog, type SetupMode } from "./SetupDialog";

export function SecuritySection() {
  const e2ee = useE2EE();
  if (!e2ee) return null;
  return <Section e2ee={e2ee} />;
}

function Section({ e2ee }: { e2ee: E2EE }) {
  const { t } = useApp();
  const [dialog, setDialog] = useState<SetupMode | "recover" | "">("");
  const [done, setDone] = useState("");
  const [picking, setPicking] = useState(false);
  const { error, run } = useSubmit();
  const others = e2ee.devices.filter((d) => !d.current && d.verified);
  const verifyFromOther = () => {
    if (others.length === 1) void run(() => e2ee.startVerification(others[0].deviceId));
    else setPicking(!picking);
  };
  const s = e2ee.status;
  // A dialog closing after a change of status gives focus back to a button
  // that is gone: the section's heading takes it instead.
  const closeDialog = () => {
    setDialog("");
    setTimeout(() => {
      if (!document.activeElement || document.activeElement === document.body) document.getElementById("set-e2ee")?.focus();
    }, 0);
  };
  return (
    <section class="settings-section e2ee-section" aria-labelledby="set-e2ee" data-testid="e2ee-section" data-status={s}>
      <h3 id="set-e2ee" tabIndex={-1}>{t("e2ee.section")}</h3>
      <p class="hint">{t("e2ee.sectionHelp")}</p>
      <p class="e2ee-status" role="status">
        {done}
      </p>
      {s === "loading" && <p role="status">{t("e2ee.loading")}</p>}
      {s === "unsupported" && <p class="error">{t("e2ee.unsupported")}</p>}
      {s === "off" && (
        <>
          <p>{t("e2ee.off")}</p>
          <div class="dialog-actions start">
            <button type="button" class="btn primary" data-testid="e2ee-setup" aria-haspopup="dialog" onClick={() => setDialog("setup")}>
              {t("e2ee.setUp")}
            </button>
          </div>
        </>
      )}
      {s === "recovery-needed" && (
        <>
          <p class="e2ee-warning">{t("e2ee.recoveryNeeded")}</p>
          <div class="dialog-actions start">
            <button type="button" class="btn primary" data-testid="e2ee-recover" aria-haspopup="dialog" onClick={() => setDialog("recover")}>
              {t("e2ee.recover")}
            </button>
            <button type="button" class="btn" data-testid="e2ee-verify-other" aria-expanded={others.length > 1 ? picking : undefined} disabled={others.length === 0} onClick={verifyFromOther}>
              {t("e2ee.verifyFromOther")}
            </button>
          </div>
          {others.length === 0 && <p class="hint">{t("e2ee.noOtherDevice")}</p>}
          {picking && others.length > 1 && (
            <fieldset class="e2ee-pick">
              <legend>{t("e2ee.pickDevice")}</legend>
              {others.map((d) => (
                <button key={d.deviceId} type="button" class="btn" onClick={() => void run(() => e2ee.startVerification(d.deviceId))}>
                  {d.name || t("e2ee.unnamed")}
                </button>
              ))}
            </fieldset>
          )}
        </>
      )}
      {s === "ready" && <p class="e2ee-ok">{t("e2ee.ready")}</p>}
      {(s === "ready" || s === "recovery-needed") && <DevicesList e2ee={e2ee} />}
      {(s === "ready" || s === "recovery-needed") && (
        <div class="dialog-actions start">
          {s === "ready" && e2ee.hasIdentity && (
            <button type="button" class="btn" aria-haspopup="dialog" data-testid="e2ee-change" onClick={() => setDialog("change")}>
              {t("e2ee.changePassphrase")}
            </button>
          )}
          <button type="button" class="btn danger" aria-haspopup="dialog" data-testid="e2ee-reset" onClick={() => setDialog("reset")}>
            {t("e2ee.reset")}
          </button>
        </div>
      )}
      {(error || e2ee.error) && (
        <p class="error" role="alert">
          {error || e2ee.error}
        </p>
      )}
      {(dialog === "setup" || dialog === "change" || dialog === "reset") && <SetupDialog e2ee={e2ee} mode={dialog} onClose={closeDialog} onDone={setDone} />}
      {dialog === "recover" && <RecoverDialog e2ee={e2ee} onClose={closeDialog} onDone={setDone} />}
    </section>
  );
}
