// "Commands & outgoing webhooks" of the room settings (the room's owners
// and workspace admins, as the server says with canManage): register a
// slash command or an outgoing webhook, see its signing secret once, list
// and delete them.
import "./integrations.css";
import { useState } from "preact/hooks";
import type { IntegrationView } from "../../api/protocol.gen";
import { useApp } from "../common/context";
import { useSubmit } from "../common/useSubmit";
import { deleteIntegration, registerCommand, registerOutgoing } from "../../features/commands";
import { CommandForm, IntegrationList, SecretOnce, type CommandFields, type ShownSecret } from "./IntegrationParts";
import { useRoomCommands } from "./useCommands";

export function RoomIntegrations({ roomId }: { roomId: string }) {
  const { chat, t } = useApp();
  const rc = useRoomCommands(chat, roomId);
  const { error, run } = useSubmit();
  const [secret, setSecret] = useState<ShownSecret | null>(null);
  const [out, setOut] = useState({ url: "", words: "", all: false });
  if (!rc?.canManage) return null;
  const name = (it: IntegrationView) => (it.kind === "command" ? `/${it.command}` : (it.url ?? ""));
  const addCommand = async (cmd: CommandFields) => {
    const r = await registerCommand(chat, roomId, cmd.command, cmd.url, cmd.description);
    setSecret({ what: `/${r.integration.command}`, secret: r.secret });
  };
  const addOutgoing = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const words = out.words.split(/[\s,]+/).filter(Boolean);
      const r = await registerOutgoing(chat, roomId, out.url.trim(), words, out.all);
      setSecret({ what: r.integration.url ?? "", secret: r.secret });
      setOut({ url: "", words: "", all: false });
    });
  };
  const remove = (it: IntegrationView) => void run(() => deleteIntegration(chat, roomId, it));
  const row = (it: IntegrationView) => (
    <li key={it.id} class="integration-row">
      <span class="integration-name">
        <code>{name(it)}</code>
        {it.kind === "command" && !it.roomId && <span class="hint"> ({t("integrations.workspace")})</span>}
        {it.kind === "command" && it.url && <span class="hint integration-url"> {it.url}</span>}
        {it.kind === "outgoing" && (
          <span class="hint"> {it.allMessages ? t("integrations.onAll") : t("integrations.on", { words: (it.triggerWords ?? []).join(", ") })}</span>
        )}
        {it.description && <span class="hint"> · {it.description}</span>}
      </span>
      {(it.roomId || it.kind === "outgoing") && (
        <button type="button" class="btn" aria-label={t("integrations.deleteLabel", { what: name(it) })} onClick={() => remove(it)}>
          {t("integrations.delete")}
        </button>
      )}
    </li>
  );
  return (
    <section class="integrations stack" aria-labelledby="integrations-title">
      <h3 id="integrations-title">{t("integrations.title")}</h3>
      <p class="hint">{t("integrations.intro")}</p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <SecretOnce shown={secret} name="integration-secret" />
      <h4>{t("integrations.commands")}</h4>
      <IntegrationList items={rc.commands} row={row} />
      <CommandForm prefix="" run={run} add={addCommand} />
      <h4>{t("integrations.outgoing")}</h4>
      <IntegrationList items={rc.outgoing} row={row} />
      <form class="integration-form" onSubmit={addOutgoing}>
        <label>
          {t("integrations.url")}
          <input name="outgoing-url" type="url" required placeholder="https://" value={out.url} onInput={(e) => setOut({ ...out, url: e.currentTarget.value })} />
        </label>
        <label>
          {t("integrations.triggers")}
          <input name="trigger-words" disabled={out.all} value={out.words} onInput={(e) => setOut({ ...out, words: e.currentTarget.value })} />
        </label>
        <label class="check">
          <input type="checkbox" name="all-messages" checked={out.all} onChange={(e) => setOut({ ...out, all: e.currentTarget.checked })} />
          {t("integrations.allMessages")}
        </label>
        <button type="submit" class="btn">
          {t("integrations.addOutgoing")}
        </button>
      </form>
    </section>
  );
}
