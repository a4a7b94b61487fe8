// lastSeen: "last seen 5 minutes ago" (Intl.RelativeTimeFormat), or "" when
// unknown.
import type { Translate } from "../../i18n";

const STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["second", 60],
  ["minute", 60],
  ["hour", 24],
  ["day", 7],
  ["week", 4.35],
  ["month", 12],
  ["year", Infinity],
];

export function relativeTime(iso: string, lang: string, now = Date.now()): string {
  let v = (Date.parse(iso) - now) / 1000;
  if (!Number.isFinite(v)) return "";
  for (const [unit, size] of STEPS) {
    if (Math.abs(v) < size || unit === "year") {
      if (unit === "second") return new Intl.RelativeTimeFormat(lang, { numeric: "auto" }).format(0, "second");
      return new Intl.RelativeTimeFormat(lang, { numeric: "auto" }).format(Math.round(v), unit);
    }
    v /= size;
  }
  return "";
}

export function lastSeen(iso: string | undefined, lang: string, t: Translate): string {
  if (!iso) return "";
  const when = relativeTime(iso, lang);
  return when ? t("members.lastSeen", { time: when }) : "";
}
