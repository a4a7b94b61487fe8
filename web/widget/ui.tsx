// The widget's screens: the launcher, and the panel with the pre-chat (or
// leave-a-message) form, the conversation, and after it the rating and
// the transcript. All text goes through Preact's text nodes (escaped);
// nothing here sets innerHTML.
import type { ComponentChildren } from "preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { WidgetClient, WidgetState } from "./client";
import { fmt, type Strings } from "./i18n";
import type { Lang, Message, PreChatField } from "./wire";

export interface AppProps {
  client: WidgetClient;
  t: Strings;
  lang: Lang;
  // colours and side (from the widget's config)
  primary?: string;
  onPrimary?: string;
  left?: boolean;
}

function useWidgetState(client: WidgetClient): WidgetState {
  const [s, setS] = useState(client.state);
  useEffect(() => client.subscribe(() => setS(client.state)), [client]);
  return s;
}

export function App({ client, t, lang, primary, onPrimary, left }: AppProps) {
  const s = useWidgetState(client);
  const launcher = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLElement>(null);
  const wasOpen = useRef(false);
  // A layout effect: focus moves in the same commit that opens or closes
  // the panel, so a key pressed right after lands where the user expects.
  useLayoutEffect(() => {
    if (s.open && !wasOpen.current) {
      // Focus the first field (or the composer) of the panel.
      const first = panel.current?.querySelector<HTMLElement>("input, select, textarea, .bc-body button");
      (first ?? panel.current)?.focus();
    } else if (!s.open && wasOpen.current) launcher.current?.focus();
    wasOpen.current = s.open;
  }, [s.open]);
  if (s.conn === "refused") return null;
  const title = s.config.appearance?.title || t.title;
  const toggle = () => client.setOpen(!s.open);
  return (
    <div class={`bc-root${left ? " bc-left" : ""}`} style={primary ? { "--bc-primary": primary, "--bc-on-primary": onPrimary } : undefined} lang={lang} onKeyDown={(e) => e.key === "Escape" && s.open && client.setOpen(false)}>
      {s.open && (
        <section class="bc-panel" id="bc-panel" role="dialog" aria-labelledby="bc-title" ref={panel} tabIndex={-1}>
          <div class="bc-head">
            <div>
              <h2 id="bc-title">{title}</h2>
              <Status s={s} t={t} />
            </div>
            <button type="button" class="bc-x" aria-label={t.close} onClick={() => client.setOpen(false)}>
              <svg viewBox="0 0 24 24" aria-hidden="true" width="20" height="20">
                <path d="M6 6l12 12M18 6L6 18" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
              </svg>
            </button>
          </div>
          <div class="bc-body">
            <Body client={client} s={s} t={t} lang={lang} />
          </div>
        </section>
      )}
      <button
        type="button"
        class={`bc-launcher${s.open ? " bc-open" : ""}`}
        ref={launcher}
        aria-label={s.unread > 0 && !s.open ? `${t.open} (${fmt(t.unread, { n: s.unread })})` : s.open ? t.close : t.open}
        aria-expanded={s.open}
        aria-controls="bc-panel"
        onClick={toggle}
      >
        {s.open ? (
          <svg viewBox="0 0 24 24" aria-hidden="true" width="26" height="26">
            <path d="M6 6l12 12M18 6L6 18" stroke="currentColor" stroke-width="2.4" stroke-linecap="round" />
          </svg>
        ) : (
          <svg viewBox="0 0 24 24" aria-hidden="true" width="28" height="28">
            <path d="M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.2 3.6c-.5.4-1.3 0-1.3-.6V16A2.5 2.5 0 0 1 4 13.5z" fill="currentColor" />
          </svg>
        )}
        {s.unread > 0 && !s.open && (
          <span class="bc-badge" aria-hidden="true">
            {s.unread > 9 ? "9+" : s.unread}
          </span>
        )}
      </button>
    </div>
  );
}

function Status({ s, t }: { s: WidgetState; t: Strings }) {
  let text = "";
  const c = s.conversation;
  if (s.conn === "connecting" && (c || s.busy)) text = t.connecting;
  else if (s.conn === "offline" && c) text = t.offline;
  else if (c?.state === "bot") text = s.config.botName ? fmt(t.bot, { name: s.config.botName }) : t.botDefault;
  else if (c?.state === "queued") text = t.queued;
  else if (c?.state === "open") {
    // The agent's name: from the conversation when the server sends it,
    // else from the agent's latest message.
    const name = c.assigneeName || [...s.messages].reverse().find((m) => m.senderId === c.assigneeId && !m.system)?.senderName;
    text = name ? fmt(t.openWith, { name }) : t.openAgent;
  } else if (c?.state === "closed") text = t.closed;
  return (
    <p class="bc-status" role="status">
      {text}
    </p>
  );
}

