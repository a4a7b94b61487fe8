// Usage analytics as CSV (admins' "Download CSV"; docs/INTEGRATIONS.md
// "Usage analytics" lists the columns). Built in the browser from the same
// getAnalytics reply the dashboard shows.
import type { AnalyticsFrame } from "../api/protocol.gen";

export const CSV_COLUMNS = [
  "kind",
  "day",
  "room_id",
  "room_name",
  "messages",
  "active_people",
  "new_members",
  "files",
  "file_bytes",
  "connections",
  "connection_minutes",
  "estimated_cost_usd",
] as const;

// cell quotes a value when it must be (RFC 4180) and defuses a leading
// =, +, -, @, tab or CR a spreadsheet would run as a formula.
export function cell(v: string | number): string {
  let s = String(v);
  if (typeof v === "string" && /^[=+\-@\t\r]/.test(s)) s = "'" + s;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const usd = (n: number) => n.toFixed(6);

// analyticsCsv: one "day" row per day of the range (every room, or the
// one room the reply is about: then its day and total rows name it and the
// connection columns, not counted per room, are empty), one "room" row per
// room over the range, one "total" row; CRLF line ends.
export function analyticsCsv(a: AnalyticsFrame): string {
  const rows: (string | number)[][] = [[...CSV_COLUMNS]];
  const one = a.roomId ? [a.roomId, a.rooms.find((r) => r.roomId === a.roomId)?.name ?? ""] : ["", ""];
  const conn = (n: number) => (a.roomId ? "" : n);
  for (const d of a.days) {
    rows.push(["day", d.day, ...one, d.messages, d.activePeople, d.newMembers, d.files, d.fileBytes, conn(d.connections), conn(d.connectionMinutes), usd(d.costUsd)]);
  }
  for (const r of a.rooms) {
    rows.push(["room", `${a.from}..${a.to}`, r.roomId, r.name, r.messages, r.activePeople, r.newMembers, r.files, r.fileBytes, "", "", usd(r.costUsd)]);
  }
  const connections = a.days.reduce((n, d) => n + d.connections, 0);
  const minutes = a.days.reduce((n, d) => n + d.connectionMinutes, 0);
  const t = a.totals;
  rows.push(["total", `${a.from}..${a.to}`, ...one, t.messages, t.activePeople, t.newMembers, t.files, t.fileBytes, conn(connections), conn(minutes), usd(t.costUsd + a.connectionCostUsd)]);
  return rows.map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n";
}

// csvFileName is the download's name (one room's ends in its id).
export const csvFileName = (a: { from: string; to: string; roomId?: string }) =>
  `backchannel-analytics-${a.from}-to-${a.to}${a.roomId ? `-${a.roomId.replace(/[^A-Za-z0-9_-]/g, "_")}` : ""}.csv`;
