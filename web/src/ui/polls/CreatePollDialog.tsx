// Create a poll (the composer's 📊): a question, 2 to 10 options added and
// removed in place, single or multiple choice, anonymous or not.
import "./polls.css";
import { useRef, useState } from "preact/hooks";
import { Dialog } from "../common/Dialog";
import { useApp } from "../common/context";
import { useSubmit } from "../common/useSubmit";
import { POLL_MAX_OPTION, POLL_MAX_OPTIONS, POLL_MAX_QUESTION, POLL_MIN_OPTIONS, pollDraftError } from "../../state/polls";
import type { MessageKey } from "../../i18n";

const draftErrors: Record<string, MessageKey> = {
  question: "poll.errQuestion",
  options: "poll.errOptions",
  duplicate: "poll.errDuplicate",
  long: "poll.errLong",
};

export function CreatePollDialog({ roomId, onClose }: { roomId: string; onClose(): void }) {
  const { chat, t } = useApp();
  const [question, setQuestion] = useState("");
  const [options, setOptions] = useState<string[]>(["", ""]);
  const [multiple, setMultiple] = useState(false);
  const [anonymous, setAnonymous] = useState(false);
  const { error, setError, busy, run } = useSubmit();
  const listRef = useRef<HTMLOListElement>(null);

  const focusOption = (i: number) =>
    requestAnimationFrame(() => listRef.current?.querySelectorAll<HTMLInputElement>("input")[i]?.focus());

  const add = () => {
    if (options.length >= POLL_MAX_OPTIONS) return;
    setOptions([...options, ""]);
    focusOption(options.length);
  };
  const remove = (i: number) => {
    setOptions(options.filter((_, j) => j !== i));
    focusOption(Math.max(0, i - 1));
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    const bad = pollDraftError(question, options);
    if (bad) {
      setError(t(draftErrors[bad]));
      return;
    }
    await run(async () => {
      const opts = options.map((o) => o.trim()).filter(Boolean);
      await chat.createPoll(roomId, question.trim(), opts, multiple, anonymous);
      onClose();
    });
  };

  return (
    <Dialog title={t("poll.dialogTitle")} onClose={onClose} className="poll-dialog">
      <form onSubmit={submit} class="stack" noValidate>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <label>
          {t("poll.question")}
          <input name="poll-question" required maxLength={POLL_MAX_QUESTION} value={question} onInput={(e) => setQuestion(e.currentTarget.value)} />
        </label>
        <fieldset class="poll-fieldset">
          <legend>{t("poll.options")}</legend>
          <p class="hint" id="poll-options-hint">
            {t("poll.optionsHint")}
          </p>
          <ol class="poll-draft-options" ref={listRef}>
            {options.map((o, i) => (
              <li key={i}>
                <input
                  name={`poll-option-${i + 1}`}
                  aria-label={t("poll.option", { n: i + 1 })}
                  aria-describedby="poll-options-hint"
                  maxLength={POLL_MAX_OPTION}
                  value={o}
                  onInput={(e) => setOptions(options.map((x, j) => (j === i ? e.currentTarget.value : x)))}
                  onKeyDown={(e) => {
                    if (e.key === "Enter" && i === options.length - 1 && options.length < POLL_MAX_OPTIONS && o.trim()) {
                      e.preventDefault();
                      add();
                    }
                  }}
                />
                {options.length > POLL_MIN_OPTIONS && (
                  <button type="button" class="icon-btn" aria-label={t("poll.removeOption", { n: i + 1 })} title={t("poll.removeOption", { n: i + 1 })} onClick={() => remove(i)}>
                    ✕
                  </button>
                )}
              </li>
            ))}
          </ol>
          {options.length < POLL_MAX_OPTIONS && (
            <button type="button" class="btn poll-add" onClick={add}>
              {t("poll.addOption")}
            </button>
          )}
        </fieldset>
        <fieldset class="poll-fieldset">
          <legend>{t("poll.settings")}</legend>
          <label class="check">
            <input type="checkbox" name="poll-multiple" checked={multiple} onChange={(e) => setMultiple(e.currentTarget.checked)} />
            {t("poll.multiple")}
          </label>
          <label class="check">
            <input type="checkbox" name="poll-anonymous" checked={anonymous} onChange={(e) => setAnonymous(e.currentTarget.checked)} />
            {t("poll.anonymous")}
          </label>
        </fieldset>
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={onClose}>
            {t("common.cancel")}
          </button>
          <button type="submit" class="btn primary" disabled={busy}>
            {t("poll.submit")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
