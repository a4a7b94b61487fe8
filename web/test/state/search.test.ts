// Message search: the panel's reducer, the from:/in: filters as query
// text, and opening a room at a message (history around, paging newer
// back to live) in the store.
import { describe, expect, it } from "vitest";
import type { SearchResult } from "../../src/api/protocol.gen";
import { reduce, initialState } from "../../src/state/store";
import { highlightRuns, initialSearch, operatorValue, reduceSearch, setOperator } from "../../src/state/search";
import { msg, room, stateFrame } from "../fixtures";

const hit = (seq: number): SearchResult => ({ roomId: "g", seq, senderId: "bob", senderName: "Bob", createdAt: "2026-11-21T02:00:00Z", text: `deploy ${seq}`, highlights: [[0, 6]] });

describe("search reducer", () => {
  it("starts, pages, appends without duplicates, and drops replies of an older search", () => {
    let s = reduceSearch(initialSearch, { type: "start", query: "deploy" });
    expect(s.status).toBe("loading");
    const first = s.run;
    s = reduceSearch(s, { type: "page", run: first, results: [hit(9), hit(8)], next: "c1", append: false });
    expect(s).toMatchObject({ status: "done", next: "c1", query: "deploy" });
    s = reduceSearch(s, { type: "more" });
    expect(s.status).toBe("more");
    s = reduceSearch(s, { type: "page", run: first, results: [hit(8), hit(7)], append: true });
    expect(s.results.map((r) => r.seq)).toEqual([9, 8, 7]);
    expect(s.next).toBe("");
    expect(reduceSearch(s, { type: "more" })).toBe(s); // nothing more

    s = reduceSearch(s, { type: "start", query: "deploy from:@bob" });
    const stale = reduceSearch(s, { type: "page", run: first, results: [hit(1)], append: false });
    expect(stale).toBe(s);
    expect(reduceSearch(s, { type: "fail", run: first, error: "late" })).toBe(s);
  });

  it("keeps an invalid reply's message as the error", () => {
    let s = reduceSearch(initialSearch, { type: "start", query: '"open' });
    s = reduceSearch(s, { type: "fail", run: s.run, error: "unterminated quote" });
    expect(s).toMatchObject({ status: "error", error: "unterminated quote", results: [] });
    s = reduceSearch(s, { type: "clear" });
    expect(s).toMatchObject({ status: "idle", error: "", query: "" });
  });
});

describe("filters as query text", () => {
  it("sets, replaces and removes from: and in:, keeping the words", () => {
    let q = setOperator("deploy friday", "from", "@bob");
    expect(q).toBe("from:@bob deploy friday");
    q = setOperator(q, "in", "#general");
    expect(q).toBe("in:#general from:@bob deploy friday");
    q = setOperator(q, "from", "@cy");
    expect(q).toBe("from:@cy in:#general deploy friday");
    expect(operatorValue(q, "from")).toBe("@cy");
    expect(operatorValue(q, "in")).toBe("#general");
    q = setOperator(q, "from", "");
    expect(q).toBe("in:#general deploy friday");
    expect(operatorValue(q, "from")).toBe("");
    expect(setOperator("from:@a x from:@b", "from", "@c")).toBe("from:@c x");
  });
});

describe("highlight runs", () => {
  it("marks the highlighted ranges (UTF-16 offsets) and clamps bad ones", () => {
    expect(highlightRuns("Deploying on Friday?", [[0, 9], [13, 19]])).toEqual([
      { text: "Deploying", mark: true },
      { text: " on ", mark: false },
      { text: "Friday", mark: true },
      { text: "?", mark: false },
    ]);
    expect(highlightRuns("😀 häuser", [[3, 9]])).toEqual([
      { text: "😀 ", mark: false },
      { text: "häuser", mark: true },
    ]);
    // Overlapping, reversed and out-of-range ranges.
    expect(highlightRuns("abcdef", [[4, 99], [1, 3], [2, 5], [3, 1], [-5, 0]])).toEqual([
      { text: "a", mark: false },
      { text: "bcdef", mark: true },
    ]);
    expect(highlightRuns("", [[0, 3]])).toEqual([]);
  });
});

describe("opening a room at a message", () => {
  const start = () => reduce(initialState, stateFrame([room("g", { lastSeq: 100 })]));

  it("replaces what is held by the page around it and pages newer back to live", () => {
    let s = start();
    s = reduce(s, { type: "history", roomId: "g", messages: [msg("g", 100), msg("g", 99)], hasMore: true, before: 99 });
    s = reduce(s, { type: "local/jump", roomId: "g", seq: 40 });
    expect(s.messages.g).toEqual([]);
    expect(s.history.g).toMatchObject({ jumping: true, focus: 40, loaded: false });
    // The newest page of a reconnect, overtaken by the jump, is ignored.
    const ignored = reduce(s, { type: "history", roomId: "g", messages: [msg("g", 100)], hasMore: true, before: 100 });
    expect(ignored.messages.g).toEqual([]);

    s = reduce(s, { type: "history", roomId: "g", messages: [msg("g", 42), msg("g", 41), msg("g", 40), msg("g", 39)], hasMore: true, before: 39, hasMoreAfter: true, after: 42 });
    expect(s.messages.g.map((m) => m.seq)).toEqual([39, 40, 41, 42]);
    expect(s.history.g).toMatchObject({ loaded: true, jumping: false, focus: 40, hasMore: true, before: 39, hasMoreAfter: true, after: 42 });
    s = reduce(s, { type: "local/focused", roomId: "g" });
    expect(s.history.g.focus).toBeUndefined();

    // Older: the forward cursor stays.
    s = reduce(s, { type: "history", roomId: "g", messages: [msg("g", 38)], hasMore: false });
    expect(s.history.g).toMatchObject({ hasMore: false, before: 38, hasMoreAfter: true, after: 42 });
    // Newer: only the forward cursor moves, until nothing newer remains.
    s = reduce(s, { type: "history", roomId: "g", messages: [msg("g", 44), msg("g", 43)], hasMore: false, hasMoreAfter: true, after: 44 });
    expect(s.history.g).toMatchObject({ hasMore: false, before: 38, hasMoreAfter: true, after: 44 });
    s = reduce(s, { type: "history", roomId: "g", messages: [msg("g", 45)], hasMore: false, hasMoreAfter: false });
    expect(s.history.g.hasMoreAfter).toBeUndefined();
    expect(s.history.g.after).toBeUndefined();
    expect(s.messages.g.map((m) => m.seq)).toEqual([38, 39, 40, 41, 42, 43, 44, 45]);
  });

  it("ignores a jump to a room that is not mine", () => {
    const s = start();
    expect(reduce(s, { type: "local/jump", roomId: "nope", seq: 1 })).toBe(s);
  });
});
