// The BOT badge beside a bot's name (its profile says bot; a bot's user
// id starts with bot_ even before its profile is known).
import type { Profile } from "../../api/protocol.gen";
import { useApp } from "../common/context";

export const isBot = (userId: string, profile?: Profile) => !!profile?.bot || userId.startsWith("bot_");

export function BotBadge() {
  const { t } = useApp();
  return (
    <span class="tag bot-badge" title={t("bots.badgeLabel")}>
      {t("bots.badge")}
    </span>
  );
}
