// The text a list shows for a message (pins, saved, threads): an encrypted
// message the engine has not decrypted (a list the server sent on its own)
// says that it is encrypted, not nothing.
import type { Message } from "../../api/protocol.gen";
import type { Translate } from "../../i18n";

export function previewText(m: Message, t: Translate): string {
  if (m.encrypted && (!m.text || m.e2ee?.error || m.e2ee?.pending)) return t("e2ee.encryptedMessage");
  return m.text;
}
