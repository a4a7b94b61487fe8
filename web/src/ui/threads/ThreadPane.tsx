// The thread open beside the room (a full screen up to 760 px wide): the
// parent, its replies (older ones a page at a time), and a composer with
// "Also send to the room" and attachments (the room composer's paperclip,
// paste and upload chips, under the thread's own slot of the upload
// queue). Replies arriving while it is open are read.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Message } from "../../api/protocol.gen";
import { useE2EE } from "../e2ee/api";
import { useApp, useChatState } from "../common/context";
import { MessageItem, type ListItem } from "../messages/MessageItem";
import type { FormatContext } from "../messages/format";
import { mentionNames } from "../common/handle";
import { openThreadView } from "../../state/threads";
import { UploadChips } from "../composer/UploadChips";
import { AttachButton, filesOn, usePasteFiles } from "../composer/attach";
import { roomTitle, roomWritable } from "../../state/rooms";
import "./threads.css";

export function ThreadPane() {
  const { chat, t, prefs, uploads: queue } = useApp();
  const state = useChatState(chat);
  const view = openThreadView(state);
  // The thread's uploads wait under its key (state.openThread).
  const slot = state.openThread;
  const onPaste = usePasteFiles(view?.roomId ?? "", slot);
  const [draft, setDraft] = useState("");
  const [toRoom, setToRoom] = useState(false);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const listRef = useRef<HTMLDivElement>(null);
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const me = state.me;
  const room = view ? state.rooms[view.roomId] : undefined;
  // The parent as the room holds it now, else as the thread's page had it.
  const parent: Message | undefined = view ? (state.messages[view.roomId]?.find((m) => m.seq === view.parentSeq) ?? view.parent) : undefined;

  const items: ListItem[] = useMemo(() => {
    if (!view) return [];
    // Replies held by the room (pushed live) and by the thread's pages.
    const bySeq = new Map<number, Message>();
    for (const m of view.replies) bySeq.set(m.seq, m);
    for (const m of state.messages[view.roomId] ?? []) if (m.parentSeq === view.parentSeq && (bySeq.has(m.seq) || !view.hasMore || m.seq > view.before)) bySeq.set(m.seq, m);
    const list: ListItem[] = [...bySeq.values()].sort((a, b) => a.seq - b.seq).map((m) => ({ msg: m }));
    for (const p of state.pending) {
      if (p.roomId !== view.roomId || p.parentSeq !== view.parentSeq) continue;
      list.push({ msg: { roomId: p.roomId, seq: -1, clientId: p.clientId, senderId: me?.userId ?? "", senderName: me?.displayName ?? "", text: p.text, attachments: p.attachments, createdAt: p.createdAt, parentSeq: p.parentSeq, toRoom: p.toRoom }, pending: p });
    }
    return list;
  }, [view, state.messages, state.pending, me]);

  const members = view ? (state.members[view.roomId] ?? {}) : {};
  const fmt: FormatContext = useMemo(() => {
    const names: string[] = [];
    for (const id of Object.keys(members)) {
      const u = state.users[id];
      if (u) names.push(...mentionNames(u));
    }
    return { names, myNames: me ? mentionNames(me) : [] };
  }, [members, state.users, me]);

  // Opening a thread puts the caret in its composer (before anything can
  // be typed: a layout effect) and the newest reply in view, or the reply
  // a notification was about (threadFocus), highlighted for a moment, once
  // it is there (the thread's first page; an older reply than that page
  // leaves the newest in view).
  const key = state.openThread;
  useLayoutEffect(() => {
    if (!key) return;
    inputRef.current?.focus();
  }, [key]);
  const count = items.length;
  const focus = state.threadFocus;
  const loaded = !!view?.loaded;
  useLayoutEffect(() => {
    const el = listRef.current;
    if (!el) return;
    const target = focus ? el.querySelector<HTMLElement>(`.thread-replies [data-seq="${focus}"]`) : null;
    if (target) {
      target.scrollIntoView({ block: "center" });
      target.classList.add("flash");
      setTimeout(() => target.classList.remove("flash"), 2500);
      chat.threadFocused();
      return;
    }
    if (focus && !loaded) return;
    if (focus) chat.threadFocused();
    el.scrollTop = el.scrollHeight;
  }, [count, key, focus, loaded]);

  // Escape closes the pane (dialogs close themselves first).
  useEffect(() => {
    if (!key) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && !document.querySelector("dialog[open]") && (document.activeElement?.closest(".thread-pane") || matchMedia("(max-width: 760px)").matches)) chat.closeThread();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [key]);

  const e2ee = useE2EE();
  if (!view || !room) return null;
  const label = room.kind === "direct" ? roomTitle(state, room) : `#${room.name}`;
  const uploads = queue.list(slot);
  const uploading = queue.busy(slot);
  // Sending waits for every upload to finish (the button is disabled).
  // An encrypted room: the engine says whether this device can send now.
  const gate = room.encrypted ? (e2ee?.canSend(room.roomId) ?? { ok: false }) : { ok: true };
  const canSend = (!!draft.trim() || uploads.some((u) => u.status === "done")) && !uploading && gate.ok;
  const send = () => {
    if (!canSend) return;
    chat.reply(view.roomId, view.parentSeq, draft, toRoom);
    setDraft("");
    setToRoom(false);
  };
  const older = async () => {
    setLoadingOlder(true);
    try {
      await chat.loadOlderReplies(view.roomId, view.parentSeq);
    } finally {
      setLoadingOlder(false);
    }
  };
  return (
    <aside class="thread-pane" aria-labelledby="thread-title">
      <header class="thread-head">
        <div>
          <h2 id="thread-title">{t("thread.title")}</h2>
          <p class="topic">{label}</p>
        </div>
        {view.loaded && (
          <button type="button" class="btn" aria-pressed={view.following} onClick={() => void chat.followThread(view.roomId, view.parentSeq, !view.following).catch(() => {})}>
            {view.following ? t("thread.unfollow") : t("thread.follow")}
          </button>
        )}
        <button type="button" class="icon-btn thread-close" aria-label={t("thread.close")} title={t("thread.close")} onClick={() => chat.closeThread()}>
          ×
        </button>
      </header>
      <div class="thread-scroll" ref={listRef}>
        {parent ? (
          <div class="thread-parent">
            <MessageItem item={{ msg: parent }} head mine={parent.senderId === me?.userId} sender={state.users[parent.senderId]} fmt={fmt} layout={prefs.layout} inThread />
          </div>
        ) : (
          <p class="hint">{t("common.loading")}</p>
        )}
        <p class="thread-divider">
          <span>{t("thread.replies", { n: parent?.thread?.replies ?? items.filter((i) => !i.pending).length })}</span>
        </p>
        {view.hasMore && (
          <button type="button" class="btn thread-older" disabled={loadingOlder} onClick={() => void older()}>
            {loadingOlder ? t("common.loading") : t("thread.older")}
          </button>
        )}
        <div role="log" aria-label={t("thread.repliesLabel")} class="thread-replies">
          {items.map((it) => (
            <MessageItem key={it.pending ? it.msg.clientId : it.msg.seq} item={it} head mine={it.msg.senderId === me?.userId} sender={state.users[it.msg.senderId]} fmt={fmt} layout={prefs.layout} inThread />
          ))}
        </div>
      </div>
      {roomWritable(state, room) && (
        <form
          class="thread-composer"
          onSubmit={(e) => {
            e.preventDefault();
            send();
          }}
        >
          <UploadChips uploads={uploads} />
          <textarea
            ref={inputRef}
            id="thread-input"
            class="composer-input"
            rows={2}
            aria-label={t("thread.replyLabel", { room: label })}
            placeholder={room.encrypted ? t("e2ee.threadPlaceholder") : t("thread.placeholder")}
            value={draft}
            onInput={(e) => setDraft(e.currentTarget.value)}
            onPaste={onPaste}
            onKeyDown={(e) => {
              if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
                e.preventDefault();
                send();
              }
            }}
          />
          {!gate.ok && (
            <p class="hint error" data-testid="e2ee-cannot-send">
              {t("e2ee.cannotSend", { reason: gate.reason ?? t("e2ee.loading") })}
            </p>
          )}
          <div class="thread-composer-row">
            <label class="check">
              <input type="checkbox" checked={toRoom} onChange={(e) => setToRoom(e.currentTarget.checked)} /> {t("thread.alsoToRoom", { room: label })}
            </label>
            {filesOn(state) && <AttachButton roomId={view.roomId} slot={slot} inputId="thread-file" onPicked={() => inputRef.current?.focus()} />}
            <button type="submit" class="btn primary" disabled={!canSend}>
              {t("thread.send")}
            </button>
          </div>
        </form>
      )}
    </aside>
  );
}
