// Handles: how a person is told apart from another of the same name in
// pickers and mentions. Every profile carries a unique handle ("bo.berg",
// shown as "@bo.berg") that the server derives at sign-up and the person
// may change in the settings. A profile from before handles (the server
// gives it one at that person's next connect) falls back to the pool's
// username when it is a real one: with email sign-in Cognito's username is
// the user id (a UUID), which means nothing to people.
import type { Profile } from "../../api/protocol.gen";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Named = Pick<Profile, "userId" | "username" | "displayName"> & { handle?: string };

// handleText: the bare handle ("bo.berg"), "" when there is none.
export function handleText(u: Named): string {
  if (u.handle) return u.handle;
  return u.username && u.username !== u.userId && !UUID.test(u.username) ? u.username : "";
}

// handle: "@bo.berg", or "" when the person has none yet.
export function handle(u: Named): string {
  const h = handleText(u);
  return h ? `@${h}` : "";
}

// mentionHandle: what a mention of u inserts after "@": the handle, else
// the display name (which the server matches too).
export function mentionHandle(u: Named): string {
  return handleText(u) || u.displayName;
}

// matchesPerson: does the search text q (case-insensitive, a leading "@"
// ignored) occur in u's display name or handle (or a real username)?
export function matchesPerson(u: Named, q: string): boolean {
  const s = q.trim().toLowerCase().replace(/^@/, "");
  if (!s) return true;
  return u.displayName.toLowerCase().includes(s) || handleText(u).toLowerCase().includes(s);
}

// mentionCandidates: the people an "@query" being typed may mean, best
// first: a handle or a display name (or a word of it) that starts with the
// query, handles before names, then alphabetically; at most limit.
export function mentionCandidates<T extends Named>(people: T[], query: string, limit = 8): T[] {
  const q = query.toLowerCase();
  const rank = (u: T): number => {
    const h = handleText(u).toLowerCase();
    const name = u.displayName.toLowerCase();
    if (h && h.startsWith(q)) return 0;
    if (name.startsWith(q)) return 1;
    if (name.split(/\s+/).some((w) => w.startsWith(q))) return 2;
    return -1;
  };
  return people
    .map((u) => ({ u, r: rank(u) }))
    .filter((x) => x.r >= 0)
    .sort((a, b) => a.r - b.r || a.u.displayName.localeCompare(b.u.displayName) || handleText(a.u).localeCompare(handleText(b.u)))
    .slice(0, limit)
    .map((x) => x.u);
}

// mentionNames: the names a mention of u can use in a message's text: the
// handle first, then the username and display name (old messages).
export function mentionNames(u: Named): string[] {
  return [u.handle ?? "", u.username, u.displayName].filter((n) => n !== "");
}
