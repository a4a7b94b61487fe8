// Pick people from the user list: to start a DM or group DM (openDirect),
// or to invite them to a channel. The filter asks the server (listUsers
// with a query: display-name and handle words, by prefix, accents
// ignored); the people picked stay listed while the filter changes.
import type { Profile, RoomFrame } from "../../api/protocol.gen";
import { EncryptToggle } from "../e2ee/EncryptToggle";
import { handle } from "../common/handle";
import { useState } from "preact/hooks";
import { limits } from "../../api/protocol.gen";
import { Dialog } from "../common/Dialog";
import { Avatar } from "../common/Avatar";
import { useApp, useChatState } from "../common/context";
import { usePagedList } from "../common/usePagedList";
import { useSubmit } from "../common/useSubmit";

export function UserPickerDialog({ mode, roomId, onClose, onOpen }: { mode: "dm" | "invite"; roomId?: string; onClose(): void; onOpen(roomId: string): void }) {
  const { chat, t } = useApp();
  const state = useChatState(chat);
  const [filter, setFilter] = useState("");
  const [picked, setPicked] = useState<string[]>([]);
  // An end-to-end encrypted DM or group (a different room from the plain
  // one with the same people).
  const [encrypted, setEncrypted] = useState(false);
  const { error, run, fail } = useSubmit();
  const [pickedUsers, setPickedUsers] = useState<Record<string, Profile>>({});
  const { items: users, cursor, loading, more } = usePagedList((from, q) => chat.listUsers(from, q).then((p) => ({ items: p.users, cursor: p.cursor })), fail, filter);
  const room = roomId ? state.rooms[roomId] : undefined;
  const members = roomId ? (state.members[roomId] ?? {}) : {};
  const max = mode === "dm" ? limits.maxDirectMembers - 1 : 50;

  const listed = users.filter((u) => u.userId !== state.me?.userId && !members[u.userId]);
  const shown = [...picked.map((id) => pickedUsers[id]).filter((u): u is Profile => !!u && !listed.some((l) => l.userId === u.userId)), ...listed];

  const toggle = (u: Profile) => {
    setPickedUsers((all) => ({ ...all, [u.userId]: u }));
    setPicked((p) => (p.includes(u.userId) ? p.filter((x) => x !== u.userId) : p.length < max ? [...p, u.userId] : p));
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (picked.length === 0) return;
    await run(async () => {
      if (mode === "dm") {
        const id = encrypted ? ((await chat.request({ action: "openDirect", userIds: picked, encrypted: true })) as RoomFrame).room.roomId : await chat.openDirect(picked);
        onClose();
        onOpen(id);
      } else if (roomId) {
        await chat.invite(roomId, picked);
        onClose();
      }
    });
  };

  return (
    <Dialog title={mode === "dm" ? t("users.dmTitle") : t("users.inviteTitle", { name: room?.name ?? "" })} onClose={onClose} wide>
      <form onSubmit={submit} class="stack">
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <label>
          {t("users.search")}
          <input type="search" name="user-filter" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
        </label>
        {mode === "dm" && <p class="hint">{t("users.pickHint")}</p>}
        <fieldset class="pick-list">
          <legend class="sr-only">{mode === "dm" ? t("users.dmTitle") : t("users.invite")}</legend>
          {shown.map((u) => (
            <label key={u.userId} class="pick-row check">
              <input type="checkbox" name="user" value={u.userId} checked={picked.includes(u.userId)} onChange={() => toggle(u)} />
              <Avatar user={u} size={28} presence />
              <span>
                {u.displayName} {handle(u) && <span class="muted">{handle(u)}</span>}
              </span>
            </label>
          ))}
          {!loading && shown.length === 0 && <p>{t("users.none")}</p>}
        </fieldset>
        {loading && <p role="status">{t("common.loading")}</p>}
        {mode === "dm" && <EncryptToggle checked={encrypted} onChange={setEncrypted} people={picked.length + 1} />}
        {cursor && !loading && (
          <button type="button" class="btn" onClick={() => void more()}>
            {t("users.more")}
          </button>
        )}
        <div class="dialog-actions">
          <span class="muted" aria-live="polite">
            {t("users.selected", { n: picked.length })}
          </span>
          <button type="button" class="btn" onClick={onClose}>
            {t("common.cancel")}
          </button>
          <button type="submit" class="btn primary" disabled={picked.length === 0}>
            {mode === "dm" ? t("users.start") : t("users.invite")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
