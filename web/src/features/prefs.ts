// Per-user preferences (theme, accent, layout, language, sound) applied as
// CSS custom properties. They live on the server (features/preferences.ts);
// localStorage keeps them under the user's id for the first paint, and
// keeps the device's own mentions-only switch.
import { defaultLang, type Lang } from "../i18n";

export type Theme = "light" | "dark" | "system";
export type Layout = "compact" | "bubble";

export interface Prefs {
  theme: Theme;
  accent: string;
  layout: Layout;
  lang: Lang;
  sound: boolean;
  mentionsOnly: boolean;
}

export const ACCENTS = ["#3b6fd8", "#0f8a5f", "#b5488a", "#c2571a", "#6b4fd8", "#00838f"];

export function defaultPrefs(): Prefs {
  return { theme: "system", accent: ACCENTS[0], layout: "compact", lang: defaultLang(), sound: true, mentionsOnly: false };
}

const key = (userId: string) => `backchannel.prefs.${userId || "anonymous"}`;

export function loadPrefs(userId: string): Prefs {
  try {
    const raw = localStorage.getItem(key(userId));
    if (raw) return { ...defaultPrefs(), ...(JSON.parse(raw) as Partial<Prefs>) };
  } catch {
    /* unreadable: defaults */
  }
  return defaultPrefs();
}

// hasSavedPrefs: this device has saved preferences for the user.
export function hasSavedPrefs(userId: string): boolean {
  try {
    return localStorage.getItem(key(userId)) !== null;
  } catch {
    return false;
  }
}

export function savePrefs(userId: string, p: Prefs): void {
  localStorage.setItem(key(userId), JSON.stringify(p));
}

export function applyPrefs(p: Prefs): void {
  const root = document.documentElement;
  const dark = p.theme === "dark" || (p.theme === "system" && matchMedia("(prefers-color-scheme: dark)").matches);
  root.dataset.theme = dark ? "dark" : "light";
  root.dataset.layout = p.layout;
  root.lang = p.lang;
  if (/^#[0-9a-f]{6}$/i.test(p.accent)) root.style.setProperty("--accent", p.accent);
}
