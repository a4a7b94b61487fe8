// An integration's message (a webhook's): its picture (an https URL the
// integration chose, loaded without a referrer; its initials until it
// loads or when it fails) and the "APP" badge beside the name. The marker
// comes from the server only: no client can send it.
import { useState } from "preact/hooks";
import type { MessageIntegration as Integration } from "../../api/protocol.gen";
import { initials } from "../common/Avatar";
import { useApp } from "../common/context";

export function IntegrationAvatar({ integration, name, size = 36 }: { integration: Integration; name: string; size?: number }) {
  const [state, setState] = useState<"" | "loaded" | "failed">("");
  const url = integration.avatarUrl && /^https:\/\//.test(integration.avatarUrl) ? integration.avatarUrl : "";
  return (
    <span class="avatar integration-avatar" style={{ width: `${size}px`, height: `${size}px`, fontSize: `${Math.round(size * 0.4)}px` }} aria-hidden="true">
      {initials(name || integration.name)}
      {url && state !== "failed" && (
        <img
          class={`avatar-img${state === "loaded" ? " loaded" : ""}`}
          src={url}
          alt=""
          width={size}
          height={size}
          decoding="async"
          referrerpolicy="no-referrer"
          onLoad={() => setState("loaded")}
          onError={() => setState("failed")}
        />
      )}
    </span>
  );
}

export function IntegrationBadge({ integration }: { integration: Integration }) {
  const { t } = useApp();
  return (
    <span class="badge app" data-testid="integration-badge" title={t("webhooks.badgeTitle", { name: integration.name })}>
      {t("webhooks.badge")}
    </span>
  );
}
