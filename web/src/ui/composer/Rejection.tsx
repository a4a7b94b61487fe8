// The notice of a message the review hook rejected (code "rejected"): the
// hook's reason, in the composer, above the box its text went back into.
import type { Rejection as RejectionState } from "../../state/types";
import { useApp } from "../common/context";

export function Rejection({ roomId, rejection, restored }: { roomId: string; rejection: RejectionState; restored: boolean }) {
  const { chat, t } = useApp();
  return (
    <div class="composer-rejected" role="alert">
      <p>
        <strong>{t("review.rejected", { reason: rejection.reason })}</strong>
        {restored && <> {t("review.draftKept")}</>}
      </p>
      <button type="button" class="link" onClick={() => chat.clearRejected(roomId)}>
        {t("review.dismiss")}
      </button>
    </div>
  );
}
