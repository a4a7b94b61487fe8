// Support widgets (issue #17), the admin side: a draft of a widget's
// configuration as the settings form edits it, checked as the server
// checks it (chat.NormalizeWidget) so that mistakes show before saving,
// and the embed snippet. The server stays the judge: it checks again.
import type { Widget, WidgetFAQ, WidgetTopic } from "../api/protocol.gen";

export const WIDGET_LANGUAGES = ["en", "de"] as const;
export const PRECHAT_FIELDS = ["name", "email", "topic"] as const;
export const BOT_KINDS = ["", "faq", "bot"] as const;
export const DEFAULT_COLOR = "#2563eb";

// newWidget is the draft of a widget not saved yet.
export function newWidget(name = ""): Widget {
  return {
    id: "",
    name,
    allowedOrigins: [],
    appearance: { primaryColor: DEFAULT_COLOR, position: "right", title: "" },
    greeting: {},
    languages: ["en"],
    preChat: ["name"],
    required: [],
    topics: [],
    defaultTeamId: "",
    bot: { kind: "" },
    identitySecretVersion: 0,
  };
}

// normalizeOrigin mirrors chat.NormalizeOrigin: scheme://host[:port] in
// lower case, no default port, no path; https (http only for localhost).
// It returns the origin or throws an Error naming the problem (an i18n key
// and the text in question).
export class OriginError extends Error {
  constructor(
    readonly key: "widgets.originInvalid" | "widgets.originHttp" | "widgets.originPath",
    readonly origin: string,
  ) {
    super(`${key}: ${origin}`);
  }
}

export function normalizeOrigin(raw: string): string {
  const s = raw.trim().replace(/\/+$/, "");
  if (!s || /[*?#\s]/.test(s)) throw new OriginError("widgets.originInvalid", raw);
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new OriginError("widgets.originInvalid", raw);
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") throw new OriginError("widgets.originInvalid", raw);
  if (u.username || u.password || (u.pathname !== "/" && u.pathname !== "") || u.search) throw new OriginError("widgets.originPath", raw);
  // new URL("https://x/") keeps a path "/": only a path typed counts.
  if (/^[a-z]+:\/\/[^/]+\/./i.test(s)) throw new OriginError("widgets.originPath", raw);
  const host = u.hostname.toLowerCase();
  if (u.protocol === "http:" && !["localhost", "127.0.0.1", "[::1]"].includes(host)) throw new OriginError("widgets.originHttp", raw);
  return u.origin; // URL drops the default port and lower-cases
}

// parseOrigins reads the origins textarea: one per line (or comma).
export function parseOrigins(text: string): { origins: string[]; errors: OriginError[] } {
  const origins: string[] = [];
  const errors: OriginError[] = [];
  for (const part of text.split(/[\n,]+/)) {
    if (!part.trim()) continue;
    try {
      const o = normalizeOrigin(part);
      if (!origins.includes(o)) origins.push(o);
    } catch (e) {
      if (e instanceof OriginError) errors.push(e);
    }
  }
  return { origins, errors };
}

export const isColor = (c: string) => /^#[0-9a-fA-F]{6}$/.test(c);
export const isSlug = (s: string) => /^[a-z0-9][a-z0-9_-]{0,31}$/.test(s);

// slugOf makes a topic or FAQ id from its label.
export function slugOf(label: string, taken: string[]): string {
  const base =
    label
      .toLowerCase()
      .normalize("NFKD")
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 28) || "topic";
  let id = base;
  for (let i = 2; taken.includes(id); i++) id = `${base}-${i}`;
  return id;
}

// Problem is a draft's first mistake: an i18n key and its variables.
export interface Problem {
  key:
    | "widgets.needName"
    | "widgets.needOrigin"
    | "widgets.badColor"
    | "widgets.needLanguage"
    | "widgets.needTopics"
    | "widgets.topicLabel"
    | "widgets.faqEntry"
    | "widgets.needBot"
    | "widgets.needFAQ";
  vars?: Record<string, string>;
}

// check finds the draft's first mistake, or null.
export function check(w: Widget): Problem | null {
  if (!w.name.trim()) return { key: "widgets.needName" };
  if (w.allowedOrigins.length === 0) return { key: "widgets.needOrigin" };
  if (!isColor(w.appearance.primaryColor)) return { key: "widgets.badColor" };
  if (w.languages.length === 0) return { key: "widgets.needLanguage" };
  const topics = w.topics ?? [];
  if (w.preChat.includes("topic") && topics.length === 0) return { key: "widgets.needTopics" };
  for (const t of topics) if (!t.label.trim()) return { key: "widgets.topicLabel", vars: { id: t.id } };
  if (w.bot.kind === "bot" && !w.bot.botId) return { key: "widgets.needBot" };
  if (w.bot.kind === "faq") {
    const faq = w.bot.faq ?? [];
    if (faq.length === 0) return { key: "widgets.needFAQ" };
    for (const [i, f] of faq.entries()) if (f.questions.every((q) => !q.trim()) || !f.answer.trim()) return { key: "widgets.faqEntry", vars: { n: String(i + 1) } };
  }
  return null;
}

// forSave is what createWidget/updateWidget send: required fields only
// among the asked ones, greetings only of the widget's languages, empty
// questions dropped, no FAQ without the FAQ bot.
export function forSave(w: Widget): Widget {
  const greeting: Record<string, string> = {};
  for (const l of w.languages) {
    const g = w.greeting?.[l]?.trim();
    if (g) greeting[l] = g;
  }
  const bot = { ...w.bot };
  if (bot.kind !== "bot") delete bot.botId;
  if (bot.kind === "faq") bot.faq = (bot.faq ?? []).map((f) => ({ ...f, questions: f.questions.map((q) => q.trim()).filter(Boolean) }));
  else delete bot.faq;
  return {
    ...w,
    name: w.name.trim(),
    greeting,
    required: (w.required ?? []).filter((f) => w.preChat.includes(f)),
    topics: (w.topics ?? []).map((t) => ({ ...t, label: t.label.trim() })),
    bot,
  };
}

// toggle adds or removes v.
export function toggle<T>(list: readonly T[], v: T, on: boolean): T[] {
  const out = list.filter((x) => x !== v);
  return on ? [...out, v] : out;
}

export function addTopic(w: Widget, label: string): Widget {
  const topics = w.topics ?? [];
  const t: WidgetTopic = { id: slugOf(label, topics.map((x) => x.id)), label, teamId: "" };
  return { ...w, topics: [...topics, t] };
}

export function addFAQ(w: Widget): Widget {
  const faq = w.bot.faq ?? [];
  const f: WidgetFAQ = { id: slugOf(`faq-${faq.length + 1}`, faq.map((x) => x.id)), questions: [""], answer: "" };
  return { ...w, bot: { ...w.bot, faq: [...faq, f] } };
}

// embedSnippet is the <script> tag a site adds: the deployment's origin
// serves the script, data-widget names the widget.
export function embedSnippet(siteOrigin: string, widgetId: string, lang?: string): string {
  const l = lang ? ` data-lang="${lang}"` : "";
  return `<script src="${siteOrigin.replace(/\/+$/, "")}/widget/v1/widget.js" data-widget="${widgetId}"${l} async></script>`;
}
