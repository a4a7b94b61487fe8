// Message search (docs/PROTOCOL.md "search"): the search panel's state as
// a pure reducer, the query's from:/in: filters edited as text, and the
// split of a result's snippet into plain and highlighted runs.
import type { SearchResult } from "../api/protocol.gen";

export interface SearchState {
  query: string; // the query the results are for
  results: SearchResult[];
  next: string; // the cursor of the next page ("" for none)
  status: "idle" | "loading" | "more" | "done" | "error";
  error: string;
  // Counts the searches started: a reply for an older one is dropped.
  run: number;
}

export const initialSearch: SearchState = { query: "", results: [], next: "", status: "idle", error: "", run: 0 };

export type SearchAction =
  | { type: "start"; query: string }
  | { type: "more" }
  | { type: "page"; run: number; results: SearchResult[]; next?: string; append: boolean }
  | { type: "fail"; run: number; error: string }
  | { type: "clear" };

export function reduceSearch(s: SearchState, a: SearchAction): SearchState {
  switch (a.type) {
    case "start":
      return { query: a.query, results: [], next: "", status: "loading", error: "", run: s.run + 1 };
    case "more":
      return s.next && s.status === "done" ? { ...s, status: "more" } : s;
    case "page": {
      if (a.run !== s.run) return s;
      const results = a.append ? [...s.results, ...a.results.filter((r) => !s.results.some((x) => x.roomId === r.roomId && x.seq === r.seq))] : a.results;
      return { ...s, results, next: a.next ?? "", status: "done", error: "" };
    }
    case "fail":
      return a.run === s.run ? { ...s, status: "error", error: a.error } : s;
    case "clear":
      return { ...initialSearch, run: s.run + 1 };
  }
}

// operatorValue: the value of the first op: token of the query ("" when
// there is none).
export function operatorValue(query: string, op: string): string {
  const m = query.match(new RegExp(`(?:^|\\s)${op}:(\\S+)`, "i"));
  return m ? m[1] : "";
}

// setOperator puts op:value in the query in place of any op: tokens there
// (value "" removes them), keeping the rest of the query as typed.
export function setOperator(query: string, op: string, value: string): string {
  const rest = query
    .replace(new RegExp(`(^|\\s)${op}:\\S*`, "gi"), " ")
    .replace(/\s+/g, " ")
    .trim();
  if (!value) return rest;
  return `${op}:${value}${rest ? " " + rest : ""}`;
}

// hasToken: does the query hold the token (has:file, is:mention; any case)?
export function hasToken(query: string, token: string): boolean {
  return query.split(/\s+/).some((w) => w.toLowerCase() === token.toLowerCase());
}

// toggleToken adds the token at the front of the query (on) or removes
// every occurrence of it (off), keeping the rest as typed.
export function toggleToken(query: string, token: string, on: boolean): string {
  const rest = query
    .split(/\s+/)
    .filter((w) => w && w.toLowerCase() !== token.toLowerCase())
    .join(" ");
  const trailing = /\s$/.test(query) && rest ? " " : "";
  if (!on) return rest + trailing;
  return `${token}${rest ? " " + rest : ""}${trailing}`;
}

export type DateOp = "" | "before" | "after" | "on";
const DATE_OPS: DateOp[] = ["before", "after", "on"];

// dateFilter: the first date operator of the query and its value
// (YYYY-MM-DD), or op "" when there is none.
export function dateFilter(query: string): { op: DateOp; date: string } {
  const m = query.match(/(?:^|\s)(before|after|on):(\S*)/i);
  return m ? { op: m[1].toLowerCase() as DateOp, date: m[2] } : { op: "", date: "" };
}

// setDateFilter replaces the query's date operators with op:date (none
// when op or date is empty).
export function setDateFilter(query: string, op: DateOp, date: string): string {
  let q = query;
  for (const o of DATE_OPS) q = setOperator(q, o, "");
  return op && date ? setOperator(q, op, date) : q;
}

export interface Run {
  text: string;
  mark: boolean;
}

// highlightRuns splits text into runs, marked where a highlight
// ([start, end) in UTF-16 code units) covers it. Out-of-range, reversed
// or overlapping highlights are clamped or merged, never trusted.
export function highlightRuns(text: string, highlights: readonly (readonly number[])[] | undefined): Run[] {
  const spans = (highlights ?? [])
    .map(([a, b]) => [Math.max(0, Math.min(text.length, a | 0)), Math.max(0, Math.min(text.length, b | 0))] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  const runs: Run[] = [];
  let at = 0;
  for (const [a, b] of spans) {
    if (b <= at) continue;
    const from = Math.max(a, at);
    if (from > at) runs.push({ text: text.slice(at, from), mark: false });
    const last = runs[runs.length - 1];
    if (last?.mark && from === at) last.text += text.slice(from, b);
    else runs.push({ text: text.slice(from, b), mark: true });
    at = b;
  }
  if (at < text.length) runs.push({ text: text.slice(at), mark: false });
  return runs;
}
