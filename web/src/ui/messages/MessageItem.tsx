// One message: avatar, name and time on the first of a group, the formatted
// text, edited/deleted markers, pending state, own-message actions with
// inline editing, and "seen by".
import { BotBadge, isBot } from "../bots/BotBadge";
import { useMemo, useRef, useState, useLayoutEffect } from "preact/hooks";
import type { Message, Profile } from "../../api/protocol.gen";
import type { PendingSend } from "../../state/types";
import { formatMessage, type FormatContext } from "./format";
import { Avatar } from "../common/Avatar";
import { IntegrationAvatar, IntegrationBadge } from "../webhooks/IntegrationBadge";
import { useApp } from "../common/context";
import { useSubmit } from "../common/useSubmit";
import { refusalText } from "../common/errorText";
import type { Layout } from "../../features/prefs";
import { AttachmentList } from "./Attachments";
import { GifImage } from "../gifs/GifImage";
import { ConfirmDialog } from "../common/ConfirmDialog";
import { MessageModActions } from "../moderation/MessageModActions";
import { ReactionChips } from "../conversations/Reactions";
import { MessageConvActions } from "../conversations/MessageConvActions";
import { VersionsDialog } from "../conversations/VersionsDialog";
import { PollCard } from "../polls/PollCard";
import { ThreadSummary } from "../threads/ThreadSummary";
import { LinkPreviews } from "../linkpreview/LinkPreviews";
import { BlockedMessage } from "../privacy/BlockedMessage";
import { isBlocked } from "../../state/preferences";
import { roomWritable } from "../../state/rooms";
import { e2eeOf, useE2EEHandle } from "../e2ee/api";
import { Undecryptable } from "../e2ee/Undecryptable";
import { EncryptedFiles } from "../e2ee/EncryptedFiles";

export interface ListItem {
  msg: Message;
  pending?: PendingSend;
}

function time(iso: string, lang: string): string {
  return new Date(iso).toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
}

