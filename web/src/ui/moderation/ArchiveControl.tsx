// Archive or unarchive a channel (its owners and moderators, admins):
// archived channels are read-only and leave the channel browser. Admins
// may also delete it, after a confirmation.
import "./moderation.css";
import { useState } from "preact/hooks";
import { useApp, useChatState } from "../common/context";
import { useSubmit } from "../common/useSubmit";
import { ConfirmDialog } from "../common/ConfirmDialog";
import { canManage, isAdmin } from "../../state/moderation";

export function ArchiveControl({ roomId, onDone }: { roomId: string; onDone(): void }) {
  const { chat, t } = useApp();
  const state = useChatState(chat);
  const { error, run } = useSubmit();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const room = state.rooms[roomId];
  if (!room || room.kind === "direct" || roomId === "general" || !canManage(state, room)) return null;
  const toggle = () =>
    run(async () => {
      await chat.request({ action: room.archived ? "unarchiveChannel" : "archiveChannel", roomId });
      onDone();
    });
  return (
    <div class="archive-control">
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="dialog-actions">
        {!room.archived && (
          <button
            type="button"
            class="btn"
            onClick={() =>
              void run(async () => {
                await chat.request({ action: "updateChannel", roomId, private: room.kind !== "private" });
                onDone();
              })
            }
          >
            {room.kind === "private" ? t("mod.makePublic") : t("mod.makePrivate")}
          </button>
        )}
        <button type="button" class={room.archived ? "btn" : "btn danger"} onClick={() => void toggle()}>
          {room.archived ? t("mod.unarchive") : t("mod.archive")}
        </button>
        {isAdmin(state) && (
          <button type="button" class="btn danger" onClick={() => setConfirmDelete(true)}>
            {t("mod.deleteChannel")}
          </button>
        )}
      </div>
      {confirmDelete && (
        <ConfirmDialog
          title={t("mod.confirmDeleteChannel", { name: room.name })}
          body={t("mod.deleteChannelBody")}
          action={t("mod.deleteChannel")}
          onConfirm={async () => {
            await chat.request({ action: "deleteChannel", roomId });
            onDone();
          }}
          onClose={() => setConfirmDelete(false)}
        />
      )}
    </div>
  );
}
