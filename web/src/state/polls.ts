// Polls: what the client derives from a poll message's tally (the server
// sends counts, voters only when the poll is not anonymous, and my own
// choice, "mine", only in my replies, history and resume).
import type { Message, Poll } from "../api/protocol.gen";

// myChoice: the options I chose. An open poll names its voters, so that is
// the truth; an anonymous one says it only in "mine".
export function myChoice(poll: Poll, me: string | undefined): number[] {
  if (!poll.anonymous && me) {
    const out: number[] = [];
    poll.options.forEach((o, i) => {
      if (o.voterIds?.includes(me)) out.push(i);
    });
    return out;
  }
  return poll.mine ?? [];
}

// keepMine: a room's live update of an anonymous poll has no "mine"; the
// copy held keeps the one it had.
export function keepMine(held: Message | undefined, next: Message): Message {
  if (!next.poll || next.poll.mine !== undefined || !held?.poll?.mine) return next;
  return { ...next, poll: { ...next.poll, mine: held.poll.mine } };
}

// percent of the voters who chose an option (rounded; 0 without voters).
// On a multiple-choice poll the percentages add up to more than 100.
export function percent(count: number, voters: number): number {
  return voters > 0 ? Math.round((count * 100) / voters) : 0;
}

// nextChoice: my choice after clicking option i: on a single-choice poll
// it replaces my vote (clicking my own choice retracts it), on a multiple
// one it toggles i.
export function nextChoice(poll: Poll, mine: number[], i: number): number[] {
  if (!poll.multiple) return mine.length === 1 && mine[0] === i ? [] : [i];
  return mine.includes(i) ? mine.filter((x) => x !== i) : [...mine, i].sort((a, b) => a - b);
}

export const POLL_MAX_OPTIONS = 10;
export const POLL_MIN_OPTIONS = 2;
export const POLL_MAX_QUESTION = 300;
export const POLL_MAX_OPTION = 100;

// pollDraftError: the first rule a draft breaks (the server checks again),
// or "" when it may be sent.
export function pollDraftError(question: string, options: string[]): "" | "question" | "options" | "duplicate" | "long" {
  const q = question.trim();
  if (!q || [...q].length > POLL_MAX_QUESTION) return "question";
  const opts = options.map((o) => o.trim()).filter(Boolean);
  if (opts.length < POLL_MIN_OPTIONS || opts.length > POLL_MAX_OPTIONS) return "options";
  if (opts.some((o) => [...o].length > POLL_MAX_OPTION)) return "long";
  if (new Set(opts.map((o) => o.toLowerCase())).size !== opts.length) return "duplicate";
  return "";
}
