// Block or unblock a person (issue 15): from their row in the members panel
// (BlockButton) or from a direct conversation's header, where the actions
// fold into the ⋯ menu on narrow columns (DirectBlockButton). They are not
// told; their messages are collapsed here.
import { isBlocked } from "../../state/preferences";
import { useApp, useChatState } from "../common/context";
import { useSubmit } from "../common/useSubmit";

// useBlockToggle: whether userId is blocked, the button's label and the
// toggle, with the refusal kept as text to show.
function useBlockToggle(userId: string, name: string) {
  const { chat, t, preferences } = useApp();
  const state = useChatState(chat);
  const { error, run } = useSubmit();
  const blocked = isBlocked(state, userId);
  const label = t(blocked ? "privacy.unblockName" : "privacy.blockName", { name });
  const toggle = () => void run(() => (blocked ? preferences.unblock(userId) : preferences.block(userId)));
  return { t, blocked, label, toggle, error };
}

function BlockError({ error }: { error: string }) {
  return error ? (
    <span class="error" role="alert">
      {error}
    </span>
  ) : null;
}

export function BlockButton({ userId, name }: { userId: string; name: string }) {
  const { t, blocked, label, toggle, error } = useBlockToggle(userId, name);
  return (
    <>
      <button type="button" class={`icon-btn block-btn${blocked ? " on" : ""}`} data-action={blocked ? "unblock" : "block"} aria-pressed={blocked} aria-label={label} title={label} onClick={toggle}>
        {blocked ? t("privacy.unblock") : t("privacy.block")}
      </button>
      <BlockError error={error} />
    </>
  );
}

// DirectBlockButton: the header's action of a 1:1 direct conversation, in
// the pattern of the room's other actions (an icon, labelled in the menu).
export function DirectBlockButton({ userId, name }: { userId: string; name: string }) {
  const { blocked, label, toggle, error } = useBlockToggle(userId, name);
  return (
    <>
      <button type="button" class={`icon-btn labelled direct-block-btn${blocked ? " on" : ""}`} data-action={blocked ? "unblock" : "block"} aria-pressed={blocked} aria-label={label} title={label} onClick={toggle}>
        <span aria-hidden="true">⊘</span>
        <span class="menu-label" aria-hidden="true">
          {label}
        </span>
      </button>
      <BlockError error={error} />
    </>
  );
}
