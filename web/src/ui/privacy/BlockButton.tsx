// Block or unblock a person from their row in the members panel (issue
// 15). They are not told; their messages are collapsed here.
import { isBlocked } from "../../state/preferences";
import { useApp, useChatState } from "../common/context";
import { useSubmit } from "../common/useSubmit";

export function BlockButton({ userId, name }: { userId: string; name: string }) {
  const { chat, t, preferences } = useApp();
  const state = useChatState(chat);
  const { error, run } = useSubmit();
  const blocked = isBlocked(state, userId);
  const label = t(blocked ? "privacy.unblockName" : "privacy.blockName", { name });
  return (
    <>
      <button
        type="button"
        class={`icon-btn block-btn${blocked ? " on" : ""}`}
        data-action={blocked ? "unblock" : "block"}
        aria-pressed={blocked}
        aria-label={label}
        title={label}
        onClick={() => void run(() => (blocked ? preferences.unblock(userId) : preferences.block(userId)))}
      >
        {blocked ? t("privacy.unblock") : t("privacy.block")}
      </button>
      {error && (
        <span class="error" role="alert">
          {error}
        </span>
      )}
    </>
  );
}
