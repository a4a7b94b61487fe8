// Picking a date and time (and, when editing a scheduled message, its
// text; for a reminder, a note): the custom choice of the time menus, and
// edit and reschedule in the Scheduled view.
import { useState } from "preact/hooks";
import { Dialog } from "../common/Dialog";
import { useApp } from "../common/context";
import { errorText } from "../common/errorText";
import { fromLocalInput, toLocalInput, tooSoon } from "../../features/scheduled";

export function TimeDialog({
  title,
  action,
  initial,
  text,
  textLabel,
  onSubmit,
  onClose,
}: {
  title: string;
  action: string;
  initial: Date;
  // text: shown (and editable) when given.
  text?: string;
  textLabel?: string;
  onSubmit(at: Date, text?: string): Promise<unknown>;
  onClose(): void;
}) {
  const { t } = useApp();
  const [when, setWhen] = useState(toLocalInput(initial));
  const [body, setBody] = useState(text ?? "");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const at = fromLocalInput(when);
    if (!at || tooSoon(at, new Date())) {
      setError(t("sched.tooSoon"));
      return;
    }
    setBusy(true);
    setError("");
    try {
      await onSubmit(at, text === undefined ? undefined : body);
      onClose();
    } catch (err) {
      setError(errorText(err, t));
      setBusy(false);
    }
  };
  return (
    <Dialog title={title} onClose={onClose} className="time-dialog">
      <form onSubmit={submit} class="stack">
        {text !== undefined && (
          <label>
            {textLabel ?? t("sched.text")}
            <textarea class="sched-text" rows={3} value={body} onInput={(e) => setBody((e.currentTarget as HTMLTextAreaElement).value)} />
          </label>
        )}
        <label>
          {t("sched.when")}
          <input
            type="datetime-local"
            class="sched-when"
            required
            value={when}
            onInput={(e) => {
              setWhen((e.currentTarget as HTMLInputElement).value);
              setError("");
            }}
            aria-invalid={!!error}
            aria-describedby={error ? "sched-time-error" : undefined}
          />
        </label>
        {error && (
          <p class="error" role="alert" id="sched-time-error">
            {error}
          </p>
        )}
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={onClose}>
            {t("common.cancel")}
          </button>
          <button type="submit" class="btn primary" disabled={busy}>
            {action}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

// defaultCustom: a custom time starts an hour from now, on the minute.
export function defaultCustom(now = new Date()): Date {
  const d = new Date(now.getTime() + 60 * 60_000);
  d.setSeconds(0, 0);
  return d;
}
