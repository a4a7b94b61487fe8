// The admin console: export a person's data on their request (the server
// audits it and tells the person), then download the archive when the
// worker says it is ready.
import { useState } from "preact/hooks";
import type { Person } from "../../api/protocol.gen";
import { useApp, useChatState } from "../common/context";
import { errorText } from "../common/errorText";

export function ExportPersonButton({ person }: { person: Person }) {
  const { chat, exports, t } = useApp();
  useChatState(chat);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  if (!person.userId) return null;
  const x = exports.others.get(person.userId);
  const run = async (f: () => Promise<void>) => {
    setBusy(true);
    setError("");
    try {
      await f();
    } catch (err) {
      setError(errorText(err, t));
    } finally {
      setBusy(false);
    }
  };
  if (x?.state === "ready") {
    return (
      <button
        type="button"
        class="btn"
        disabled={busy}
        aria-label={t("export.downloadFor", { name: person.displayName })}
        onClick={() =>
          void run(async () => {
            window.location.assign(await exports.downloadUrlFor(person.userId));
          })
        }
      >
        {t("export.download")}
      </button>
    );
  }
  const pending = x?.state === "pending" || x?.state === "running";
  return (
    <button
      type="button"
      class="btn"
      disabled={busy || pending}
      title={error || undefined}
      aria-label={pending ? undefined : t("export.forPerson", { name: person.displayName })}
      onClick={() => void run(async () => void (await exports.exportUser(person.userId)))}
    >
      {pending ? t("export.preparing") : error ? t("export.again") : t("export.person")}
    </button>
  );
}
