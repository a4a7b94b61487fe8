// "Send later": the menu beside Send. The composer's text goes to the
// server as a scheduled message; the composer empties, as on a send.
import { useState } from "preact/hooks";
import "./scheduled.css";
import { useApp } from "../common/context";
import { errorText } from "../common/errorText";
import { TimeMenu } from "./TimeMenu";
import { TimeDialog, defaultCustom } from "./TimeDialog";
import { whenText } from "./whenText";

export function SendLater({ roomId, text, disabled, onScheduled }: { roomId: string; text: string; disabled: boolean; onScheduled(): void }) {
  const { scheduled, chat, t, prefs } = useApp();
  const [custom, setCustom] = useState(false);
  const schedule = async (at: Date) => {
    const item = await scheduled.scheduleMessage(roomId, text.trim(), at);
    onScheduled();
    chat.announce(t("sched.scheduledFor", { time: whenText(item.at, prefs.lang) }));
  };
  return (
    <>
      <TimeMenu
        label={t("sched.laterMenu")}
        className="send-later"
        presets={["30m", "tomorrow9", "monday9"]}
        disabled={disabled}
        onPick={(at) => schedule(at).catch((err) => chat.announce(errorText(err, t)))}
        onCustom={() => setCustom(true)}
      >
        <span aria-hidden="true">🕒</span>
      </TimeMenu>
      {custom && <TimeDialog title={t("sched.customTitle")} action={t("sched.schedule")} initial={defaultCustom()} onSubmit={schedule} onClose={() => setCustom(false)} />}
    </>
  );
}
