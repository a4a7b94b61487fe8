// A room's notifications: its level (the default, every message, mentions
// and DMs, nothing) and a mute for 1 h / 8 h / 1 day / until turned back
// on. Stored on the server (setRoomNotify), so every device follows it.
import type { NotifyLevel } from "../../api/notifyProtocol";
import { FOREVER, mutedUntil, roomNotify } from "../../state/preferences";
import { roomTitle } from "../../state/rooms";
import { Dialog } from "../common/Dialog";
import { useApp, useChatState } from "../common/context";
import { useSubmit } from "../common/useSubmit";
import { untilTime } from "../common/untilTime";

const LEVELS: (NotifyLevel | "")[] = ["", "all", "mentions", "nothing"];
const MUTES: { key: "roomNotify.mute1h" | "roomNotify.mute8h" | "roomNotify.mute1d" | "roomNotify.muteForever"; hours: number }[] = [
  { key: "roomNotify.mute1h", hours: 1 },
  { key: "roomNotify.mute8h", hours: 8 },
  { key: "roomNotify.mute1d", hours: 24 },
  { key: "roomNotify.muteForever", hours: 0 },
];

export function RoomNotifyDialog({ roomId, onClose }: { roomId: string; onClose(): void }) {
  const { chat, t, prefs, preferences } = useApp();
  const state = useChatState(chat);
  const { error, busy, run } = useSubmit();
  const room = state.rooms[roomId];
  if (!room) return null;
  const rn = roomNotify(state, roomId);
  const level = rn.level ?? "";
  const until = mutedUntil(rn, Date.now());
  const label = room.kind === "direct" ? roomTitle(state, room) : `#${roomTitle(state, room)}`;
  const mute = (hours: number) => run(() => preferences.setRoom(roomId, level, hours ? new Date(Date.now() + hours * 3600_000).toISOString() : FOREVER));

  return (
    <Dialog title={t("roomNotify.title", { room: label })} onClose={onClose} className="room-notify">
      <div class="stack">
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <fieldset class="settings-row">
          <legend>{t("roomNotify.level")}</legend>
          <div class="radios vertical">
            {LEVELS.map((l) => (
              <label key={l || "default"} class="check">
                <input type="radio" name="room-level" value={l} checked={level === l} disabled={busy} onChange={() => void run(() => preferences.setRoom(roomId, l))} />
                {t(`roomNotify.level.${l || "default"}`)}
              </label>
            ))}
          </div>
        </fieldset>
        <fieldset class="settings-row">
          <legend>{t("roomNotify.mute")}</legend>
          {until ? (
            <p class="hint" role="status">
              {new Date(until).getUTCFullYear() >= 9999 ? t("roomNotify.mutedForever") : t("roomNotify.mutedUntil", { time: untilTime(until, prefs.lang) })}{" "}
              <button type="button" class="btn" disabled={busy} onClick={() => void run(() => preferences.setRoom(roomId, level, ""))}>
                {t("roomNotify.unmute")}
              </button>
            </p>
          ) : (
            <div class="mute-choices">
              {MUTES.map((m) => (
                <button key={m.key} type="button" class="btn" disabled={busy} onClick={() => void mute(m.hours)}>
                  {t(m.key)}
                </button>
              ))}
            </div>
          )}
        </fieldset>
      </div>
    </Dialog>
  );
}
