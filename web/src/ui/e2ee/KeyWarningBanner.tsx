// Above the composer of an encrypted room: a member's security key changed
// since this device first saw it. Compare opens the safety number; Accept
// takes the new key. Louder (an alert) when the person had been verified:
// then nothing is sent to them until one of the two.
import { useState } from "preact/hooks";
import { useApp, useChatState } from "../common/context";
import { useSubmit } from "../common/useSubmit";
import { useE2EE } from "./api";
import { SafetyNumberDialog } from "./SafetyNumberDialog";

export function KeyWarningBanner({ roomId }: { roomId: string }) {
  const { chat, t } = useApp();
  const state = useChatState(chat);
  const e2ee = useE2EE();
  const [comparing, setComparing] = useState<{ userId: string; name: string } | null>(null);
  const { error, run } = useSubmit();
  const room = state.rooms[roomId];
  if (!e2ee || !room?.encrypted) return null;
  const me = state.me?.userId;
  const ids = new Set([...(room.memberIds ?? []), ...Object.keys(state.members[roomId] ?? {})]);
  const changed = [...ids].filter((id) => id !== me && e2ee.keyWarnings.has(id));
  if (changed.length === 0 && !comparing) return null;
  return (
    <>
      {changed.map((id) => {
        const name = state.users[id]?.displayName ?? id;
        const loud = e2ee.keyWarnings.get(id) === "changed-verified";
        return (
          <div key={id} class={`room-banner e2ee-key-warning ${loud ? "loud" : ""}`} data-testid="e2ee-key-warning" role={loud ? "alert" : "status"}>
            <p>{loud ? t("e2ee.keyChangedVerified", { name }) : t("e2ee.keyChanged", { name })}</p>
            <div class="e2ee-banner-actions">
              <button type="button" class="btn" aria-haspopup="dialog" onClick={() => setComparing({ userId: id, name })}>
                {t("e2ee.compare")}
              </button>
              <button type="button" class="btn" data-testid="e2ee-accept-key" onClick={() => void run(() => e2ee.acceptKeyChange(id))}>
                {t("e2ee.acceptKey")}
              </button>
            </div>
          </div>
        );
      })}
      {error && (
        <p class="error room-banner" role="alert">
          {error}
        </p>
      )}
      {comparing && <SafetyNumberDialog e2ee={e2ee} userId={comparing.userId} name={comparing.name} onClose={() => setComparing(null)} />}
    </>
  );
}
