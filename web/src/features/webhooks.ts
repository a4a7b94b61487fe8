// Incoming webhooks (docs/PROTOCOL.md "Incoming webhooks"): a channel's
// owners and workspace admins create, list, rotate and revoke them. The
// secret URL is shown once, when created or rotated: it is the HTTP API's
// base (config.json's httpApiUrl, or this site's origin, as in make dev)
// and the path the server answers with.
import type { WebhookFrame, WebhookInfo, WebhooksFrame } from "../api/protocol.gen";
import type { ServerFrame } from "../state/types";

export type WebhookRequest = (payload: Record<string, unknown> & { action: string }) => Promise<ServerFrame>;

// webhookURL joins the HTTP API's base and a webhook's secret path.
export function webhookURL(base: string | undefined, path: string, origin: string): string {
  const b = (base && /^https?:\/\//.test(base) ? base : origin).replace(/\/+$/, "");
  return b + path;
}

export class Webhooks {
  constructor(private readonly request: WebhookRequest) {}

  async list(roomId: string): Promise<WebhookInfo[]> {
    const r = (await this.request({ action: "listWebhooks", roomId })) as WebhooksFrame;
    return r.webhooks;
  }

  // create answers the webhook and its secret path (shown once).
  async create(roomId: string, name: string, avatarUrl?: string): Promise<{ webhook: WebhookInfo; path: string }> {
    const r = (await this.request({ action: "createWebhook", roomId, name, avatarUrl: avatarUrl || undefined })) as WebhookFrame;
    return { webhook: r.webhook, path: r.path ?? "" };
  }

  async rotate(roomId: string, webhookId: string): Promise<{ webhook: WebhookInfo; path: string }> {
    const r = (await this.request({ action: "rotateWebhookSecret", roomId, webhookId })) as WebhookFrame;
    return { webhook: r.webhook, path: r.path ?? "" };
  }

  async revoke(roomId: string, webhookId: string): Promise<WebhookInfo> {
    const r = (await this.request({ action: "revokeWebhook", roomId, webhookId })) as WebhookFrame;
    return r.webhook;
  }
}
