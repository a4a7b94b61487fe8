// The room's incoming webhooks, in the room settings (its owners and
// workspace admins): create one (a name, an optional https picture), see
// its URL once with a copy button, list them, rotate a secret, revoke.
import { useEffect, useMemo, useState } from "preact/hooks";
import type { WebhookInfo } from "../../api/protocol.gen";
import { Webhooks, webhookURL } from "../../features/webhooks";
import { useApp, useChatState } from "../common/context";
import { useSubmit } from "../common/useSubmit";
import { ConfirmDialog } from "../common/ConfirmDialog";
import { canSetRoles } from "../../state/moderation";

export function WebhooksSection({ roomId }: { roomId: string }) {
  const { chat, t, prefs, httpApiUrl } = useApp();
  const state = useChatState(chat);
  const room = state.rooms[roomId];
  const hooks = useMemo(() => new Webhooks((p) => chat.request(p as never)), [chat]);
  const allowed = !!room && canSetRoles(state, room);
  const [list, setList] = useState<WebhookInfo[] | null>(null);
  const [name, setName] = useState("");
  const [avatarUrl, setAvatarUrl] = useState("");
  // shown: the URL of the webhook just created or rotated, shown once.
  const [shown, setShown] = useState<{ id: string; url: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const [revoking, setRevoking] = useState<WebhookInfo | null>(null);
  const { error, run } = useSubmit();

  useEffect(() => {
    if (!allowed) return;
    let live = true;
    void run(async () => {
      const l = await hooks.list(roomId);
      if (live) setList(l);
    });
    return () => {
      live = false;
    };
  }, [allowed, roomId, hooks]);
  if (!allowed) return null;

  const show = (id: string, path: string) => {
    setShown({ id, url: webhookURL(httpApiUrl, path, location.origin) });
    setCopied(false);
  };
  const replace = (w: WebhookInfo) => setList((l) => [...(l ?? []).filter((x) => x.id !== w.id), w].sort((a, b) => a.createdAt.localeCompare(b.createdAt)));
  const create = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const r = await hooks.create(roomId, name.trim(), avatarUrl.trim());
      replace(r.webhook);
      show(r.webhook.id, r.path);
      setName("");
      setAvatarUrl("");
    });
  };
  const copy = async () => {
    if (!shown) return;
    try {
      await navigator.clipboard.writeText(shown.url);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  const date = (s: string) => new Date(s).toLocaleDateString(prefs.lang);

  return (
    <section class="webhooks stack" aria-labelledby={`webhooks-${roomId}`}>
      <h3 id={`webhooks-${roomId}`}>{t("webhooks.title")}</h3>
      <p class="hint">{t("webhooks.hint")}</p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {shown && (
        <div class="webhook-url" role="status">
          <p>{t("webhooks.urlOnce")}</p>
          <code data-testid="webhook-url">{shown.url}</code>
          <div class="dialog-actions">
            <span>{copied ? t("webhooks.copied") : ""}</span>
            <button type="button" class="btn" onClick={() => void copy()}>
              {t("webhooks.copy")}
            </button>
            <button type="button" class="btn" onClick={() => setShown(null)}>
              {t("webhooks.hideUrl")}
            </button>
          </div>
        </div>
      )}
      <form class="stack" onSubmit={create}>
        <label>
          {t("webhooks.name")}
          <input name="webhook-name" required maxLength={80} placeholder="CI" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          {t("webhooks.avatar")}
          <input name="webhook-avatar" type="url" inputMode="url" placeholder="https://" maxLength={1024} value={avatarUrl} onInput={(e) => setAvatarUrl(e.currentTarget.value)} />
        </label>
        <div class="dialog-actions">
          <button type="submit" class="btn">
            {t("webhooks.create")}
          </button>
        </div>
      </form>
      {list && list.length === 0 && <p class="hint">{t("webhooks.none")}</p>}
      {list && list.length > 0 && (
        <ul class="webhook-list" aria-label={t("webhooks.list")}>
          {list.map((w) => (
            <li key={w.id} class={w.revokedAt ? "revoked" : ""} data-webhook-id={w.id}>
              <span class="webhook-name">{w.name}</span>
              <span class="hint">
                {w.revokedAt ? t("webhooks.revokedOn", { date: date(w.revokedAt) }) : t("webhooks.createdBy", { name: w.createdByName || t("user.deleted"), date: date(w.createdAt) })}
              </span>
              {!w.revokedAt && (
                <span class="webhook-actions">
                  <button
                    type="button"
                    class="btn"
                    aria-label={t("webhooks.rotateLabel", { name: w.name })}
                    onClick={() =>
                      void run(async () => {
                        const r = await hooks.rotate(roomId, w.id);
                        replace(r.webhook);
                        show(r.webhook.id, r.path);
                      })
                    }
                  >
                    {t("webhooks.rotate")}
                  </button>
                  <button type="button" class="btn danger" aria-label={t("webhooks.revokeLabel", { name: w.name })} onClick={() => setRevoking(w)}>
                    {t("webhooks.revoke")}
                  </button>
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
      {revoking && (
        <ConfirmDialog
          title={t("webhooks.revokeLabel", { name: revoking.name })}
          body={t("webhooks.revokeConfirm", { name: revoking.name })}
          action={t("webhooks.revoke")}
          onConfirm={async () => {
            replace(await hooks.revoke(roomId, revoking.id));
            if (shown?.id === revoking.id) setShown(null);
          }}
          onClose={() => setRevoking(null)}
        />
      )}
    </section>
  );
}
