import { describe, expect, it } from "vitest";
import type { Poll } from "../../src/api/protocol.gen";
import { keepMine, myChoice, nextChoice, percent, pollDraftError } from "../../src/state/polls";
import { mergeMessages } from "../../src/state/messages";
import { msg } from "../fixtures";

const open: Poll = {
  question: "Lunch?",
  options: [
    { text: "Pizza", count: 1, voterIds: ["me"] },
    { text: "Sushi", count: 1, voterIds: ["bob"] },
  ],
  voters: 2,
};
const anon: Poll = { question: "Rate", options: [{ text: "good", count: 2 }, { text: "bad", count: 0 }], voters: 2, anonymous: true };

describe("polls", () => {
  it("reads my choice from the voters of an open poll and from mine of an anonymous one", () => {
    expect(myChoice(open, "me")).toEqual([0]);
    expect(myChoice(open, "carol")).toEqual([]);
    expect(myChoice({ ...anon, mine: [0] }, "me")).toEqual([0]);
    expect(myChoice(anon, "me")).toEqual([]);
  });

  it("keeps my choice of an anonymous poll when a room's update has none", () => {
    const held = { ...msg("r1", 5), poll: { ...anon, mine: [0] } };
    const live = { ...msg("r1", 5), poll: { ...anon, voters: 3, options: [{ text: "good", count: 2 }, { text: "bad", count: 1 }] } };
    const merged = mergeMessages([held], [live]);
    expect(merged[0].poll?.mine).toEqual([0]);
    expect(merged[0].poll?.voters).toBe(3);
    // A reply with mine replaces it.
    const reply = { ...live, poll: { ...live.poll!, mine: [] } };
    expect(keepMine(held, reply).poll?.mine).toEqual([]);
  });

  it("replaces a single choice, retracts it, and toggles multiple choices", () => {
    expect(nextChoice(open, [], 1)).toEqual([1]);
    expect(nextChoice(open, [0], 1)).toEqual([1]);
    expect(nextChoice(open, [1], 1)).toEqual([]);
    const multi = { ...open, multiple: true };
    expect(nextChoice(multi, [2], 0)).toEqual([0, 2]);
    expect(nextChoice(multi, [0, 2], 2)).toEqual([0]);
  });

  it("computes percentages of the voters", () => {
    expect(percent(1, 3)).toBe(33);
    expect(percent(0, 0)).toBe(0);
    expect(percent(2, 2)).toBe(100);
  });

  it("checks a draft as the server does", () => {
    expect(pollDraftError("Lunch?", ["a", "b"])).toBe("");
    expect(pollDraftError(" ", ["a", "b"])).toBe("question");
    expect(pollDraftError("Q", ["a", " "])).toBe("options");
    expect(pollDraftError("Q", ["a", "A"])).toBe("duplicate");
    expect(pollDraftError("Q", ["a", "x".repeat(101)])).toBe("long");
    expect(pollDraftError("Q", Array.from({ length: 11 }, (_, i) => `o${i}`))).toBe("options");
  });
});
