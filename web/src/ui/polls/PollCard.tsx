// A poll in the timeline: the question, its options as buttons (single
// choice: clicking replaces my vote, clicking my choice retracts it) or
// checkboxes (multiple choice), live bars with counts and percentages, my
// choice marked, who voted (tooltip and screen-reader text) unless the poll
// is anonymous, and "Close poll" for its author and the room's managers.
import "./polls.css";
import { useState } from "preact/hooks";
import type { Message } from "../../api/protocol.gen";
import { useApp, useChatState } from "../common/context";
import { errorText } from "../common/errorText";
import { ConfirmDialog } from "../common/ConfirmDialog";
import { myChoice, nextChoice, percent } from "../../state/polls";
import { reactionNames } from "../../state/conversations";
import { canManage } from "../../state/moderation";
import { roomWritable } from "../../state/rooms";

export function PollCard({ msg }: { msg: Message }) {
  const { chat, t } = useApp();
  const state = useChatState(chat);
  const [error, setError] = useState("");
  const [confirming, setConfirming] = useState(false);
  const poll = msg.poll!;
  const me = state.me?.userId;
  const mine = myChoice(poll, me);
  const room = state.rooms[msg.roomId];
  const closed = !!poll.closedAt;
  const canVote = !closed && roomWritable(state, room) && msg.seq > 0;
  const mayClose = !closed && msg.seq > 0 && roomWritable(state, room) && (msg.senderId === me || canManage(state, room));
  const id = `poll-${msg.roomId}-${msg.seq}`;

  const vote = (options: number[]) => {
    setError("");
    chat.vote(msg.roomId, msg.seq, options).catch((err) => setError(errorText(err, t)));
  };
  const results = poll.options.map((o, i) => t("poll.result", { option: o.text, n: o.count, pct: percent(o.count, poll.voters) }) + (mine.includes(i) ? ` (${t("poll.yourChoice")})` : ""));

  return (
    <div class={["poll", closed ? "closed" : ""].filter(Boolean).join(" ")} data-poll={msg.seq}>
      <fieldset class="poll-fieldset" disabled={!canVote}>
        <legend class="poll-question" id={`${id}-q`}>
          <span class="poll-kind">{t("poll.label")}</span> {poll.question}
        </legend>
        <p class="poll-flags hint">
          {poll.multiple ? t("poll.multi") : t("poll.single")}
          {poll.anonymous && <> · {t("poll.anonymousBadge")}</>}
          {closed && <> · {t("poll.closed")}</>}
        </p>
        <ul class="poll-options">
          {poll.options.map((o, i) => {
            const chosen = mine.includes(i);
            const pct = percent(o.count, poll.voters);
            const names = !poll.anonymous && o.voterIds?.length ? reactionNames(state, o.voterIds, t("react.you")).join(", ") : "";
            const votedBy = names ? t("poll.votedBy", { option: o.text, names }) : undefined;
            const body = (
              <>
                <span class="poll-bar" style={{ width: `${pct}%` }} aria-hidden="true" />
                <span class="poll-text">
                  {chosen && (
                    <span class="poll-check" aria-hidden="true">
                      ✓{" "}
                    </span>
                  )}
                  {o.text}
                </span>
                <span class="poll-count" aria-hidden="true">
                  {o.count} · {pct}%
                </span>
              </>
            );
            return (
              <li key={i} class={chosen ? "poll-option mine" : "poll-option"} title={votedBy}>
                {poll.multiple ? (
                  <label class="poll-choice">
                    <input type="checkbox" class="poll-input" checked={chosen} aria-describedby={`${id}-r${i}`} onChange={() => vote(nextChoice(poll, mine, i))} />
                    {body}
                  </label>
                ) : (
                  <button type="button" class="poll-choice" aria-pressed={chosen} aria-describedby={`${id}-r${i}`} onClick={() => vote(nextChoice(poll, mine, i))}>
                    {body}
                  </button>
                )}
                <span class="sr-only" id={`${id}-r${i}`}>
                  {results[i]}
                  {votedBy ? `. ${votedBy}` : ""}
                </span>
              </li>
            );
          })}
        </ul>
      </fieldset>
      <p class="poll-summary" aria-live="polite">
        <span>{t("poll.voters", { n: poll.voters })}</span>
        <span class="sr-only">. {results.join("; ")}</span>
        {closed && poll.closedBy && <span class="hint"> · {t("poll.closedBy", { name: state.users[poll.closedBy]?.displayName ?? "" })}</span>}
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {mayClose && (
        <button type="button" class="btn poll-close" onClick={() => setConfirming(true)}>
          {t("poll.close")}
        </button>
      )}
      {confirming && (
        <ConfirmDialog
          title={t("poll.confirmClose")}
          body={t("poll.confirmCloseBody")}
          action={t("poll.close")}
          onConfirm={() => chat.closePoll(msg.roomId, msg.seq).catch((err) => setError(errorText(err, t)))}
          onClose={() => setConfirming(false)}
        />
      )}
    </div>
  );
}
