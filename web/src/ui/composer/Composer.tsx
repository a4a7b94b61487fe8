// The composer: a growing textarea (Enter sends, Shift+Enter breaks the
// line), typing notifications, @mention autocomplete, :shortcode:
// autocomplete (and a complete :name: turning into its emoji), the emoji
// picker, the GIF picker and attachments (the paperclip button, or pasted
// images).
import { handle, mentionCandidates, mentionHandle } from "../common/handle";
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Profile } from "../../api/protocol.gen";
import { useApp, useChatState } from "../common/context";
import { EmojiPicker } from "./EmojiPicker";
import { limits } from "../../api/protocol.gen";
import { UploadChips } from "./UploadChips";
import { AttachButton, filesOn, usePasteFiles } from "./attach";
import { CreatePollDialog } from "../polls/CreatePollDialog";
import { SendLater } from "../scheduled/SendLater";
import { completeShortcode, shortcodeAt, suggestShortcodes, type ShortcodeHit, type ShortcodeQuery } from "../common/shortcodes";
import { GifPicker } from "../gifs/GifPicker";
import { Rejection } from "./Rejection";
import { addEphemeral, commandOf, loadCommands, runCommand, suggestCommands } from "../../features/commands";
import { EphemeralReplies } from "../integrations/EphemeralReplies";
import { useRoomCommands } from "../integrations/useCommands";
import { useE2EE } from "../e2ee/api";
import { LockBadge } from "../e2ee/LockBadge";

interface MentionQuery {
  start: number; // index of "@"
  query: string;
}

// mentionAt finds an "@word" being typed right before the caret.
export function mentionAt(text: string, caret: number): MentionQuery | null {
  const before = text.slice(0, caret);
  const m = /(^|[^\p{L}\p{N}_])@([\p{L}\p{N}_.-]{0,30})$/u.exec(before);
  if (!m) return null;
  return { start: caret - m[2].length - 1, query: m[2] };
}

const drafts = new Map<string, string>();
const COMPOSER_MAX_PX = 240;

export { pastedName } from "./attach";

