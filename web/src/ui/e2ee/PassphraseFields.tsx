// A new passphrase, typed twice, with a strength hint: used to set up
// encryption, to change the passphrase and to reset.
import { useApp } from "../common/context";
import { chars, MIN_PASSPHRASE, strength } from "./passphrase";

export interface NewPassphrase {
  value: string;
  again: string;
}

// passphraseProblem: why the pair cannot be used yet ("" when it can).
export function passphraseProblem(p: NewPassphrase, t: ReturnType<typeof useApp>["t"]): string {
  if (chars(p.value) < MIN_PASSPHRASE) return t("e2ee.tooShort", { n: MIN_PASSPHRASE, have: chars(p.value) });
  if (p.value !== p.again) return t("e2ee.mismatch");
  return "";
}

export function PassphraseFields({ value, onChange, label, showMismatch }: { value: NewPassphrase; onChange(v: NewPassphrase): void; label?: string; showMismatch?: boolean }) {
  const { t } = useApp();
  const s = strength(value.value);
  const hint =
    s === "short"
      ? t("e2ee.tooShort", { n: MIN_PASSPHRASE, have: chars(value.value) })
      : s === "weak"
        ? t("e2ee.strengthWeak")
        : s === "fair"
          ? t("e2ee.strengthFair")
          : t("e2ee.strengthStrong");
  const mismatch = showMismatch && value.again !== "" && value.again !== value.value;
  return (
    <>
      <label>
        {label ?? t("e2ee.passphrase")}
        <input
          type="password"
          name="e2ee-passphrase"
          data-testid="e2ee-passphrase"
          autoComplete="new-password"
          required
          minLength={MIN_PASSPHRASE}
          aria-describedby="e2ee-strength"
          value={value.value}
          onInput={(e) => onChange({ ...value, value: e.currentTarget.value })}
        />
      </label>
      <div class="e2ee-strength" data-strength={s}>
        <span class="e2ee-meter" aria-hidden="true">
          <span />
          <span />
          <span />
        </span>
        <span id="e2ee-strength" class="hint" aria-live="polite">
          {value.value ? hint : t("e2ee.tooShort", { n: MIN_PASSPHRASE, have: 0 })}
        </span>
      </div>
      <label>
        {t("e2ee.passphraseAgain")}
        <input
          type="password"
          name="e2ee-passphrase-again"
          data-testid="e2ee-passphrase-again"
          autoComplete="new-password"
          required
          aria-invalid={mismatch || undefined}
          aria-describedby={mismatch ? "e2ee-mismatch" : undefined}
          value={value.again}
          onInput={(e) => onChange({ ...value, again: e.currentTarget.value })}
        />
      </label>
      {mismatch && (
        <p id="e2ee-mismatch" class="hint error">
          {t("e2ee.mismatch")}
        </p>
      )}
    </>
  );
}
