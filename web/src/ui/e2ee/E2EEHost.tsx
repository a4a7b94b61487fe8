// What the encryption shows over any screen: a verification in progress
// (an incoming request from another of my devices opens it wherever I am),
// and the encryption settings, set-up or recovery when a view asks for
// them (openSecurity).
import "./e2ee.css";
import { useEffect, useState } from "preact/hooks";
import { Dialog } from "../common/Dialog";
import { useApp } from "../common/context";
import { useE2EE, type E2EE } from "./api";
import { onOpenSecurity, type SecurityRequest } from "./openSecurity";
import { RecoverDialog } from "./RecoverDialog";
import { SecuritySection } from "./SecuritySection";
import { SetupDialog } from "./SetupDialog";
import { VerifyDialog } from "./VerifyDialog";

export function E2EEHost() {
  const e2ee = useE2EE();
  const [asked, setAsked] = useState<SecurityRequest | "">("");
  // The verification the person closed (done or cancelled) stays closed.
  const [dismissed, setDismissed] = useState("");
  useEffect(() => onOpenSecurity(setAsked), []);
  if (!e2ee) return null;
  const v = e2ee.verification;
  return (
    <>
      {asked === "section" && <SecurityDialog onClose={() => setAsked("")} />}
      {asked === "setup" && <SetupDialog e2ee={e2ee} mode="setup" onClose={() => setAsked("")} />}
      {asked === "recover" && <RecoverDialog e2ee={e2ee} onClose={() => setAsked("")} />}
      {v && v.txn !== dismissed && <VerifyDialog key={v.txn} e2ee={e2ee} v={v} onClose={() => setDismissed(v.txn)} />}
    </>
  );
}

function SecurityDialog({ onClose }: { onClose(): void }) {
  const { t } = useApp();
  return (
    <Dialog title={t("e2ee.section")} onClose={onClose} className="e2ee-dialog settings">
      <SecuritySection />
    </Dialog>
  );
}

export type { E2EE };
