// "Slash commands" of the admin console (issue 16): the workspace's
// commands, offered in every room's composer (a room's own command of the
// same name wins there). Admins register one (its signing secret is shown
// once), see the list with URLs and delete one. The server checks the
// policy on every action.
import "./integrations.css";
import { useEffect, useState } from "preact/hooks";
import type { IntegrationView } from "../../api/protocol.gen";
import { useApp } from "../common/context";
import { useSubmit } from "../common/useSubmit";
import { deleteWorkspaceCommand, loadWorkspaceCommands, registerWorkspaceCommand } from "../../features/commands";

export function WorkspaceCommands() {
  const { chat, t } = useApp();
  const [list, setList] = useState<IntegrationView[] | null>(null);
  const [cmd, setCmd] = useState({ command: "", url: "", description: "" });
  const [secret, setSecret] = useState<{ what: string; secret: string } | null>(null);
  const { error, run } = useSubmit();
  const reload = async () => setList(await loadWorkspaceCommands(chat));
  useEffect(() => {
    void run(reload);
  }, []);
  const add = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const r = await registerWorkspaceCommand(chat, cmd.command, cmd.url.trim(), cmd.description);
      setSecret({ what: `/${r.integration.command}`, secret: r.secret });
      setCmd({ command: "", url: "", description: "" });
      await reload();
    });
  };
  const remove = (it: IntegrationView) =>
    void run(async () => {
      await deleteWorkspaceCommand(chat, it.id);
      setSecret((s) => (s?.what === `/${it.command}` ? null : s));
      await reload();
    });
  return (
    <section class="integrations stack" aria-labelledby="ws-commands-title">
      <h3 id="ws-commands-title">{t("integrations.commands")}</h3>
      <p class="hint">{t("integrations.workspaceIntro")}</p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {secret && (
        <div class="integration-secret" role="status">
          <label>
            {t("integrations.secret", { what: secret.what })}
            <input type="text" readOnly value={secret.secret} name="ws-command-secret" onFocus={(e) => e.currentTarget.select()} />
          </label>
          <p class="hint">{t("integrations.secretHint")}</p>
        </div>
      )}
      {list === null ? (
        <p>{t("common.loading")}</p>
      ) : list.length === 0 ? (
        <p class="hint">{t("integrations.none")}</p>
      ) : (
        <ul class="integration-list">
          {list.map((it) => (
            <li key={it.id} class="integration-row">
              <span class="integration-name">
                <code>/{it.command}</code>
                {it.url && <span class="hint integration-url"> {it.url}</span>}
                {it.description && <span class="hint"> · {it.description}</span>}
              </span>
              <button type="button" class="btn" aria-label={t("integrations.deleteLabel", { what: `/${it.command}` })} onClick={() => remove(it)}>
                {t("integrations.delete")}
              </button>
            </li>
          ))}
        </ul>
      )}
      <form class="integration-form" onSubmit={add}>
        <label>
          {t("integrations.command")}
          <input name="ws-command" required placeholder="/deploy" value={cmd.command} onInput={(e) => setCmd({ ...cmd, command: e.currentTarget.value })} />
        </label>
        <label>
          {t("integrations.url")}
          <input name="ws-command-url" type="url" required placeholder="https://" value={cmd.url} onInput={(e) => setCmd({ ...cmd, url: e.currentTarget.value })} />
        </label>
        <label>
          {t("integrations.description")}
          <input name="ws-command-description" maxLength={200} value={cmd.description} onInput={(e) => setCmd({ ...cmd, description: e.currentTarget.value })} />
        </label>
        <button type="submit" class="btn">
          {t("integrations.addCommand")}
        </button>
      </form>
    </section>
  );
}
