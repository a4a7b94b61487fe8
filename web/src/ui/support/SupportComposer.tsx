// The inbox's composer: a reply to the visitor, or (Note on) an internal
// note only agents see. Typing `#` and a shortcut offers the canned answers
// (a listbox: arrows move, Enter or Tab inserts); a `#shortcut` left in the
// text is expanded on sending; the # button opens the same picker.
import { useRef, useState } from "preact/hooks";
import { cannedFor, cannedQuery, matchCanned, type CannedAnswer, type SupportConversation } from "../../state/support";
import { useApp } from "../common/context";
import { useSubmit } from "../common/useSubmit";

export function SupportComposer({ conv, onActivate }: { conv: SupportConversation; onActivate(): void }) {
  const { chat, support, t } = useApp();
  const [text, setText] = useState("");
  const [note, setNote] = useState(false);
  const [pick, setPick] = useState<{ start: number; query: string; button?: boolean } | null>(null);
  const [sel, setSel] = useState(0);
  const ref = useRef<HTMLTextAreaElement>(null);
  const { error, busy, run, setError } = useSubmit();
  const answers = cannedFor(support.canned, conv.teamId);
  const matches = pick ? matchCanned(answers, pick.query) : [];
  const id = conv.roomId;
  const name = conv.visitor.name || t("support.visitor");

  const update = (value: string, caret: number) => {
    setText(value);
    const q = cannedQuery(value, caret);
    setPick(q);
    setSel(0);
  };
  const insert = (a: CannedAnswer) => {
    const el = ref.current!;
    const caret = el.selectionStart ?? text.length;
    const q = pick ?? { start: caret, query: "", button: true };
    // A typed `#query` is replaced; from the button, the text goes at the caret.
    const end = q.button ? q.start : q.start + 1 + q.query.length;
    const next = text.slice(0, q.start) + a.text + text.slice(end);
    setText(next);
    setPick(null);
    requestAnimationFrame(() => {
      el.focus();
      const at = q.start + a.text.length;
      el.setSelectionRange(at, at);
    });
  };
  const submit = (e?: Event) => {
    e?.preventDefault();
    if (!text.trim() || busy) return;
    setError("");
    void run(async () => {
      await support.send(conv.roomId, text, note);
      setText("");
      setPick(null);
    });
  };
  const open = pick !== null;
  return (
    <form class={`support-composer ${note ? "note" : ""}`} onSubmit={submit} onFocusIn={onActivate}>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {open && (
        <ul class="canned-pick" id={`canned-${id}`} role="listbox" aria-label={t("support.cannedList")}>
          {matches.length === 0 && (
            <li class="muted" role="option" aria-disabled="true" aria-selected="false">
              {t("support.cannedNone")}
            </li>
          )}
          {matches.map((a, i) => (
            <li
              key={a.id}
              id={`canned-${id}-${a.id}`}
              role="option"
              aria-selected={i === sel}
              class={i === sel ? "sel" : ""}
              onMouseDown={(e) => {
                e.preventDefault();
                insert(a);
              }}
            >
              <span class="canned-short">#{a.shortcut}</span> <span class="canned-title">{a.title}</span>
              <span class="canned-text">{a.text}</span>
            </li>
          ))}
        </ul>
      )}
      {note && (
        <p class="note-label" id={`note-hint-${id}`}>
          {t("support.noteLabel")}
        </p>
      )}
      <div class="support-compose-row">
        <textarea
          ref={ref}
          rows={2}
          value={text}
          aria-autocomplete="list"
          aria-controls={open ? `canned-${id}` : undefined}
          aria-activedescendant={open && matches[sel] ? `canned-${id}-${matches[sel].id}` : undefined}
          aria-label={note ? t("support.notePlaceholder") : t("support.replyPlaceholder", { name })}
          placeholder={note ? t("support.notePlaceholder") : t("support.replyPlaceholder", { name })}
          data-conv={conv.roomId}
          onInput={(e) => {
            update(e.currentTarget.value, e.currentTarget.selectionStart ?? e.currentTarget.value.length);
            // The visitor sees a reply coming, never a note.
            if (!note && e.currentTarget.value.trim()) chat.typing(conv.roomId);
          }}
          onKeyDown={(e) => {
            if (open && matches.length > 0) {
              if (e.key === "ArrowDown" || e.key === "ArrowUp") {
                e.preventDefault();
                setSel((sel + (e.key === "ArrowDown" ? 1 : matches.length - 1)) % matches.length);
                return;
              }
              if (e.key === "Enter" || e.key === "Tab") {
                e.preventDefault();
                insert(matches[sel]);
                return;
              }
            }
            if (open && e.key === "Escape") {
              e.preventDefault();
              e.stopPropagation();
              setPick(null);
              return;
            }
            if (e.key === "Enter" && !e.shiftKey && !e.isComposing) submit(e);
          }}
          onBlur={(e) => {
            // The picker's options keep the focus here (mousedown); anything else closes it.
            const to = e.relatedTarget as Node | null;
            if (!to || !e.currentTarget.form?.contains(to)) setPick(null);
          }}
        />
        <div class="support-compose-tools">
          <button
            type="button"
            class="icon-btn"
            aria-label={t("support.cannedPick")}
            title={t("support.cannedPick")}
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => {
              const el = ref.current!;
              el.focus();
              setPick({ start: el.selectionStart ?? text.length, query: "", button: true });
              setSel(0);
            }}
          >
            #
          </button>
          <button type="button" class={`btn small note-toggle ${note ? "on" : ""}`} aria-pressed={note} title={t("support.noteToggle")} onClick={() => setNote(!note)}>
            {t("support.note")}
          </button>
          <button type="submit" class="btn primary small" disabled={busy || !text.trim()}>
            {note ? t("support.addNote") : t("support.send")}
          </button>
        </div>
      </div>
    </form>
  );
}
