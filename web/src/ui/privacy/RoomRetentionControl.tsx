// How long the room keeps its messages (its owners and moderators, admins):
// the workspace's default, forever, or a number of days. The server
// re-stamps the stored messages in the background.
import { useState } from "preact/hooks";
import { useApp, useChatState } from "../common/context";
import { useSubmit } from "../common/useSubmit";
import { canManage, isAdmin } from "../../state/moderation";

const CHOICES = [1, 7, 30, 90, 365];

export function RoomRetentionControl({ roomId }: { roomId: string }) {
  const { chat, retention, t } = useApp();
  const state = useChatState(chat);
  const room = state.rooms[roomId];
  const { error, run } = useSubmit();
  const [value, setValue] = useState(room?.retentionDays === undefined ? "default" : String(room.retentionDays));
  const [saved, setSaved] = useState(false);
  if (!room || !(canManage(state, room) || (room.kind === "direct" && isAdmin(state)))) return null;
  const label = (days: number) => (days === 0 ? t("retention.forever") : t("retention.days", { days }));
  const ws = retention.workspaceDays;
  const choices = [...new Set([...CHOICES, ...(room.retentionDays ? [room.retentionDays] : [])])].sort((a, b) => a - b);
  const save = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      await retention.setRoomDays(roomId, value === "default" ? null : Number(value));
      setSaved(true);
    });
  };
  return (
    <form class="retention-control stack" onSubmit={save}>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <label>
        {t("retention.room")}
        <select name="room-retention" value={value} onChange={(e) => (setValue(e.currentTarget.value), setSaved(false))}>
          <option value="default">{t("retention.default", { label: ws === null ? "…" : label(ws) })}</option>
          <option value="0">{t("retention.forever")}</option>
          {choices.map((d) => (
            <option key={d} value={String(d)}>
              {label(d)}
            </option>
          ))}
        </select>
      </label>
      <p class="hint">{t("retention.roomHint")}</p>
      <div class="dialog-actions">
        <span role="status">{saved ? t("retention.saved") : ""}</span>
        <button type="submit" class="btn">
          {t("retention.save")}
        </button>
      </div>
    </form>
  );
}
