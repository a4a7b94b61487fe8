// The parts the room's integrations (RoomIntegrations) and the workspace's
// slash commands (WorkspaceCommands) share: the signing secret shown once
// after a registration, the list of what is registered, and the form that
// registers a slash command.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import type { IntegrationView } from "../../api/protocol.gen";
import { useApp } from "../common/context";
import type { Submit } from "../common/useSubmit";

// What a registration returns to show once: the command or URL, and its secret.
export interface ShownSecret {
  what: string;
  secret: string;
}

// SecretOnce shows a new signing secret (select it to copy); name is the
// field's form name.
export function SecretOnce({ shown, name }: { shown: ShownSecret | null; name: string }) {
  const { t } = useApp();
  if (!shown) return null;
  return (
    <div class="integration-secret" role="status">
      <label>
        {t("integrations.secret", { what: shown.what })}
        <input type="text" readOnly value={shown.secret} name={name} onFocus={(e) => e.currentTarget.select()} />
      </label>
      <p class="hint">{t("integrations.secretHint")}</p>
    </div>
  );
}

// IntegrationList lists the registered ones (null: still loading).
export function IntegrationList({ items, row }: { items: IntegrationView[] | null; row: (it: IntegrationView) => ComponentChildren }) {
  const { t } = useApp();
  if (items === null) return <p>{t("common.loading")}</p>;
  if (items.length === 0) return <p class="hint">{t("integrations.none")}</p>;
  return <ul class="integration-list">{items.map(row)}</ul>;
}

export interface CommandFields {
  command: string;
  url: string;
  description: string;
}

const noCommand: CommandFields = { command: "", url: "", description: "" };

// CommandForm registers a slash command: add gets the fields (the URL
// trimmed) and shows the secret; the fields clear when it succeeds. The
// inputs' form names start with prefix.
export function CommandForm({ prefix, run, add }: { prefix: string; run: Submit["run"]; add: (f: CommandFields) => Promise<void> }) {
  const { t } = useApp();
  const [cmd, setCmd] = useState(noCommand);
  const submit = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      await add({ ...cmd, url: cmd.url.trim() });
      setCmd(noCommand);
    });
  };
  return (
    <form class="integration-form" onSubmit={submit}>
      <label>
        {t("integrations.command")}
        <input name={`${prefix}command`} required placeholder="/deploy" value={cmd.command} onInput={(e) => setCmd({ ...cmd, command: e.currentTarget.value })} />
      </label>
      <label>
        {t("integrations.url")}
        <input name={`${prefix}command-url`} type="url" required placeholder="https://" value={cmd.url} onInput={(e) => setCmd({ ...cmd, url: e.currentTarget.value })} />
      </label>
      <label>
        {t("integrations.description")}
        <input name={`${prefix}command-description`} maxLength={200} value={cmd.description} onInput={(e) => setCmd({ ...cmd, description: e.currentTarget.value })} />
      </label>
      <button type="submit" class="btn">
        {t("integrations.addCommand")}
      </button>
    </form>
  );
}
