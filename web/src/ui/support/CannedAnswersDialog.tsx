// Canned answers (leads for their teams, admins for all): shortcut, title,
// text and the team it is for ("every team" for admins only).
import { useState } from "preact/hooks";
import type { CannedAnswer } from "../../state/support";
import { Dialog } from "../common/Dialog";
import { useApp } from "../common/context";
import { useSubmit } from "../common/useSubmit";

// As the server takes them: 1 to 30 of a-z, 0-9, - and _.
const SHORTCUT = /^[a-z0-9_-]{1,30}$/;
type Draft = Omit<CannedAnswer, "id"> & { id?: string };
const blank: Draft = { shortcut: "", title: "", text: "", teamId: "" };

export function CannedAnswersDialog({ onClose }: { onClose(): void }) {
  const { chat, support, t } = useApp();
  const isAdmin = chat.state.groups.includes("admins");
  const me = chat.state.me?.userId ?? "";
  // Teams I may write answers for.
  const teams = support.teams.filter((x) => isAdmin || x.leads?.includes(me));
  const [draft, setDraft] = useState<Draft>({ ...blank, teamId: isAdmin ? "" : (teams[0]?.id ?? "") });
  const { error, busy, run, setError } = useSubmit();
  const answers = [...support.canned].sort((a, b) => a.shortcut.localeCompare(b.shortcut));
  const teamName = (id?: string) => (id ? (support.teams.find((x) => x.id === id)?.name ?? id) : t("support.canned.everyTeam"));
  const set = (k: keyof Draft) => (e: Event) => setDraft({ ...draft, [k]: (e.currentTarget as HTMLInputElement).value });
  const submit = (e: Event) => {
    e.preventDefault();
    const shortcut = draft.shortcut.trim().replace(/^#/, "").toLowerCase();
    if (!SHORTCUT.test(shortcut) || !draft.title.trim() || !draft.text.trim()) {
      setError(t("support.canned.invalid"));
      return;
    }
    void run(async () => {
      await support.saveCanned({ ...draft, shortcut, title: draft.title.trim(), text: draft.text.trim() });
      setDraft({ ...blank, teamId: draft.teamId });
      setError("");
    });
  };
  return (
    <Dialog title={t("support.manageCanned")} onClose={onClose} wide className="support-dialog">
      {answers.length === 0 ? (
        <p class="muted">{t("support.canned.none")}</p>
      ) : (
        <ul class="canned-list">
          {answers.map((a) => (
            <li key={a.id} data-shortcut={a.shortcut}>
              <div>
                <strong>#{a.shortcut}</strong> {a.title} <span class="chip">{teamName(a.teamId)}</span>
                <p class="canned-text">{a.text}</p>
              </div>
              <button type="button" class="text-btn" aria-label={t("support.canned.edit", { name: `#${a.shortcut}` })} onClick={() => setDraft({ ...a, teamId: a.teamId ?? "" })}>
                ✎
              </button>
              <button type="button" class="text-btn" aria-label={t("support.canned.delete", { name: `#${a.shortcut}` })} onClick={() => void run(() => support.deleteCanned(a.id))}>
                🗑
              </button>
            </li>
          ))}
        </ul>
      )}
      <form class="stack" onSubmit={submit}>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <label>
          {t("support.canned.shortcut")}
          <input name="canned-shortcut" maxLength={31} value={draft.shortcut} onInput={set("shortcut")} aria-describedby="canned-short-hint" />
        </label>
        <p class="hint" id="canned-short-hint">
          {t("support.canned.shortcutHint")}
        </p>
        <label>
          {t("support.canned.title")}
          <input name="canned-title" maxLength={120} value={draft.title} onInput={set("title")} />
        </label>
        <label>
          {t("support.canned.text")}
          <textarea name="canned-text" rows={4} maxLength={4000} value={draft.text} onInput={set("text")} />
        </label>
        <label>
          {t("support.canned.team")}
          <select name="canned-team" value={draft.teamId ?? ""} onChange={set("teamId")}>
            {isAdmin && <option value="">{t("support.canned.everyTeam")}</option>}
            {teams.map((x) => (
              <option key={x.id} value={x.id}>
                {x.name}
              </option>
            ))}
          </select>
        </label>
        <div class="dialog-actions">
          {draft.id && (
            <button type="button" class="btn" onClick={() => setDraft({ ...blank })}>
              {t("common.cancel")}
            </button>
          )}
          <button type="submit" class="btn primary" disabled={busy}>
            {draft.id ? t("support.canned.save") : t("support.canned.add")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
