// ChannelChip marks a conversation whose visitor left a message and gets
// the replies by email (channel "email"), in the queue and the header.
import type { SupportConversation } from "../../state/support";
import { useApp } from "../common/context";

export function ChannelChip({ conv }: { conv: Pick<SupportConversation, "channel"> }) {
  const { t } = useApp();
  if (conv.channel !== "email") return null;
  return (
    <span class="chip email" title={t("support.byEmailHint")}>
      {t("support.byEmail")}
    </span>
  );
}
