// Above the composer: that I am muted here (until when), or that the
// channel is archived (then there is no composer).
import "./moderation.css";
import { useEffect, useState } from "preact/hooks";
import { useApp, useChatState } from "../common/context";
import { mutedUntil } from "../../state/moderation";
import { untilTime } from "../common/untilTime";

export function RoomBanner({ roomId }: { roomId: string }) {
  const { chat, t, prefs } = useApp();
  const state = useChatState(chat);
  const room = state.rooms[roomId];
  const [now, setNow] = useState(Date.now());
  const until = mutedUntil(room, now);
  // Take the banner down when the mute ends.
  useEffect(() => {
    if (!until) return;
    const id = setTimeout(() => setNow(Date.now()), Math.min(until.getTime() - Date.now() + 500, 2 ** 31 - 1));
    return () => clearTimeout(id);
  }, [until?.getTime()]);
  if (room?.archived) {
    return (
      <p class="room-banner archived" role="status">
        {t("mod.archivedBanner")}
      </p>
    );
  }
  if (!until) return null;
  return (
    <p class="room-banner muted-banner" role="status">
      {t("mod.mutedBanner", { time: untilTime(until, prefs.lang) })}
    </p>
  );
}
