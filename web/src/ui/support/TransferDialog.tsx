// Transfer a conversation to another team (its queue) or to an agent,
// with a note for whoever takes it over (stored as an internal note).
import { useEffect, useState } from "preact/hooks";
import type { SupportConversation, SupportTeam } from "../../state/support";
import { Dialog } from "../common/Dialog";
import { useApp } from "../common/context";
import { useSubmit } from "../common/useSubmit";

export function TransferDialog({ conv, onClose }: { conv: SupportConversation; onClose(): void }) {
  const { chat, support, t } = useApp();
  const [teams, setTeams] = useState<SupportTeam[]>(support.teams);
  const [to, setTo] = useState<"team" | "agent">("team");
  const [teamId, setTeamId] = useState("");
  const [userId, setUserId] = useState("");
  const [note, setNote] = useState("");
  const { error, busy, run, setError } = useSubmit();
  const me = chat.state.me?.userId ?? "";
  useEffect(() => {
    support
      .allTeams()
      .then((all) => all.length && setTeams(all))
      .catch(() => {});
  }, []);
  const otherTeams = teams.filter((x) => x.id !== conv.teamId);
  useEffect(() => {
    if (!teamId && otherTeams[0]) setTeamId(otherTeams[0].id);
  }, [teams]);
  // Agents: of every team I know of, but me.
  const agentIds = [...new Set(teams.flatMap((x) => [...(x.agents ?? []), ...(x.leads ?? [])]))].filter((id) => id !== me);
  const nameOf = (id: string) => chat.state.users[id]?.displayName ?? id;
  useEffect(() => {
    if (!userId && agentIds[0]) setUserId(agentIds[0]);
  }, [teams]);
  const submit = (e: Event) => {
    e.preventDefault();
    const target = to === "team" ? { teamId } : { userId };
    if (!target.teamId && !target.userId) {
      setError(t("support.transferTitle"));
      return;
    }
    void run(async () => {
      await support.transfer(conv.roomId, target, note.trim());
      chat.announce(t("support.transferDone"));
      onClose();
    });
  };
  return (
    <Dialog title={t("support.transferTitle")} onClose={onClose}>
      <form class="stack support-transfer" onSubmit={submit}>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <fieldset class="seg">
          <legend class="sr-only">{t("support.transferTitle")}</legend>
          <label class={to === "team" ? "on" : ""}>
            <input type="radio" name="transfer-to" value="team" checked={to === "team"} onChange={() => setTo("team")} />
            {t("support.toTeam")}
          </label>
          <label class={to === "agent" ? "on" : ""}>
            <input type="radio" name="transfer-to" value="agent" checked={to === "agent"} onChange={() => setTo("agent")} />
            {t("support.toAgent")}
          </label>
        </fieldset>
        {to === "team" ? (
          <label>
            <span id={`tt-${conv.roomId}`}>{t("support.team")}</span>
            <select name="transfer-team" aria-labelledby={`tt-${conv.roomId}`} value={teamId} onChange={(e) => setTeamId(e.currentTarget.value)}>
              {otherTeams.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
            </select>
          </label>
        ) : (
          <label>
            <span id={`ta-${conv.roomId}`}>{t("support.agent")}</span>
            <select name="transfer-agent" aria-labelledby={`ta-${conv.roomId}`} value={userId} onChange={(e) => setUserId(e.currentTarget.value)}>
              {agentIds.map((id) => (
                <option key={id} value={id}>
                  {nameOf(id)}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          {t("support.noteForNext")}
          <textarea name="transfer-note" rows={3} maxLength={2000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
        </label>
        <p class="hint">{t("support.noteLabel")}</p>
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={onClose}>
            {t("common.cancel")}
          </button>
          <button type="submit" class="btn primary" disabled={busy}>
            {t("support.transfer")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
