// The admin console: list and search the workspace's people, invite by
// email, change a workspace role, deactivate and reactivate. Shown to
// workspace admins only; the server checks the policy on every action.
import { useEffect, useState } from "preact/hooks";
import type { PeopleFrame, Person, PersonFrame, WorkspaceRole } from "../../api/protocol.gen";
import { Dialog } from "../common/Dialog";
import { useApp } from "../common/context";
import { useSubmit } from "../common/useSubmit";
import { ExportPersonButton } from "./ExportPersonButton";
import { BotsSection } from "../bots/BotsSection";
import { WidgetSettings } from "../support/admin/WidgetSettings";
import { WorkspaceCommands } from "../integrations/WorkspaceCommands";

const ROLES: WorkspaceRole[] = ["member", "moderator", "admin"];

export function PeopleDialog({ onClose }: { onClose(): void }) {
  const { chat, t } = useApp();
  const [query, setQuery] = useState("");
  const [people, setPeople] = useState<Person[] | null>(null);
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [status, setStatus] = useState("");
  const list = useSubmit();
  const invite = useSubmit();
  const act = useSubmit();
  const meId = chat.state.me?.userId ?? "";

  const load = (q: string) =>
    list.run(async () => {
      const ev = (await chat.read({ action: "listPeople", query: q }, 3)) as PeopleFrame;
      setPeople(ev.people ?? []);
    });
  useEffect(() => {
    const timer = setTimeout(() => void load(query.trim()), 200);
    return () => clearTimeout(timer);
  }, [query]);

  const replace = (p: Person) => setPeople((all) => (all ?? []).map((x) => (x.username === p.username ? p : x)));

  const sendInvite = (e: Event) => {
    e.preventDefault();
    void invite.run(async () => {
      const ev = (await chat.request({ action: "invitePerson", email: email.trim(), displayName: name.trim() || undefined })) as PersonFrame;
      setPeople((all) => [ev.person, ...(all ?? [])]);
      setStatus(t("admin.invited", { email: ev.person.email }));
      setEmail("");
      setName("");
      invite.setError("");
    });
  };

  const change = (p: Person, payload: { action: "setWorkspaceRole"; role: WorkspaceRole } | { action: "deactivatePerson" | "reactivatePerson" }) =>
    act.run(async () => {
      const ev = (await chat.request({ ...payload, username: p.username })) as PersonFrame;
      replace(ev.person);
      setStatus(t("admin.done", { name: ev.person.displayName, status: t(`admin.status.${ev.person.status}`) }));
      act.setError("");
    });

  // Deleting is final: the person leaves the list (the erasure runs in
  // the background; docs/PROTOCOL.md, deleteUser).
  const remove = (p: Person) =>
    act.run(async () => {
      await chat.request({ action: "deleteUser", username: p.username });
      setPeople((all) => (all ?? []).filter((x) => x.username !== p.username));
      setStatus(t("admin.deleted", { name: p.displayName }));
      act.setError("");
    });

  return (
    <Dialog title={t("admin.title")} onClose={onClose} wide>
      <form class="stack" onSubmit={sendInvite}>
        <h3>{t("admin.inviteTitle")}</h3>
        <div class="admin-invite">
          <label>
            {t("admin.email")}
            <input name="invite-email" type="email" required autoComplete="off" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
          </label>
          <label>
            {t("admin.name")}
            <input name="invite-name" maxLength={80} autoComplete="off" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </label>
          <button type="submit" class="btn primary" disabled={invite.busy}>
            {t("admin.invite")}
          </button>
        </div>
        {invite.error && (
          <p class="error" role="alert">
            {t("common.error", { error: invite.error })}
          </p>
        )}
      </form>
      <div class="stack">
        <label>
          {t("admin.search")}
          <input name="people-search" type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        </label>
        <p role="status" class="admin-status">
          {act.error ? t("common.error", { error: act.error }) : list.error ? t("common.error", { error: list.error }) : status}
        </p>
        {people === null ? (
          <p>{t("common.loading")}</p>
        ) : people.length === 0 ? (
          <p>{t("admin.none")}</p>
        ) : (
          <ul class="people-list">
            {people.map((p) => {
              const self = p.userId === meId;
              return (
                <li key={p.username} class={`person ${p.status}`} data-email={p.email}>
                  <div class="person-who">
                    <span class="person-name">
                      {p.displayName}
                      {self && ` (${t("admin.you")})`}
                      {p.handle && <span class="muted"> @{p.handle}</span>}
                    </span>
                    <span class="person-email">{p.email}</span>
                  </div>
                  <span class={`person-status status-${p.status}`}>{t(`admin.status.${p.status}`)}</span>
                  <select
                    aria-label={t("admin.role", { name: p.displayName })}
                    value={p.role}
                    disabled={self || act.busy}
                    onChange={(e) => void change(p, { action: "setWorkspaceRole", role: e.currentTarget.value as WorkspaceRole })}
                  >
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {t(`admin.role.${r}`)}
                      </option>
                    ))}
                  </select>
                  {p.status === "deactivated" ? (
                    <button type="button" class="btn" disabled={self || act.busy} onClick={() => void change(p, { action: "reactivatePerson" })}>
                      {t("admin.reactivate")}
                    </button>
                  ) : (
                    <button
                      type="button"
                      class="btn danger"
                      disabled={self || act.busy}
                      onClick={() => {
                        if (confirm(t("admin.confirmDeactivate", { name: p.displayName }))) void change(p, { action: "deactivatePerson" });
                      }}
                    >
                      {t("admin.deactivate")}
                    </button>
                  )}
                  <ExportPersonButton person={p} />
                  <button
                    type="button"
                    class="btn danger"
                    disabled={self || act.busy}
                    onClick={() => {
                      if (confirm(t("admin.confirmDelete", { name: p.displayName }))) void remove(p);
                    }}
                  >
                    {t("admin.delete")}
                  </button>
                </li>
              );
            })}
          </ul>
        )}
      </div>
      <BotsSection />
      <WidgetSettings />
      <WorkspaceCommands />
    </Dialog>
  );
}
