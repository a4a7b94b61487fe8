// The room's retention, shown in its header: "Messages older than 90 days
// are removed" (nothing when it keeps them forever, or before the
// workspace's default is known).
import type { RoomState } from "../../api/protocol.gen";
import { useApp } from "../common/context";

export function RetentionNotice({ room }: { room: RoomState }) {
  const { retention, t } = useApp();
  const days = retention.effective(room);
  if (!days) return null;
  const text = t("retention.notice", { days });
  return (
    <p class="topic retention-notice" title={text}>
      {text}
    </p>
  );
}
