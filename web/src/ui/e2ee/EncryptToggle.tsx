// "Encrypt end to end" when starting a DM or group DM, or creating a
// private channel. Off, with the reason and the way to fix it, while
// encryption is not set up on this device (or the group is too big); the
// set-up dialog opens over the current one (E2EEHost shows it).
import "./e2ee.css";
import { useEffect } from "preact/hooks";
import { useApp, useChatState } from "../common/context";
import { useE2EE } from "./api";
import { openSecurity } from "./openSecurity";

// The deployment's cap on encrypted rooms (state limits' e2eeMaxMembers).
export function e2eeMaxMembers(limits: unknown): number {
  return (limits as { e2eeMaxMembers?: number } | null)?.e2eeMaxMembers ?? 8;
}

// people: how many would be in the room (me included), when known.
export function EncryptToggle({ checked, onChange, people }: { checked: boolean; onChange(on: boolean): void; people?: number }) {
  const { chat, t } = useApp();
  const state = useChatState(chat);
  const e2ee = useE2EE();
  const max = e2eeMaxMembers(state.limits);
  const tooMany = people !== undefined && people > max;
  const ready = e2ee?.status === "ready";
  const disabled = !ready || tooMany;
  // What cannot be encrypted is not asked for encrypted: the choice goes
  // off with the toggle (too many people picked, encryption reset…).
  useEffect(() => {
    if (disabled && checked) onChange(false);
  }, [disabled, checked]);
  if (!e2ee) return null;
  const why = e2ee.status === "unsupported" ? t("e2ee.toggleUnsupported") : !ready ? t("e2ee.toggleOff") : tooMany ? t("e2ee.toggleTooMany", { n: max }) : t("e2ee.toggleHelp");
  return (
    <div class="e2ee-toggle">
      <label class="check">
        <input type="checkbox" name="encrypted" data-testid="e2ee-toggle" checked={checked && !disabled} disabled={disabled} aria-describedby="e2ee-toggle-why" onChange={(e) => onChange(e.currentTarget.checked)} />
        {t("e2ee.toggle")}
      </label>
      <p class="hint" id="e2ee-toggle-why">
        {why}{" "}
        {(e2ee.status === "off" || e2ee.status === "recovery-needed") && (
          <button type="button" class="link" data-testid={e2ee.status === "off" ? "e2ee-setup" : "e2ee-recover"} aria-haspopup="dialog" onClick={() => openSecurity(e2ee.status === "off" ? "setup" : "recover")}>
            {e2ee.status === "off" ? t("e2ee.setUp") : t("e2ee.recover")}
          </button>
        )}
      </p>
    </div>
  );
}
