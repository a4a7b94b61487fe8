// The quick switcher's list (Ctrl/Cmd+K), as a pure function of the chat
// state, the recent rooms, the query and the server's people and channel
// matches: my rooms (recent ones first), then people (a DM), then public
// channels I am not in (to join). Matching is by word prefix, case and
// accents ignored, as the server matches people and channels.
import type { Profile, Room } from "../api/protocol.gen";
import { directPeer, roomTitle } from "./rooms";
import type { ChatState } from "./types";

export type SwitcherItem =
  | { kind: "room"; key: string; roomId: string; label: string; detail: string; section: "recent" | "rooms" }
  | { kind: "person"; key: string; userId: string; roomId?: string; label: string; detail: string; section: "people" }
  | { kind: "channel"; key: string; roomId: string; label: string; detail: string; section: "channels" };

export const SWITCHER_ROOMS = 20;

// fold: lower case without accents ("Zoë" → "zoe").
export function fold(s: string): string {
  return s.normalize("NFKD").replace(/\p{Mn}/gu, "").toLowerCase();
}

// words: the folded words (letters and digits) of s.
export function words(s: string): string[] {
  return fold(s).match(/[\p{L}\p{N}]+/gu) ?? [];
}

// matches: every word of the query begins some word of the names.
export function matches(query: string, ...names: string[]): boolean {
  const q = words(query);
  if (q.length === 0) return true;
  const w = names.flatMap(words);
  return q.every((x) => w.some((y) => y.startsWith(x)));
}

export function switcherItems(state: ChatState, recent: readonly string[], query: string, people: readonly Profile[], channels: readonly Room[]): SwitcherItem[] {
  const me = state.me?.userId ?? "";
  const q = query.trim();
  const roomItem = (id: string, section: "recent" | "rooms"): SwitcherItem | undefined => {
    const r = state.rooms[id];
    if (!r) return undefined;
    const peer = directPeer(state, r);
    const title = roomTitle(state, r);
    const names = r.kind === "direct" ? [title, ...(r.memberIds ?? []).map((u) => state.users[u]?.handle ?? "")] : [r.name, r.topic ?? ""];
    if (q && !matches(q, ...names)) return undefined;
    return {
      kind: "room",
      key: `room:${id}`,
      roomId: id,
      label: r.kind === "direct" ? title : `#${r.name}`,
      detail: peer?.handle ? `@${peer.handle}` : r.kind === "direct" ? "" : (r.topic ?? ""),
      section,
    };
  };
  const out: SwitcherItem[] = [];
  const seen = new Set<string>();
  for (const id of recent) {
    const it = roomItem(id, "recent");
    if (it && !seen.has(id)) {
      seen.add(id);
      out.push(it);
    }
  }
  const rest = Object.values(state.rooms)
    .filter((r) => !seen.has(r.roomId))
    .map((r) => roomItem(r.roomId, "rooms"))
    .filter((x): x is SwitcherItem => !!x)
    .sort((a, b) => a.label.localeCompare(b.label))
    .slice(0, SWITCHER_ROOMS);
  for (const it of rest) seen.add((it as { roomId: string }).roomId);
  out.push(...rest);
  if (!q) return out;
  // People: a 1:1 DM already listed above is not listed again.
  const dmWith = new Map<string, string>();
  for (const r of Object.values(state.rooms)) {
    const peer = directPeer(state, r);
    if (peer) dmWith.set(peer.userId, r.roomId);
  }
  for (const p of people) {
    if (p.userId === me || p.deactivated) continue;
    const dm = dmWith.get(p.userId);
    if (dm && seen.has(dm)) continue;
    out.push({ kind: "person", key: `person:${p.userId}`, userId: p.userId, roomId: dm, label: p.displayName, detail: p.handle ? `@${p.handle}` : "", section: "people" });
  }
  for (const c of channels) {
    if (seen.has(c.roomId) || state.rooms[c.roomId]) continue;
    out.push({ kind: "channel", key: `channel:${c.roomId}`, roomId: c.roomId, label: `#${c.name}`, detail: c.topic ?? "", section: "channels" });
  }
  return out;
}
