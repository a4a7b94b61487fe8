// My pending invitations to private channels, in the sidebar: accept (and
// open the channel) or decline.
import "./moderation.css";
import { useApp, useChatState } from "../common/context";
import { useSubmit } from "../common/useSubmit";

export function Invitations({ onOpen }: { onOpen(roomId: string): void }) {
  const { chat, t } = useApp();
  const state = useChatState(chat);
  const { error, run } = useSubmit();
  if (state.invites.length === 0) return null;
  const name = (id: string) => state.users[id]?.displayName ?? "";
  return (
    <section aria-labelledby="h-invites" class="invites">
      <div class="section-head">
        <h2 id="h-invites">{t("mod.invitations")}</h2>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <ul class="invite-list">
        {state.invites.map((inv) => (
          <li key={inv.roomId} class="invite" data-invite={inv.roomId}>
            <span class="invite-text">{name(inv.invitedBy) ? t("mod.invitedBy", { room: inv.roomName, name: name(inv.invitedBy) }) : `#${inv.roomName}`}</span>
            <span class="invite-actions">
              <button
                type="button"
                class="btn primary"
                onClick={() =>
                  void run(async () => {
                    await chat.request({ action: "acceptInvite", roomId: inv.roomId });
                    onOpen(inv.roomId);
                  })
                }
              >
                {t("mod.accept")}
              </button>
              <button type="button" class="btn" onClick={() => void run(() => chat.request({ action: "declineInvite", roomId: inv.roomId }))}>
                {t("mod.decline")}
              </button>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
