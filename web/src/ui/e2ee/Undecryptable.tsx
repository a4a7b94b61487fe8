// What a message of an encrypted room shows instead of its text while it
// cannot be read: "Decrypting…" while the key is on its way, else why not
// and how to fix it (recover with the passphrase, or verify this device),
// with the way to the encryption settings.
import { useApp } from "../common/context";
import type { MessageE2EE } from "./api";
import { openSecurity } from "./openSecurity";

export function Undecryptable({ info }: { info: MessageE2EE }) {
  const { t } = useApp();
  if (info.pending && !info.error)
    return (
      <p class="msg-text e2ee-pending" data-testid="e2ee-pending">
        {t("e2ee.decrypting")}
      </p>
    );
  // No key: fixable on this device. Tampered or from an unverified device:
  // not shown, nothing to fix here.
  const tampered = info.error === "tampered" || info.error === "bad-device";
  return (
    <div class="msg-text e2ee-undecryptable" data-testid="e2ee-undecryptable" data-error={info.error}>
      <p>{info.error === "tampered" ? t("e2ee.tampered") : info.error === "bad-device" ? t("e2ee.badDevice") : t("e2ee.undecryptable")}</p>
      {!tampered && (
        <button type="button" class="link" onClick={() => openSecurity()}>
          {t("e2ee.openSecurity")}
        </button>
      )}
    </div>
  );
}
