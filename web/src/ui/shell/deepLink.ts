// Links into a message: a notification's click opens /?room=<id>&seq=<n>
// (a thread reply: &thread=<parentSeq>, the room at the parent and the
// thread beside it on the reply) when no tab is open (the service worker's openUrl, src/sw/logic.ts; a
// test checks the two agree), or tells an open tab with a message.
export const OPEN_MESSAGE = "backchannel:open";

export interface MessageLink {
  roomId: string;
  seq: number;
  // The thread's first message, when seq is a reply in it.
  parentSeq?: number;
}

// positive: n when it is a positive integer, else 0.
const positive = (n: unknown): number => (typeof n === "number" && Number.isInteger(n) && n > 0 ? n : 0);

function link(roomId: string, seq: number, parentSeq: number): MessageLink {
  return parentSeq > 0 ? { roomId, seq, parentSeq } : { roomId, seq };
}

// parseLink reads ?room=&seq= from a location's search ("" seq: the room).
export function parseLink(search: string): MessageLink | null {
  const q = new URLSearchParams(search);
  const roomId = q.get("room") ?? "";
  if (!roomId) return null;
  return link(roomId, positive(Number(q.get("seq") ?? "0")), positive(Number(q.get("thread") ?? "0")));
}

// linkOfMessage: the link in a worker's message, null for other messages.
export function linkOfMessage(data: unknown): MessageLink | null {
  if (!data || typeof data !== "object") return null;
  const d = data as { type?: unknown; roomId?: unknown; seq?: unknown; parentSeq?: unknown };
  if (d.type !== OPEN_MESSAGE || typeof d.roomId !== "string" || !d.roomId) return null;
  return link(d.roomId, typeof d.seq === "number" && d.seq > 0 ? d.seq : 0, positive(d.parentSeq));
}
