// whenText: a scheduled time as people read it ("Tue, Nov 24, 09:00").
export function whenText(iso: string, lang: string): string {
  const d = new Date(iso);
  return d.toLocaleString(lang, { weekday: "short", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}