function Body({ client, s, t, lang }: AppProps & { s: WidgetState }) {
  if (s.left)
    return (
      <p class="bc-note" role="status">
        {fmt(t.left, { email: s.left })}
      </p>
    );
  if (!s.conversation) return <PreChat client={client} s={s} t={t} lang={lang} />;
  return <Chat client={client} s={s} t={t} lang={lang} />;
}

function Field({ id, label, required, t, children }: { id: string; label: string; required: boolean; t: Strings; children: ComponentChildren }) {
  return (
    <div class="bc-field">
      <label for={id}>
        {label}
        {required && <span class="bc-req"> {t.required}</span>}
      </label>
      {children}
    </div>
  );
}

function PreChat({ client, s, t, lang }: AppProps & { s: WidgetState }) {
  const cfg = s.config;
  const fields = cfg.preChat ?? [];
  const topics = cfg.topics ?? [];
  const [topic, setTopic] = useState(topics.length === 1 ? topics[0].id : "");
  const chosen = topics.find((x) => x.id === topic);
  // Nobody can answer now: the form becomes "leave a message" (email needed).
  const away = cfg.open === false || chosen?.open === false;
  const req = (f: PreChatField) => (f === "email" && away) || (cfg.required ?? []).includes(f);
  const greeting = cfg.greeting?.[lang] || cfg.greeting?.en || t.greeting;
  const submit = (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const v = (n: string) => ((form.elements.namedItem(n) as HTMLInputElement | null)?.value ?? "").trim();
    if (away) void client.leaveMessage({ email: v("email"), name: v("name") || undefined, text: v("text"), topic: topic || undefined, lang });
    else void client.start({ name: v("name") || undefined, email: v("email") || undefined, topic: topic || undefined, lang, text: v("text") || undefined });
  };
  const showEmail = fields.includes("email") || away;
  return (
    <form class="bc-form" onSubmit={submit}>
      <p class="bc-greeting">{away ? t.away : greeting}</p>
      {fields.includes("name") && (
        <Field id="bc-name" label={t.name} required={req("name")} t={t}>
          <input id="bc-name" name="name" autocomplete="name" maxLength={80} required={req("name")} />
        </Field>
      )}
      {showEmail && (
        <Field id="bc-email" label={t.email} required={req("email")} t={t}>
          <input id="bc-email" name="email" type="email" autocomplete="email" maxLength={254} required={req("email")} />
        </Field>
      )}
      {fields.includes("topic") && topics.length > 0 && (
        <Field id="bc-topic" label={t.topic} required={req("topic")} t={t}>
          <select id="bc-topic" name="topic" required={req("topic")} value={topic} onChange={(e) => setTopic((e.currentTarget as HTMLSelectElement).value)}>
            <option value="">{t.chooseTopic}</option>
            {topics.map((x) => (
              <option key={x.id} value={x.id}>
                {x.label}
              </option>
            ))}
          </select>
        </Field>
      )}
      <Field id="bc-text" label={t.message} required={away} t={t}>
        <textarea id="bc-text" name="text" rows={3} maxLength={4000} required={away} />
      </Field>
      {s.error && (
        <p class="bc-error" role="alert">
          {t[s.error as keyof Strings] ?? s.error}
        </p>
      )}
      <button type="submit" class="bc-primary" disabled={s.busy}>
        {s.busy ? t.connecting : away ? t.leave : t.start}
      </button>
    </form>
  );
}

