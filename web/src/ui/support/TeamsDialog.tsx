// The admins' support teams: name, topics (the widget routes them here),
// agents and leads, conversations per agent, round-robin assignment, and
// business hours per weekday in a time zone (or always open).
import { useEffect, useState } from "preact/hooks";
import type { Profile } from "../../api/protocol.gen";
import { DEFAULT_CAPACITY, MAX_CAPACITY, teamProblems, type BusinessHours, type SupportTeam } from "../../state/support";
import type { MessageKey } from "../../i18n";
import { Dialog } from "../common/Dialog";
import { ConfirmDialog } from "../common/ConfirmDialog";
import { useApp } from "../common/context";
import { useSubmit } from "../common/useSubmit";

const WEEK = [1, 2, 3, 4, 5, 6, 0];
const zones = (): string[] => {
  try {
    return (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf("timeZone");
  } catch {
    return ["UTC", "Europe/Berlin", "America/New_York"];
  }
};
const localZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
const defaultHours = (): BusinessHours => ({ tz: localZone(), days: [0, 1, 2, 3, 4, 5, 6].map((d) => (d === 0 || d === 6 ? [] : [{ from: "09:00", to: "17:00" }])) });
const blank = (): SupportTeam => ({ id: "", name: "", topics: [], agents: [], leads: [], capacity: DEFAULT_CAPACITY, autoAssign: false, hours: null });

export function TeamsDialog({ onClose }: { onClose(): void }) {
  const { chat, support, t } = useApp();
  const [teams, setTeams] = useState<SupportTeam[]>(support.teams);
  const [edit, setEdit] = useState<SupportTeam | null>(null);
  const [del, setDel] = useState<SupportTeam | null>(null);
  const { error, run } = useSubmit();
  useEffect(() => {
    void run(async () => setTeams(await support.allTeams()));
  }, []);
  return (
    <Dialog title={t("support.manageTeams")} onClose={onClose} wide className="support-dialog">
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {edit ? (
        <TeamForm
          team={edit}
          onCancel={() => setEdit(null)}
          onSaved={(saved) => {
            setTeams([...teams.filter((x) => x.id !== saved.id), saved].sort((a, b) => a.name.localeCompare(b.name)));
            setEdit(null);
          }}
        />
      ) : (
        <>
          {teams.length === 0 ? (
            <p class="muted">{t("support.teams.none")}</p>
          ) : (
            <ul class="team-list">
              {teams.map((x) => (
                <li key={x.id} data-team={x.name}>
                  <div>
                    <strong>{x.name}</strong>
                    <span class="muted">
                      {" "}
                      {(x.topics ?? []).join(", ")} · {t("support.team.agents")}: {(x.agents ?? []).map((id) => chat.state.users[id]?.displayName ?? id).join(", ") || "—"}
                    </span>
                  </div>
                  <button type="button" class="text-btn" aria-label={t("support.teams.edit", { name: x.name })} onClick={() => setEdit(x)}>
                    ✎
                  </button>
                  <button type="button" class="text-btn" aria-label={t("support.teams.delete", { name: x.name })} onClick={() => setDel(x)}>
                    🗑
                  </button>
                </li>
              ))}
            </ul>
          )}
          <div class="dialog-actions">
            <button type="button" class="btn primary" onClick={() => setEdit(blank())}>
              {t("support.teams.add")}
            </button>
          </div>
        </>
      )}
      {del && (
        <ConfirmDialog
          title={t("support.teams.delete", { name: del.name })}
          body={t("support.teams.deleteConfirm", { name: del.name })}
          action={t("support.teams.delete", { name: del.name })}
          onClose={() => setDel(null)}
          onConfirm={async () => {
            await support.deleteTeam(del.id);
            setTeams(teams.filter((x) => x.id !== del.id));
          }}
        />
      )}
    </Dialog>
  );
}

function TeamForm({ team, onCancel, onSaved }: { team: SupportTeam; onCancel(): void; onSaved(t: SupportTeam): void }) {
  const { chat, support, t } = useApp();
  const [name, setName] = useState(team.name);
  const [topics, setTopics] = useState((team.topics ?? []).join(", "));
  const [agents, setAgents] = useState<string[]>(team.agents ?? []);
  const [leads, setLeads] = useState<string[]>(team.leads ?? []);
  const [capacity, setCapacity] = useState(String(team.capacity || DEFAULT_CAPACITY));
  const [autoAssign, setAutoAssign] = useState(!!team.autoAssign);
  const [hours, setHours] = useState<BusinessHours | null>(team.hours ?? null);
  const [people, setPeople] = useState<Profile[]>([]);
  const [filter, setFilter] = useState("");
  const { error, busy, run, setError } = useSubmit();
  useEffect(() => {
    void (async () => {
      const all: Profile[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 10; i++) {
        const page = await chat.listUsers(cursor);
        all.push(...page.users.filter((u) => !u.bot && !u.deleted && !u.deactivated));
        cursor = page.cursor;
        if (!cursor) break;
      }
      setPeople(all.sort((a, b) => a.displayName.localeCompare(b.displayName)));
    })().catch(() => {});
  }, []);
  const shownPeople = people.filter((p) => !filter || p.displayName.toLowerCase().includes(filter.toLowerCase()) || agents.includes(p.userId) || leads.includes(p.userId));
  const toggle = (list: string[], set: (l: string[]) => void, id: string, on: boolean) => set(on ? [...new Set([...list, id])] : list.filter((x) => x !== id));
  const setSpan = (day: number, k: "from" | "to", v: string) => {
    if (!hours) return;
    const days = hours.days.map((d, i) => (i === day ? [{ ...(d[0] ?? { from: "09:00", to: "17:00" }), [k]: v }] : d));
    setHours({ ...hours, days });
  };
  const setOpen = (day: number, on: boolean) => {
    if (!hours) return;
    setHours({ ...hours, days: hours.days.map((d, i) => (i === day ? (on ? [{ from: "09:00", to: "17:00" }] : []) : d)) });
  };
  const submit = (e: Event) => {
    e.preventDefault();
    const next: SupportTeam = {
      ...team,
      name: name.trim(),
      topics: topics
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
      agents,
      leads,
      capacity: Number(capacity),
      autoAssign,
      hours,
    };
    const problems = teamProblems(next);
    if (problems.length) {
      setError(problems.map((p) => t(p as MessageKey)).join(" "));
      return;
    }
    void run(async () => onSaved(await support.saveTeam(next)));
  };
  return (
    <form class="stack team-form" onSubmit={submit}>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <label>
        {t("support.team.name")}
        <input name="team-name" required maxLength={80} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label>
        {t("support.team.topics")}
        <input name="team-topics" maxLength={500} value={topics} aria-describedby="team-topics-hint" onInput={(e) => setTopics(e.currentTarget.value)} />
      </label>
      <p class="hint" id="team-topics-hint">
        {t("support.team.topicsHint")}
      </p>
      <fieldset class="team-people">
        <legend>
          {t("support.team.agents")} / {t("support.team.leads")}
        </legend>
        <label>
          {t("support.team.searchPeople")}
          <input type="search" name="team-filter" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
        </label>
        <table>
          <thead>
            <tr>
              <th scope="col">{t("support.name")}</th>
              <th scope="col">{t("support.team.agents")}</th>
              <th scope="col">{t("support.team.leads")}</th>
            </tr>
          </thead>
          <tbody>
            {shownPeople.map((p) => (
              <tr key={p.userId} data-person={p.displayName}>
                <th scope="row">{p.displayName}</th>
                <td>
                  <input type="checkbox" name="team-agent" aria-label={`${t("support.team.agents")}: ${p.displayName}`} checked={agents.includes(p.userId)} onChange={(e) => toggle(agents, setAgents, p.userId, e.currentTarget.checked)} />
                </td>
                <td>
                  <input type="checkbox" name="team-lead" aria-label={`${t("support.team.leads")}: ${p.displayName}`} checked={leads.includes(p.userId)} onChange={(e) => toggle(leads, setLeads, p.userId, e.currentTarget.checked)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </fieldset>
      <label>
        {t("support.team.capacity")}
        <input type="number" name="team-capacity" min={1} max={MAX_CAPACITY} value={capacity} onInput={(e) => setCapacity(e.currentTarget.value)} />
      </label>
      <label class="check">
        <input type="checkbox" name="team-auto" checked={autoAssign} onChange={(e) => setAutoAssign(e.currentTarget.checked)} />
        {t("support.team.autoAssign")}
      </label>
      <fieldset class="team-hours">
        <legend>{t("support.team.hours")}</legend>
        <label class="check">
          <input type="radio" name="team-hours-mode" checked={!hours} onChange={() => setHours(null)} />
          {t("support.team.hoursAlways")}
        </label>
        <label class="check">
          <input type="radio" name="team-hours-mode" checked={!!hours} onChange={() => setHours(team.hours ?? defaultHours())} />
          {t("support.team.hoursSet")}
        </label>
        {hours && (
          <>
            <label>
              {t("support.team.tz")}
              <select name="team-tz" value={hours.tz} onChange={(e) => setHours({ ...hours, tz: e.currentTarget.value })}>
                {[...new Set([hours.tz, ...zones()])].map((z) => (
                  <option key={z} value={z}>
                    {z}
                  </option>
                ))}
              </select>
            </label>
            <table class="hours-table">
              <tbody>
                {WEEK.map((d) => {
                  const span = hours.days[d]?.[0];
                  const day = t(`support.day.${d}` as MessageKey);
                  return (
                    <tr key={d}>
                      <th scope="row">
                        <label class="check">
                          <input type="checkbox" checked={!!span} onChange={(e) => setOpen(d, e.currentTarget.checked)} />
                          {day}
                        </label>
                      </th>
                      {span ? (
                        <>
                          <td>
                            <input type="time" aria-label={`${day} ${t("support.team.from")}`} value={span.from} onInput={(e) => setSpan(d, "from", e.currentTarget.value)} />
                          </td>
                          <td>
                            <input type="time" aria-label={`${day} ${t("support.team.to")}`} value={span.to} onInput={(e) => setSpan(d, "to", e.currentTarget.value)} />
                          </td>
                        </>
                      ) : (
                        <td colSpan={2} class="muted">
                          {t("support.team.closed")}
                        </td>
                      )}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </>
        )}
      </fieldset>
      <div class="dialog-actions">
        <button type="button" class="btn" onClick={onCancel}>
          {t("common.cancel")}
        </button>
        <button type="submit" class="btn primary" disabled={busy}>
          {t("support.team.save")}
        </button>
      </div>
    </form>
  );
}
