// The replies of slash commands that only the caller sees, shown above
// the composer of their room and marked so; never stored, gone on reload.
import { useApp } from "../common/context";
import { dismissEphemeral, ephemeralReplies } from "../../features/commands";
import { useCommandsStore } from "./useCommands";

export function EphemeralReplies({ roomId }: { roomId: string }) {
  const { t } = useApp();
  useCommandsStore();
  const list = ephemeralReplies(roomId);
  if (list.length === 0) return null;
  return (
    <ul class="ephemeral-replies" aria-live="polite">
      {list.map((e) => (
        <li key={e.id} class="ephemeral-reply">
          <div class="ephemeral-head">
            <strong>{e.command}</strong> <span class="ephemeral-badge">{t("integrations.onlyYou")}</span>
            <button type="button" class="btn" onClick={() => dismissEphemeral(roomId, e.id)}>
              {t("integrations.dismiss")}
            </button>
          </div>
          <p class="ephemeral-text">{e.text}</p>
        </li>
      ))}
    </ul>
  );
}
