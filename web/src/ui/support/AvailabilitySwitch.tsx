// Online or away, and how many conversations at once; "busy" when at
// capacity (the server routes nothing more to me then).
import { useEffect, useState } from "preact/hooks";
import { availabilityOf, DEFAULT_CAPACITY, MAX_CAPACITY } from "../../state/support";
import { useApp } from "../common/context";
import { useSubmit } from "../common/useSubmit";

export function AvailabilitySwitch() {
  const { support, t } = useApp();
  const status = support.status;
  const shown = availabilityOf(status);
  const capacity = status?.capacity || DEFAULT_CAPACITY;
  const open = status?.open ?? support.lists.mine.length;
  const [cap, setCap] = useState(String(capacity));
  useEffect(() => setCap(String(capacity)), [capacity]);
  const { error, busy, run } = useSubmit();
  // The choice shows at once; the server's answer settles it.
  const [want, setWant] = useState<"online" | "away" | null>(null);
  const set = async (availability: "online" | "away", c?: number) => {
    setWant(availability);
    await run(() => support.setStatus(availability, c));
    setWant(null);
  };
  const online = want ? want === "online" : status?.availability !== "away" && !!status;
  return (
    <div class="support-availability">
      <fieldset class="seg" aria-busy={busy}>
        <legend class="sr-only">{t("support.availability")}</legend>
        <label class={online ? "on" : ""}>
          <input type="radio" name="support-availability" value="online" checked={online} onChange={() => void set("online")} />
          {t("support.online")}
        </label>
        <label class={!online ? "on" : ""}>
          <input type="radio" name="support-availability" value="away" checked={!online} onChange={() => void set("away")} />
          {t("support.away")}
        </label>
      </fieldset>
      <label class="support-capacity">
        {t("support.capacity")}
        <input
          type="number"
          min={1}
          max={MAX_CAPACITY}
          value={cap}
          onInput={(e) => setCap((e.target as HTMLInputElement).value)}
          onChange={() => {
            const n = Math.round(Number(cap));
            if (n >= 1 && n <= MAX_CAPACITY && n !== capacity) void set(online ? "online" : "away", n);
          }}
        />
      </label>
      <span class={`support-status ${shown}`} role="status" data-availability={shown}>
        <span class="dot-status" aria-hidden="true" />
        {shown === "busy" ? t("support.busyNote", { open, capacity }) : `${t(shown === "online" ? "support.online" : "support.away")} · ${t("support.openCount", { open, capacity })}`}
      </span>
      {error && (
        <span class="error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
