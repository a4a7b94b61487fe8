// The mark of an end-to-end encrypted room (sidebar rows, the room header,
// the quick switcher): a small padlock with its name for screen readers.
// onClick makes it a button (the room header of a DM: the safety number).
import "./e2ee.css";
import { useApp } from "../common/context";

function Padlock() {
  return (
    <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true" focusable="false">
      <path d="M4.5 7V5a3.5 3.5 0 0 1 7 0v2" fill="none" stroke="currentColor" stroke-width="1.8" />
      <rect x="2.5" y="7" width="11" height="8" rx="1.6" fill="currentColor" />
    </svg>
  );
}

export function LockBadge({ onClick, label }: { onClick?(): void; label?: string }) {
  const { t } = useApp();
  const name = label ?? t("e2ee.encrypted");
  if (onClick)
    return (
      <button type="button" class="e2ee-lock e2ee-lock-btn" data-testid="e2ee-lock" aria-label={name} title={name} aria-haspopup="dialog" onClick={onClick}>
        <Padlock />
      </button>
    );
  return (
    <span class="e2ee-lock" data-testid="e2ee-lock" title={name}>
      <Padlock />
      <span class="sr-only">{name}</span>
    </span>
  );
}
