// A message from someone the person blocked (issue 15): collapsed to one
// line with a "show" that opens it on this screen only.
import { useApp } from "../common/context";

export function BlockedMessage({ seq, onShow }: { seq: number; onShow(): void }) {
  const { t } = useApp();
  return (
    <article class="msg cont blocked-msg" data-seq={seq > 0 ? seq : undefined} aria-label={t("privacy.blockedMessage")}>
      <div class="msg-gutter" />
      <div class="msg-main">
        <p class="msg-text tombstone">
          {t("privacy.blockedMessage")} —{" "}
          <button type="button" class="link" data-action="show-blocked" onClick={onShow}>
            {t("privacy.show")}
          </button>
        </p>
      </div>
    </article>
  );
}
