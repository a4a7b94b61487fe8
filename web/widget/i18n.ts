// The widget's words, English and German. pickLang chooses from the script
// tag's data-lang, then the browser's languages, among those the widget's
// config offers.
import type { Lang } from "./wire";

const en = {
  open: "Open chat",
  close: "Close chat",
  title: "Chat with us",
  greeting: "Hi! How can we help you today?",
  name: "Your name",
  email: "Email",
  topic: "Topic",
  chooseTopic: "Choose a topic",
  message: "Message",
  required: "(required)",
  start: "Start chat",
  send: "Send",
  connecting: "Connecting…",
  offline: "Reconnecting…",
  bot: "{name} is answering",
  botDefault: "Our assistant is answering",
  talkToPerson: "Talk to a person",
  queued: "Waiting for the next available person…",
  openWith: "You're chatting with {name}",
  openAgent: "You're chatting with our team",
  closed: "This conversation has ended.",
  rateQ: "How was your conversation?",
  stars: "{n} of 5 stars",
  comment: "Comment (optional)",
  rate: "Send rating",
  rated: "Thanks for your feedback!",
  transcript: "Email me a transcript",
  transcriptSent: "We'll email you a transcript.",
  newChat: "Start a new conversation",
  away: "We're not available right now. Leave a message and we'll reply by email.",
  leave: "Send message",
  left: "Thanks! We'll reply to {email} by email.",
  you: "You",
  sending: "Sending…",
  failed: "Not sent",
  deleted: "Message deleted",
  typing: "{name} is typing…",
  messages: "Messages",
  failedStart: "Sorry, the chat could not start. Please try again.",
  unread: "{n} unread",
  fieldRequired: "Please fill in {field}.",
  sysJoined: "{name} joined the conversation",
  sysLeft: "{name} left the conversation",
  sysTransferred: "Transferred to {name}",
  sysClosed: "Conversation closed",
  sysReopened: "Conversation reopened",
  transcriptTo: "to {email}",
};

export type Strings = typeof en;

const de: Strings = {
  open: "Chat öffnen",
  close: "Chat schließen",
  title: "Schreiben Sie uns",
  greeting: "Hallo! Wie können wir Ihnen helfen?",
  name: "Ihr Name",
  email: "E-Mail",
  topic: "Thema",
  chooseTopic: "Thema wählen",
  message: "Nachricht",
  required: "(Pflichtfeld)",
  start: "Chat starten",
  send: "Senden",
  connecting: "Verbinde…",
  offline: "Verbindung wird wiederhergestellt…",
  bot: "{name} antwortet",
  botDefault: "Unser Assistent antwortet",
  talkToPerson: "Mit einem Menschen sprechen",
  queued: "Bitte warten Sie auf die nächste freie Person…",
  openWith: "Sie chatten mit {name}",
  openAgent: "Sie chatten mit unserem Team",
  closed: "Dieses Gespräch ist beendet.",
  rateQ: "Wie war das Gespräch?",
  stars: "{n} von 5 Sternen",
  comment: "Kommentar (optional)",
  rate: "Bewertung senden",
  rated: "Danke für Ihr Feedback!",
  transcript: "Verlauf per E-Mail senden",
  transcriptSent: "Wir senden Ihnen den Verlauf per E-Mail.",
  newChat: "Neues Gespräch beginnen",
  away: "Gerade ist niemand erreichbar. Hinterlassen Sie eine Nachricht, wir antworten per E-Mail.",
  leave: "Nachricht senden",
  left: "Danke! Wir antworten an {email} per E-Mail.",
  you: "Sie",
  sending: "Wird gesendet…",
  failed: "Nicht gesendet",
  deleted: "Nachricht gelöscht",
  typing: "{name} schreibt…",
  messages: "Nachrichten",
  failedStart: "Der Chat konnte nicht starten. Bitte versuchen Sie es noch einmal.",
  unread: "{n} ungelesen",
  fieldRequired: "Bitte {field} ausfüllen.",
  sysJoined: "{name} ist dem Gespräch beigetreten",
  sysLeft: "{name} hat das Gespräch verlassen",
  sysTransferred: "Weitergeleitet an {name}",
  sysClosed: "Gespräch beendet",
  sysReopened: "Gespräch wieder geöffnet",
  transcriptTo: "an {email}",
};

export const STRINGS: Record<Lang, Strings> = { en, de };

export function fmt(s: string, vars: Record<string, string | number>): string {
  return s.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

export function pickLang(attr: string | null | undefined, offered: string[] | undefined, browser: readonly string[]): Lang {
  const ok = (offered?.length ? offered : ["en", "de"]).filter((l): l is Lang => l === "en" || l === "de");
  const wanted = [attr ?? "", ...browser].map((l) => l.toLowerCase().slice(0, 2));
  for (const w of wanted) if ((ok as string[]).includes(w)) return w as Lang;
  return ok[0] ?? "en";
}
