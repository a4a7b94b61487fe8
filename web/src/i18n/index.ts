// Message catalogs and the translate function. The language is a setting;
// components read it through the `t` they are given.
import { de } from "./de";
import { en, type MessageKey } from "./en";

export type { MessageKey };
export type Lang = "en" | "de";
export const catalogs: Record<Lang, Record<MessageKey, string>> = { en, de };
export const languages: { code: Lang; name: string }[] = [
  { code: "en", name: "English" },
  { code: "de", name: "Deutsch" },
];

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function translator(lang: Lang): Translate {
  const cat = catalogs[lang] ?? en;
  return (key, vars) => {
    const s = cat[key] ?? en[key] ?? key;
    return vars ? s.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m)) : s;
  };
}

export function defaultLang(): Lang {
  const nav = typeof navigator !== "undefined" ? navigator.language : "en";
  return nav.toLowerCase().startsWith("de") ? "de" : "en";
}
