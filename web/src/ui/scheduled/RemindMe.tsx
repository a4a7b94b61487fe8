// "Remind me" among a message's actions: a reminder about it, in 30
// minutes, an hour, three hours, tomorrow at 9:00 or at a custom time.
import { useState } from "preact/hooks";
import type { Message } from "../../api/protocol.gen";
import "./scheduled.css";
import { useApp } from "../common/context";
import { errorText } from "../common/errorText";
import { TimeMenu } from "./TimeMenu";
import { TimeDialog, defaultCustom } from "./TimeDialog";
import { whenText } from "./whenText";

export function RemindMe({ msg }: { msg: Message }) {
  const { scheduled, chat, t, prefs } = useApp();
  const [custom, setCustom] = useState(false);
  const remind = async (at: Date, note?: string) => {
    const item = await scheduled.remindMe(msg.roomId, msg.seq, at, note);
    chat.announce(t("sched.remindSet", { time: whenText(item.at, prefs.lang) }));
  };
  return (
    <>
      <TimeMenu
        label={t("sched.remindMenu")}
        className="remind-me"
        presets={["30m", "1h", "3h", "tomorrow9"]}
        onPick={(at) => remind(at).catch((err) => chat.announce(errorText(err, t)))}
        onCustom={() => setCustom(true)}
      >
        <span aria-hidden="true">⏰</span>
      </TimeMenu>
      {custom && (
        <TimeDialog
          title={t("sched.remindTitle")}
          action={t("sched.remind")}
          initial={defaultCustom()}
          text=""
          textLabel={t("sched.note")}
          onSubmit={(at, note) => remind(at, note)}
          onClose={() => setCustom(false)}
        />
      )}
    </>
  );
}