export function Composer({ roomId, label }: { roomId: string; label: string }) {
  const { chat, uploads: queue, t } = useApp();
  const state = useChatState(chat);
  const [text, setText] = useState(() => drafts.get(roomId) ?? "");
  const [mention, setMention] = useState<MentionQuery | null>(null);
  const [active, setActive] = useState(0);
  const [emoji, setEmoji] = useState(false);
  const [polling, setPolling] = useState(false);
  const [gifs, setGifs] = useState(false);
  const [sc, setSc] = useState<ShortcodeQuery | null>(null);
  // The /command suggestions: the selected one, and the text Escape closed
  // them at (they open again once the text changes).
  const [cmdActive, setCmdActive] = useState(0);
  const [cmdClosed, setCmdClosed] = useState<string | null>(null);
  const ref = useRef<HTMLTextAreaElement>(null);
  const tooLong = new TextEncoder().encode(text.trim()).length > limits.maxTextBytes;
  const uploads = queue.list(roomId);
  const uploading = queue.busy(roomId);
  const ready = uploads.some((u) => u.status === "done");
  // An encrypted room (issue 19): the engine says whether this device can
  // send there now (set up, keys known, no unaccepted key change), and
  // nothing that the server would have to read is offered (GIFs, polls,
  // scheduling, /commands).
  const e2ee = useE2EE();
  const encrypted = !!state.rooms?.[roomId]?.encrypted;
  const gate = encrypted ? (e2ee?.canSend(roomId) ?? { ok: false }) : { ok: true };
  // Sending waits for every upload to finish (the button is disabled).
  const canSend = (!!text.trim() || ready) && !tooLong && !uploading && gate.ok;

  const candidates: Profile[] = useMemo(() => {
    if (!mention) return [];
    const people = Object.keys(state.members[roomId] ?? {})
      .filter((id) => id !== state.me?.userId)
      .map((id) => state.users[id])
      .filter((u): u is Profile => !!u);
    return mentionCandidates(people, mention.query);
  }, [mention, state.members[roomId], state.users]);
  const listOpen = candidates.length > 0;
  const emojiHits: ShortcodeHit[] = useMemo(() => (sc && !listOpen ? suggestShortcodes(sc.query) : []), [sc, listOpen]);
  const scOpen = emojiHits.length > 0;

  const update = (value: string) => {
    setText(value);
    drafts.set(roomId, value);
  };

  // A message the review hook rejected comes back as the draft (unless
  // something new was typed meanwhile), under the hook's reason.
  const rejection = state.rejected?.[roomId];
  const [restored, setRestored] = useState("");
  useLayoutEffect(() => {
    if (!rejection || restored === rejection.clientId) return;
    if (!text.trim()) {
      update(rejection.text);
      setRestored(rejection.clientId);
      ref.current?.focus();
    }
  }, [rejection?.clientId]);

  const onInput = (e: Event) => {
    const el = e.currentTarget as HTMLTextAreaElement;
    const caret = el.selectionStart ?? el.value.length;
    // A complete ":name:" just typed becomes its emoji.
    const done = (e as InputEvent).inputType?.startsWith("delete") ? null : completeShortcode(el.value, caret);
    if (done) {
      el.value = done.text;
      el.setSelectionRange(done.caret, done.caret);
    }
    update(el.value);
    setMention(mentionAt(el.value, el.selectionStart ?? el.value.length));
    setSc(done ? null : shortcodeAt(el.value, el.selectionStart ?? el.value.length));
    setActive(0);
    setCmdActive(0);
    if (el.value.trim()) chat.typing(roomId);
    else chat.stopTyping(roomId);
  };

  const insert = (s: string, from: number, to: number) => {
    const el = ref.current!;
    const value = text.slice(0, from) + s + text.slice(to);
    // The value and caret are set on the element now, not after the next
    // frame: a key typed in between would land where the caret used to be.
    el.value = value;
    el.focus();
    el.setSelectionRange(from + s.length, from + s.length);
    update(value);
  };

  const pick = (u: Profile) => {
    if (!mention) return;
    const caret = mention.start + 1 + mention.query.length;
    insert(`@${mentionHandle(u)} `, mention.start, caret);
    setMention(null);
  };

  const pickEmoji = (hit: ShortcodeHit) => {
    if (!sc) return;
    insert(hit.emoji, sc.start, sc.start + 1 + sc.query.length);
    setSc(null);
  };

  const send = () => {
    if (!canSend) return;
    if (rejection) chat.clearRejected(roomId);
    // A registered /command runs (integrations); any other text is a message.
    const cmd = !ready && !encrypted ? commandOf(roomId, text) : null;
    if (cmd) {
      void runCommand(chat, roomId, cmd.command, cmd.rest).catch((err: unknown) =>
        addEphemeral(roomId, `/${cmd.command}`, t("integrations.failed", { reason: err instanceof Error ? err.message : String(err) })),
      );
      update("");
      return;
    }
    chat.send(roomId, text);
    update("");
    setMention(null);
    setSc(null);
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (scOpen) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        const n = emojiHits.length;
        setActive((active + (e.key === "ArrowDown" ? 1 : n - 1)) % n);
        return;
      }
      if ((e.key === "Enter" || e.key === "Tab") && !e.isComposing) {
        e.preventDefault();
        pickEmoji(emojiHits[Math.min(active, emojiHits.length - 1)]);
        return;
      }
      if (e.key === "Escape") {
        e.preventDefault();
        setSc(null);
        return;
      }
    }
    if (listOpen) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        const n = candidates.length;
        setActive((active + (e.key === "ArrowDown" ? 1 : n - 1)) % n);
        return;
      }
      if (e.key === "Enter" || e.key === "Tab") {
        e.preventDefault();
        pick(candidates[active]);
        return;
      }
      if (e.key === "Escape") {
        e.preventDefault();
        setMention(null);
        return;
      }
    }
    if (cmdOpen) {
      // The /command suggestions: arrows move, Enter or Tab completes the
      // selected one (the first unless moved), Escape closes them.
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        const n = cmdHints.length;
        setCmdActive((cmdSel + (e.key === "ArrowDown" ? 1 : n - 1)) % n);
        return;
      }
      if ((e.key === "Enter" || e.key === "Tab") && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        pickCommand(cmdHints[cmdSel]);
        return;
      }
      if (e.key === "Escape") {
        e.preventDefault();
        setCmdClosed(text);
        return;
      }
    }
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    } else if (e.key === "ArrowUp" && !text && !e.altKey && !e.shiftKey && !e.ctrlKey && !e.metaKey) {
      // Up in an empty composer edits my last message.
      const mine = document.querySelectorAll<HTMLElement>(".messages article.msg.mine[data-seq]:not(.deleted) [data-action=edit]");
      const edit = mine[mine.length - 1];
      if (edit) {
        e.preventDefault();
        edit.click();
      }
    }
  };

  const onPaste = usePasteFiles(roomId);

  // The room's slash commands (integrations): offered while "/name" is typed.
  useRoomCommands(chat, roomId);
  const slash = text.startsWith("/");
  useEffect(() => {
    if (slash) void loadCommands(chat, roomId).catch(() => {});
  }, [slash, chat, roomId]);
  const cmdHints = encrypted ? [] : suggestCommands(roomId, text);
  const cmdOpen = cmdHints.length > 0 && cmdClosed !== text;
  const cmdSel = Math.min(cmdActive, cmdHints.length - 1);
  const pickCommand = (c: { command?: string }) => {
    update(`/${c.command} `);
    setCmdActive(0);
    ref.current?.focus();
  };
  const refused = !gate.ok ? t("e2ee.cannotSend", { reason: gate.reason ?? t("e2ee.loading") }) : "";
  const hint = tooLong ? t("composer.tooLong") : refused || (uploading ? t("files.waiting") : t("composer.hint"));
  // The textarea grows with its content, wrapped lines included, up to
  // COMPOSER_MAX_PX (or 40% of the screen), then scrolls.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = "auto";
    const max = Math.min(COMPOSER_MAX_PX, Math.round(window.innerHeight * 0.4));
    const want = el.scrollHeight + (el.offsetHeight - el.clientHeight);
    el.style.height = `${Math.min(want, max)}px`;
    el.style.overflowY = want > max ? "auto" : "hidden";
  }, [text]);
  return (
    <div class="composer">
      <EphemeralReplies roomId={roomId} />
      {cmdOpen && (
        <ul class="mention-list command-hints" id="command-list" role="listbox" aria-label={t("integrations.suggestions")}>
          {cmdHints.map((c, i) => (
            <li
              key={c.id}
              id={`command-opt-${i}`}
              role="option"
              aria-selected={i === cmdSel}
              class={i === cmdSel ? "active" : ""}
              onMouseDown={(e) => {
                e.preventDefault();
                pickCommand(c);
              }}
            >
              <code>/{c.command}</code> {c.description && <span class="muted">{c.description}</span>}
            </li>
          ))}
        </ul>
      )}
      {listOpen && (
        <ul class="mention-list" id="mention-list" role="listbox" aria-label={t("composer.mentions")}>
          {candidates.map((u, i) => (
            <li
              key={u.userId}
              id={`mention-${u.userId}`}
              role="option"
              aria-selected={i === active}
              class={i === active ? "active" : ""}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(u);
              }}
            >
              <strong>{u.displayName}</strong> {handle(u) && <span class="muted">{handle(u)}</span>}
            </li>
          ))}
        </ul>
      )}
      {scOpen && (
        <ul class="mention-list emoji-list" id="emoji-list" role="listbox" aria-label={t("composer.emojiSuggestions")}>
          {emojiHits.map((h, i) => (
            <li
              key={h.name}
              id={`emoji-opt-${i}`}
              role="option"
              aria-selected={i === active}
              class={i === active ? "active" : ""}
              onMouseDown={(e) => {
                e.preventDefault();
                pickEmoji(h);
              }}
            >
              <span class="emoji-char" aria-hidden="true">
                {h.emoji}
              </span>{" "}
              :{h.name}:
            </li>
          ))}
        </ul>
      )}
      {gifs && (
        <GifPicker
          roomId={roomId}
          onClose={() => {
            setGifs(false);
            ref.current?.focus();
          }}
        />
      )}
      {emoji && (
        <EmojiPicker
          onPick={(ch) => {
            const el = ref.current!;
            insert(ch, el.selectionStart ?? text.length, el.selectionEnd ?? text.length);
            setEmoji(false);
          }}
          onClose={() => {
            setEmoji(false);
            ref.current?.focus();
          }}
        />
      )}
      {rejection && <Rejection roomId={roomId} rejection={rejection} restored={restored === rejection.clientId} />}
      <UploadChips uploads={uploads} />
      <form
        class="composer-row"
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        {encrypted && (
          <span class="composer-lock">
            <LockBadge />
          </span>
        )}
        <textarea
          id="composer-input"
          ref={ref}
          rows={1}
          value={text}
          placeholder={encrypted ? t("e2ee.composerPlaceholder", { room: label }) : t("composer.placeholder", { room: label })}
          aria-label={t("composer.label", { room: label })}
          aria-describedby="composer-hint"
          aria-autocomplete="list"
          aria-controls={listOpen ? "mention-list" : scOpen ? "emoji-list" : cmdOpen ? "command-list" : undefined}
          aria-activedescendant={
            listOpen ? `mention-${candidates[active]?.userId}` : scOpen ? `emoji-opt-${Math.min(active, emojiHits.length - 1)}` : cmdOpen ? `command-opt-${cmdSel}` : undefined
          }
          aria-invalid={tooLong || !!rejection}
          onInput={onInput}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
          onBlur={() =>
            setTimeout(() => {
              setMention(null);
              setSc(null);
            }, 150)
          }
        />
        {filesOn(state) && <AttachButton roomId={roomId} inputId="composer-file" onPicked={() => ref.current?.focus()} />}
        {state.gifs && !encrypted && (
          <button
            type="button"
            class="icon-btn gif-btn"
            aria-label={t("gifs.open")}
            title={t("gifs.open")}
            aria-expanded={gifs}
            onClick={() => {
              setEmoji(false);
              setGifs(!gifs);
            }}
          >
            <span aria-hidden="true">GIF</span>
          </button>
        )}
        <button type="button" class="icon-btn emoji-btn" aria-label={t("composer.emoji")} title={t("composer.emoji")} aria-expanded={emoji} onClick={() => setEmoji(!emoji)}>
          ☺
        </button>
        {!encrypted && (
        <button type="button" class="icon-btn poll-btn" aria-label={t("poll.create")} title={t("poll.create")} aria-haspopup="dialog" onClick={() => setPolling(true)}>
          📊
        </button>
        )}
        <button type="submit" class="btn primary send" disabled={!canSend}>
          {t("composer.send")}
        </button>
        {!encrypted && <SendLater roomId={roomId} text={text} disabled={!text.trim() || tooLong || uploads.length > 0} onScheduled={() => update("")} />}
      </form>
      <p id="composer-hint" class={refused && !tooLong ? "hint error" : "hint"} data-testid={refused ? "e2ee-cannot-send" : undefined}>
        {hint}
      </p>
      {polling && (
        <CreatePollDialog
          roomId={roomId}
          onClose={() => {
            setPolling(false);
            ref.current?.focus();
          }}
        />
      )}
    </div>
  );
}
