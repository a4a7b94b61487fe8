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

// Plurals: "{n, plural, one {# member} other {# members}}" picks the form
// by the language's rules (Intl.PluralRules); "#" is the number.
const PLURAL = /\{(\w+), plural,((?:\s*[=\w]+\s*\{[^{}]*\})+)\s*\}/g;
const FORM = /([=\w]+)\s*\{([^{}]*)\}/g;

export function translator(lang: Lang): Translate {
  const cat = catalogs[lang] ?? en;
  const rules = new Intl.PluralRules(lang);
  return (key, vars) => {
    let s = cat[key] ?? en[key] ?? key;
    if (!vars) return s;
    s = s.replace(PLURAL, (m, name: string, body: string) => {
      if (!(name in vars)) return m;
      const n = Number(vars[name]);
      const forms = new Map<string, string>();
      for (const f of body.matchAll(FORM)) forms.set(f[1], f[2]);
      const form = forms.get(`=${n}`) ?? forms.get(rules.select(n)) ?? forms.get("other") ?? "";
      return form.replace(/#/g, String(vars[name]));
    });
    return s.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
  };
}

export function defaultLang(): Lang {
  const nav = typeof navigator !== "undefined" ? navigator.language : "en";
  return nav.toLowerCase().startsWith("de") ? "de" : "en";
}