// System lines never come here: MessageList renders them.
// inThread: shown in the thread pane (no thread summary there).
export function MessageItem({ item, head, mine, seenBy, sender, fmt, layout, inThread }: { item: ListItem; head: boolean; mine: boolean; seenBy?: Profile[]; sender?: Profile; fmt: FormatContext; layout: Layout; inThread?: boolean }) {
  const { chat, t, prefs } = useApp();
  const m = item.msg;
  const p = item.pending;
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState("");
  const { error, setError, run } = useSubmit();
  const editRef = useRef<HTMLTextAreaElement>(null);
  const html = useMemo(() => formatMessage(m.text, fmt), [m.text, fmt]);
  const baseName = sender?.displayName ?? m.senderName;
  // A deactivated person's messages stay; their name says so. A deleted
  // account's are from "Deleted user" (the sender id "deleted" when kept).
  const name = sender?.deleted || m.senderId === "deleted" ? t("user.deleted") : sender?.deactivated ? t("user.deactivated", { name: baseName }) : baseName;
  const mentionsMe = !!chat.state.me && !!m.mentions?.includes(chat.state.me.userId);
  // An archived channel or a DM with nobody left takes no edits (the server refuses them).
  const writable = roomWritable(chat.state, chat.state.rooms[m.roomId]);
  // A message of an encrypted room: decrypted in place by the engine, or
  // still pending, or unreadable here (e2ee.error); its files are named in
  // the plaintext (the server's list says only "encrypted.bin").
  const encryptedRoom = !!chat.state.rooms[m.roomId]?.encrypted || !!m.encrypted;
  const enc = e2eeOf(m);
  const unreadable = !m.deleted && !!enc && (!!enc.error || !!enc.pending);
  const e2ee = useE2EEHandle();

  // A layout effect, so the caret is at the end before anything can type:
  // a deferred effect could move it after a quick select-all and paste,
  // which appended the new text to the old (seen in CI).
  useLayoutEffect(() => {
    if (editing) {
      const el = editRef.current!;
      el.focus();
      el.setSelectionRange(el.value.length, el.value.length);
    }
  }, [editing]);

  const save = async () => {
    const text = draft.trim();
    if (!text || text === m.text) {
      setEditing(false);
      return;
    }
    await run(async () => {
      await chat.edit(m.roomId, m.seq, text);
      setEditing(false);
      setError("");
    });
  };

  const [confirming, setConfirming] = useState(false);
  const [versions, setVersions] = useState(false);
  // Touch screens: the actions open from a ⋯ button (no hover there).
  const [actionsOpen, setActionsOpen] = useState(false);
  // A blocked person's message: collapsed until shown (issue 15).
  const [shown, setShown] = useState(false);
  if (!mine && !shown && !m.deleted && isBlocked(chat.state, m.senderId)) return <BlockedMessage seq={m.seq} onShow={() => setShown(true)} />;

  const classes = ["msg", head ? "head" : "cont", mine ? "mine" : "", p ? `pending ${p.status}` : "", m.deleted ? "deleted" : "", mentionsMe ? "mentions-me" : "", actionsOpen ? "actions-open" : "", layout].filter(Boolean).join(" ");
  return (
    <article class={classes} data-seq={m.seq > 0 ? m.seq : undefined} data-client-id={m.clientId} aria-label={`${name}, ${time(m.createdAt, prefs.lang)}`}>
      <div class="msg-gutter">{head ? m.integration ? <IntegrationAvatar integration={m.integration} name={m.senderName} /> : <Avatar user={sender} name={m.senderName} /> : <time class="hover-time" dateTime={m.createdAt}>{time(m.createdAt, prefs.lang)}</time>}</div>
      <div class="msg-main">
        {head && (
          <div class="msg-meta">
            <span class="msg-name">{name}</span>
            {isBot(m.senderId, sender) && <BotBadge />}
            {m.integration && <IntegrationBadge integration={m.integration} />}
            <time dateTime={m.createdAt} title={new Date(m.createdAt).toLocaleString(prefs.lang)}>
              {time(m.createdAt, prefs.lang)}
            </time>
          </div>
        )}
        {editing ? (
          <div class="edit">
            <textarea
              ref={editRef}
              class="edit-input"
              aria-label={t("msg.editLabel")}
              aria-describedby={`edit-hint-${m.seq}`}
              value={draft}
              rows={Math.min(8, draft.split("\n").length)}
              onInput={(e) => setDraft(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === "Escape") {
                  e.preventDefault();
                  e.stopPropagation();
                  setEditing(false);
                } else if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
                  e.preventDefault();
                  void save();
                }
              }}
            />
            <p class="hint" id={`edit-hint-${m.seq}`}>
              {t("msg.editHint")}
            </p>
            <div class="edit-actions">
              <button type="button" class="btn" onClick={() => setEditing(false)}>
                {t("msg.cancel")}
              </button>
              <button type="button" class="btn primary" onClick={() => void save()}>
                {t("msg.save")}
              </button>
            </div>
          </div>
        ) : m.deleted ? (
          <p class="msg-text tombstone">{m.deletedBy && m.deletedBy !== m.senderId ? t("mod.removedByModerator") : t("msg.deleted")}</p>
        ) : unreadable ? (
          <Undecryptable info={enc!} />
        ) : m.poll ? (
          <PollCard msg={m} />
        ) : (
          m.text && <div class="msg-text" dangerouslySetInnerHTML={{ __html: html }} />
        )}
        {!m.deleted && !unreadable && enc?.files && enc.files.length > 0 && e2ee && <EncryptedFiles e2ee={e2ee} roomId={m.roomId} seq={m.seq} files={enc.files} />}
        {!m.deleted && !encryptedRoom && m.attachments && m.attachments.length > 0 && <AttachmentList roomId={m.roomId} seq={m.seq} attachments={m.attachments} pending={!!p || m.seq <= 0} />}
        {!p && !editing && <LinkPreviews msg={m} mine={mine && writable} />}
        {!m.deleted && m.gif && <GifImage gif={m.gif} />}
        {m.editedAt && !m.deleted && !editing && (
          <button type="button" class="edited link" aria-haspopup="dialog" title={t("history.open")} onClick={() => setVersions(true)}>
            {t("msg.edited")}
          </button>
        )}
        {m.pinnedBy && !m.deleted && (
          <span class="pinned-mark" title={t("pin.pinnedBy", { name: chat.state.users[m.pinnedBy]?.displayName ?? "" })}>
            <span aria-hidden="true">📌 </span>
            {t("pin.pinned")}
          </span>
        )}
        {!p && <ReactionChips msg={m} />}
        {!p && !inThread && <ThreadSummary msg={m} />}
        {p?.status === "sending" && <span class="status-line">{chat.status === "online" ? t("msg.sending") : t("msg.waiting")}</span>}
        {p?.status === "failed" && (
          <span class="status-line failed" role="alert">
            {t("msg.failed", { error: refusalText("forbidden", p.error ?? "", p.errorUntil, t, prefs.lang) })}{" "}
            <button type="button" class="link" onClick={() => chat.retry(p.clientId)}>
              {t("msg.retry")}
            </button>{" "}
            <button type="button" class="link" onClick={() => chat.discard(p.clientId)}>
              {t("msg.discard")}
            </button>
          </span>
        )}
        {error && (
          <span class="status-line failed" role="alert">
            {error}
          </span>
        )}
        {seenBy && seenBy.length > 0 && (
          <div class="seen">{t("msg.seenBy", { names: seenBy.map((u) => u.displayName).join(", ") })}</div>
        )}
      </div>
      {!mine && !p && !m.deleted && m.seq > 0 && (
        <MessageModActions msg={m}>
          <MessageConvActions msg={m} />
        </MessageModActions>
      )}
      {!p && !m.deleted && !editing && m.seq > 0 && (
        <button type="button" class="icon-btn msg-more" aria-expanded={actionsOpen} aria-label={t("msg.actions")} title={t("msg.actions")} onClick={() => setActionsOpen(!actionsOpen)}>
          ⋯
        </button>
      )}
      {mine && !p && !m.deleted && !editing && (
        <div class="msg-actions" role="group" aria-label={t("msg.actions")}>
          <MessageConvActions msg={m} />
          {!m.poll && writable && !unreadable && (
            <button
              type="button"
              class="icon-btn"
              data-action="edit"
              aria-label={t("msg.edit")}
              title={t("msg.edit")}
              onClick={() => {
                setDraft(m.text);
                setEditing(true);
              }}
            >
              ✎
            </button>
          )}
          <button type="button" class="icon-btn" aria-label={t("msg.delete")} title={t("msg.delete")} onClick={() => setConfirming(true)}>
            🗑
          </button>
        </div>
      )}
      {versions && <VersionsDialog msg={m} onClose={() => setVersions(false)} />}
      {confirming && (
        <ConfirmDialog
          title={t("msg.confirmDelete")}
          body={t("msg.confirmDeleteBody")}
          action={t("msg.delete")}
          onConfirm={() => run(() => chat.remove(m.roomId, m.seq))}
          onClose={() => setConfirming(false)}
        />
      )}
    </article>
  );
}
