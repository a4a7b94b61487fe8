// The safety number shared with one person: 60 digits in 12 groups of 5,
// the same on both screens when nobody substituted a key. "Mark as
// verified" records that the two were compared (a later key change then
// warns louder and holds messages).
import { useEffect, useState } from "preact/hooks";
import { Dialog } from "../common/Dialog";
import { useApp } from "../common/context";
import { useSubmit } from "../common/useSubmit";
import type { E2EE } from "./api";

export function SafetyNumberDialog({ e2ee, userId, name, onClose }: { e2ee: E2EE; userId: string; name: string; onClose(): void }) {
  const { t } = useApp();
  const [groups, setGroups] = useState<string[]>([]);
  const { error, busy, run, fail } = useSubmit();
  useEffect(() => {
    let live = true;
    e2ee.safetyNumber(userId).then(
      (s) => live && setGroups(s.trim().split(/\s+/)),
      (err) => live && fail(err),
    );
    return () => {
      live = false;
    };
  }, [userId]);
  const verified = e2ee.isVerified(userId) && !e2ee.keyWarnings.has(userId);
  return (
    <Dialog title={t("e2ee.safetyTitle", { name })} onClose={onClose} className="e2ee-dialog">
      <div class="stack">
        <p class="hint">{t("e2ee.safetyHelp", { name })}</p>
        {groups.length > 0 ? (
          <p class="e2ee-safety" data-testid="e2ee-safety" role="group" aria-label={t("e2ee.safetyLabel")}>
            {groups.map((g, i) => (
              <span key={i}>{g}</span>
            ))}
          </p>
        ) : (
          !error && <p role="status">{t("common.loading")}</p>
        )}
        {verified && (
          <p class="e2ee-ok" role="status">
            {t("e2ee.isVerified", { name })}
          </p>
        )}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={onClose}>
            {t("common.close")}
          </button>
          {!verified && groups.length > 0 && (
            <button type="button" class="btn primary" data-testid="e2ee-mark-verified" disabled={busy} onClick={() => void run(() => e2ee.markVerified(userId))}>
              {t("e2ee.markVerified")}
            </button>
          )}
        </div>
      </div>
    </Dialog>
  );
}