function Chat({ client, s, t }: AppProps & { s: WidgetState }) {
  const list = useRef<HTMLDivElement>(null);
  const c = s.conversation!;
  // The newest line stays in view: on new messages, and when the area
  // under the log changes (the rating form replaces the composer on close,
  // its thanks replaces the form), which shrinks or grows the log.
  useEffect(() => {
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [s.messages.length, s.pending.length, s.typing, c.state, s.rated, s.transcript]);
  return (
    <div class="bc-chat">
      <div class="bc-log" role="log" aria-live="polite" aria-label={t.messages} ref={list} tabIndex={0}>
        {s.messages.map((m) => (
          <Bubble key={m.seq} m={m} mine={m.senderId === s.me} t={t} />
        ))}
        {s.pending.map((p) => (
          <div key={p.clientId} class="bc-msg bc-me bc-pending">
            <p class="bc-text">{p.text}</p>
            <span class="bc-meta">{p.failed ? t.failed : t.sending}</span>
          </div>
        ))}
      </div>
      {s.typing && <p class="bc-typing">{fmt(t.typing, { name: s.typing })}</p>}
      {c.state === "bot" && (
        <button type="button" class="bc-secondary" onClick={() => void client.requestHuman()}>
          {t.talkToPerson}
        </button>
      )}
      {c.state === "closed" ? <AfterClose client={client} s={s} t={t} /> : <Composer client={client} t={t} />}
    </div>
  );
}

const SYSTEM: Record<string, keyof Strings> = {
  joined: "sysJoined",
  left: "sysLeft",
  transferred: "sysTransferred",
  closed: "sysClosed",
  reopened: "sysReopened",
};

function Bubble({ m, mine, t }: { m: Message; mine: boolean; t: Strings }) {
  if (m.system) {
    // The visitor's words for the conversation's events (not the team
    // chat's "joined the channel"); other kinds are not shown.
    const line = SYSTEM[m.system.kind];
    return line ? <p class="bc-system">{fmt(t[line], { name: m.system.name || m.senderName })}</p> : null;
  }
  const who = mine ? t.you : m.integration?.name || m.senderName;
  return (
    <div class={`bc-msg ${mine ? "bc-me" : "bc-them"}`}>
      <span class={mine ? "bc-sr" : "bc-who"}>{who}</span>
      <p class="bc-text">{m.deleted ? t.deleted : m.text}</p>
    </div>
  );
}

function Composer({ client, t }: { client: WidgetClient; t: Strings }) {
  const [text, setText] = useState("");
  const send = () => {
    if (!text.trim()) return;
    client.send(text);
    setText("");
  };
  return (
    <form
      class="bc-composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <label for="bc-compose" class="bc-sr">
        {t.message}
      </label>
      <textarea
        id="bc-compose"
        rows={1}
        maxLength={4000}
        value={text}
        placeholder={t.message}
        onInput={(e) => {
          setText((e.currentTarget as HTMLTextAreaElement).value);
          client.typed();
        }}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            send();
          }
        }}
      />
      <button type="submit" class="bc-primary bc-send">
        {t.send}
      </button>
    </form>
  );
}

function AfterClose({ client, s, t }: { client: WidgetClient; s: WidgetState; t: Strings }) {
  const [score, setScore] = useState(0);
  const [comment, setComment] = useState("");
  const [email, setEmail] = useState("");
  const known = s.conversation?.visitor?.email ?? "";
  // The form that had the focus is replaced by its thanks: the focus moves
  // there instead of falling out of the panel.
  const after = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (s.rated || s.transcript) after.current?.querySelector<HTMLElement>(".bc-note")?.focus();
  }, [s.rated, s.transcript]);
  return (
    <div class="bc-after" ref={after}>
      {s.rated ? (
        <p class="bc-note" role="status" tabIndex={-1}>
          {t.rated}
        </p>
      ) : (
        <form
          class="bc-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (score) void client.rate(score, comment.trim());
          }}
        >
          <fieldset class="bc-stars">
            <legend>{t.rateQ}</legend>
            {[1, 2, 3, 4, 5].map((n) => (
              <label key={n} class={n <= score ? "bc-on" : ""}>
                <input type="radio" name="score" value={n} checked={score === n} onChange={() => setScore(n)} />
                <span aria-hidden="true">★</span>
                <span class="bc-sr">{fmt(t.stars, { n })}</span>
              </label>
            ))}
          </fieldset>
          <Field id="bc-comment" label={t.comment} required={false} t={t}>
            <textarea id="bc-comment" rows={2} maxLength={1000} value={comment} onInput={(e) => setComment((e.currentTarget as HTMLTextAreaElement).value)} />
          </Field>
          <button type="submit" class="bc-primary" disabled={!score}>
            {t.rate}
          </button>
        </form>
      )}
      {s.transcript ? (
        <p class="bc-note" role="status" tabIndex={-1}>
          {t.transcriptSent}
        </p>
      ) : known ? (
        <div class="bc-form bc-row">
          <button type="button" class="bc-secondary" onClick={() => void client.transcript(known)}>
            {t.transcript}
          </button>
          <span class="bc-hint">{fmt(t.transcriptTo, { email: known })}</span>
        </div>
      ) : (
        <form
          class="bc-form"
          onSubmit={(e) => {
            e.preventDefault();
            void client.transcript(email.trim());
          }}
        >
          <Field id="bc-temail" label={t.email} required t={t}>
            <input id="bc-temail" type="email" required autocomplete="email" value={email} onInput={(e) => setEmail((e.currentTarget as HTMLInputElement).value)} />
          </Field>
          <button type="submit" class="bc-secondary">
            {t.transcript}
          </button>
        </form>
      )}
      <button type="button" class="bc-link" onClick={() => client.newConversation()}>
        {t.newChat}
      </button>
    </div>
  );
}
