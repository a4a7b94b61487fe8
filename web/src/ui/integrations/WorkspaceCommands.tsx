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
import { CommandForm, IntegrationList, SecretOnce, type CommandFields, type ShownSecret } from "./IntegrationParts";

export function WorkspaceCommands() {
  const { chat, t } = useApp();
  const [list, setList] = useState<IntegrationView[] | null>(null);
  const [secret, setSecret] = useState<ShownSecret | null>(null);
  const { error, run } = useSubmit();
  const reload = async () => setList(await loadWorkspaceCommands(chat));
  useEffect(() => {
    void run(reload);
  }, []);
  const add = async (cmd: CommandFields) => {
    const r = await registerWorkspaceCommand(chat, cmd.command, cmd.url, cmd.description);
    setSecret({ what: `/${r.integration.command}`, secret: r.secret });
    await reload();
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
      <SecretOnce shown={secret} name="ws-command-secret" />
      <IntegrationList
        items={list}
        row={(it) => (
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
        )}
      />
      <CommandForm prefix="ws-" run={run} add={add} />
    </section>
  );
}
