// untilTime: when something that lasts ends (a mute), in the reader's
// local time and language: "30 Nov, 03:28".
export function untilTime(at: string | Date, lang: string): string {
  const d = typeof at === "string" ? new Date(at) : at;
  return d.toLocaleString(lang, { hour: "2-digit", minute: "2-digit", day: "numeric", month: "short" });
}
