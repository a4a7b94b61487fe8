// In place of the composer in a direct conversation whose every other
// member deleted their account: the server refuses new messages there
// (docs/ARCHITECTURE.md "Account deletion"), so the client says why
// instead of offering a composer that can only fail.
import "../moderation/moderation.css";
import { useApp, useChatState } from "../common/context";
import { directReadOnly } from "../../state/rooms";

export function DeletedPartnerNotice({ roomId }: { roomId: string }) {
  const { chat, t } = useApp();
  const state = useChatState(chat);
  const room = state.rooms[roomId];
  if (!directReadOnly(state, room)) return null;
  const group = (room.memberIds ?? []).filter((id) => id !== state.me?.userId).length > 1;
  return (
    <p class="room-banner dm-read-only" role="status">
      {t(group ? "privacy.dmReadOnlyGroup" : "privacy.dmReadOnly")}
    </p>
  );
}
