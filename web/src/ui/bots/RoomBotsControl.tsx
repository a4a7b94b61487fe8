// A channel's bots (issue 16), in the room settings: its owners and
// workspace admins add a bot to the room and remove it.
import { useEffect, useState } from "preact/hooks";
import type { Bot, BotsFrame } from "../../api/protocol.gen";
import { useApp, useChatState } from "../common/context";
import { useSubmit } from "../common/useSubmit";
import { canSetRoles } from "../../state/moderation";
import { BotBadge } from "./BotBadge";

export function RoomBotsControl({ roomId }: { roomId: string }) {
  const { chat, t } = useApp();
  const state = useChatState(chat);
  const room = state.rooms[roomId];
  const [bots, setBots] = useState<Bot[]>([]);
  const [pick, setPick] = useState("");
  const { error, run } = useSubmit();
  const allowed = !!room && room.kind !== "direct" && canSetRoles(state, room);
  useEffect(() => {
    if (!allowed) return;
    void run(async () => {
      const ev = (await chat.read({ action: "listBots" }, 3)) as BotsFrame;
      setBots(ev.bots ?? []);
    });
  }, [allowed]);
  if (!allowed) return null;
  const members = state.members[roomId] ?? {};
  const inRoom = bots.filter((b) => members[b.botId]);
  const addable = bots.filter((b) => !members[b.botId]);
  const choice = pick && addable.some((b) => b.botId === pick) ? pick : (addable[0]?.botId ?? "");
  const act = (action: "addBotToRoom" | "removeBotFromRoom", botId: string) => run(async () => void (await chat.request({ action, roomId, botId })));
  return (
    <section class="stack room-bots" aria-labelledby="room-bots-title">
      <h3 id="room-bots-title">{t("bots.room")}</h3>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {inRoom.length === 0 ? (
        <p class="hint">{t("bots.roomNone")}</p>
      ) : (
        <ul class="room-bots-list">
          {inRoom.map((b) => (
            <li key={b.botId}>
              <span>
                {b.name} <BotBadge />
              </span>
              <button type="button" class="btn" aria-label={t("bots.removeFor", { name: b.name })} onClick={() => void act("removeBotFromRoom", b.botId)}>
                {t("bots.remove")}
              </button>
            </li>
          ))}
        </ul>
      )}
      {addable.length > 0 && (
        <div class="room-bots-add">
          <label>
            {t("bots.pick")}
            <select name="room-bot" value={choice} onChange={(e) => setPick(e.currentTarget.value)}>
              {addable.map((b) => (
                <option key={b.botId} value={b.botId}>
                  {b.name}
                </option>
              ))}
            </select>
          </label>
          <button type="button" class="btn" disabled={!choice} onClick={() => void act("addBotToRoom", choice)}>
            {t("bots.add")}
          </button>
        </div>
      )}
    </section>
  );
}
