// Rename a channel or change its topic (#general keeps its name).
import { useState } from "preact/hooks";
import { Dialog } from "../common/Dialog";
import { useApp, useChatState } from "../common/context";
import { useSubmit } from "../common/useSubmit";
import { normalizeChannelName, validChannelName } from "./CreateChannelDialog";
import { ArchiveControl } from "../moderation/ArchiveControl";
import { RoomRetentionControl } from "../privacy/RoomRetentionControl";
import { RoomBotsControl } from "../bots/RoomBotsControl";
import { WebhooksSection } from "../webhooks/WebhooksSection";
import { RoomIntegrations } from "../integrations/RoomIntegrations";

export function RoomSettingsDialog({ roomId, onClose }: { roomId: string; onClose(): void }) {
  const { chat, t } = useApp();
  const state = useChatState(chat);
  const room = state.rooms[roomId];
  const [name, setName] = useState(room?.name ?? "");
  const [topic, setTopic] = useState(room?.topic ?? "");
  const [membersCanPin, setMembersCanPin] = useState(!!room?.membersCanPin);
  const { error, setError, run } = useSubmit();
  if (!room) return null;
  const canRename = roomId !== "general";

  const submit = async (e: Event) => {
    e.preventDefault();
    const norm = normalizeChannelName(name);
    if (canRename && !validChannelName(norm)) {
      setError(t("channel.badName"));
      return;
    }
    await run(async () => {
      const newName = canRename && norm !== room.name ? norm : undefined;
      const newTopic = topic.trim() !== (room.topic ?? "") ? topic.trim() : undefined;
      const pinSetting = membersCanPin !== !!room.membersCanPin ? membersCanPin : undefined;
      if (newName !== undefined || newTopic !== undefined || pinSetting !== undefined) await chat.updateChannel(roomId, newName, newTopic, pinSetting);
      onClose();
    });
  };

  return (
    <Dialog title={t("roomSettings.title")} onClose={onClose}>
      <form onSubmit={submit} class="stack">
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <label>
          {t("channel.name")}
          <input name="channel-name" required maxLength={80} disabled={!canRename} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          {t("channel.topic")}
          <input name="channel-topic" maxLength={250} value={topic} onInput={(e) => setTopic(e.currentTarget.value)} />
        </label>
        <label class="check">
          <input type="checkbox" name="members-can-pin" checked={membersCanPin} onChange={(e) => setMembersCanPin(e.currentTarget.checked)} />
          {t("pin.membersCan")}
        </label>
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={onClose}>
            {t("common.cancel")}
          </button>
          <button type="submit" class="btn primary">
            {t("roomSettings.save")}
          </button>
        </div>
      </form>
      <RoomRetentionControl roomId={roomId} />
      <RoomBotsControl roomId={roomId} />
      <WebhooksSection roomId={roomId} />
      <RoomIntegrations roomId={roomId} />
      <ArchiveControl roomId={roomId} onDone={onClose} />
    </Dialog>
  );
}
