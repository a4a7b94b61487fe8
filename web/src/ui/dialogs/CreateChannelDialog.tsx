// Create a channel: name, topic, private toggle.
import { useState } from "preact/hooks";
import { Dialog } from "../common/Dialog";
import { useApp } from "../common/context";
import { useSubmit } from "../common/useSubmit";
import type { RoomFrame } from "../../api/protocol.gen";
import { EncryptToggle } from "../e2ee/EncryptToggle";

// Channel names are lowercased, then must be [a-z0-9_-], 1 to 80 long.
export function normalizeChannelName(s: string): string {
  return s.trim().toLowerCase().replace(/^#/, "").replace(/\s+/g, "-");
}
export const validChannelName = (s: string) => /^[a-z0-9_-]{1,80}$/.test(s);

export function CreateChannelDialog({ onClose, onCreated }: { onClose(): void; onCreated(roomId: string): void }) {
  const { chat, t } = useApp();
  const [name, setName] = useState("");
  const [topic, setTopic] = useState("");
  const [priv, setPriv] = useState(false);
  // End-to-end encrypted: private channels only, fixed at creation.
  const [encrypted, setEncrypted] = useState(false);
  const { error, setError, busy, run } = useSubmit();
  const norm = normalizeChannelName(name);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!validChannelName(norm)) {
      setError(t("channel.badName"));
      return;
    }
    await run(async () => {
      const id =
        priv && encrypted
          ? ((await chat.request({ action: "createChannel", name: norm, topic: topic.trim() || undefined, private: true, encrypted: true })) as RoomFrame).room.roomId
          : await chat.createChannel(norm, topic.trim(), priv);
      onClose();
      onCreated(id);
    });
  };

  return (
    <Dialog title={t("channel.createTitle")} onClose={onClose}>
      <form onSubmit={submit} class="stack">
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <label>
          {t("channel.name")}
          <input name="channel-name" required maxLength={80} value={name} aria-describedby="cn-hint" onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <p class="hint" id="cn-hint">
          {t("channel.nameHint")} {norm && `#${norm}`}
        </p>
        <label>
          {t("channel.topic")}
          <input name="channel-topic" maxLength={250} value={topic} onInput={(e) => setTopic(e.currentTarget.value)} />
        </label>
        <label class="check">
          <input type="checkbox" name="channel-private" checked={priv} onChange={(e) => setPriv(e.currentTarget.checked)} />
          {t("channel.private")}
        </label>
        {priv && <EncryptToggle checked={encrypted} onChange={setEncrypted} />}
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={onClose}>
            {t("common.cancel")}
          </button>
          <button type="submit" class="btn primary" disabled={busy}>
            {t("channel.create")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
