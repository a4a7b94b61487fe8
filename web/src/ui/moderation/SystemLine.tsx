// A system message in the timeline: who joined, left, was added, removed or
// banned, renames, topics, archiving and role changes. The server writes
// them (history has them); the text is built here from the note.
import "./moderation.css";
import type { Message } from "../../api/protocol.gen";
import { useApp, useChatState } from "../common/context";
import type { Translate } from "../../i18n";
import type { ChatState } from "../../state/types";

export function systemText(m: Message, state: ChatState, t: Translate): string {
  const s = m.system!;
  const nameOf = (id: string) => state.users[id]?.displayName ?? id;
  const name = state.users[m.senderId]?.displayName ?? m.senderName;
  const users = (s.userIds ?? []).map(nameOf).join(", ");
  const value = s.value ?? "";
  switch (s.kind) {
    case "joined":
      return t("sys.joined", { name });
    case "left":
      return t("sys.left", { name });
    case "invited":
      return t("sys.invited", { name, users });
    case "removed":
      return t("sys.removed", { name, users });
    case "banned":
      return t("sys.banned", { name, users });
    case "renamed":
      return t("sys.renamed", { name, value });
    case "topic":
      return value ? t("sys.topic", { name, value }) : t("sys.topicCleared", { name });
    case "kind":
      return t("sys.kind", { name, value });
    case "archived":
      return t("sys.archived", { name });
    case "unarchived":
      return t("sys.unarchived", { name });
    case "role":
      return t("sys.role", { name, users, value });
  }
  return "";
}

export function SystemLine({ msg }: { msg: Message }) {
  const { chat, t, prefs } = useApp();
  const state = useChatState(chat);
  const when = new Date(msg.createdAt);
  return (
    <div class="sys-line" role="note" data-seq={msg.seq} data-system={msg.system?.kind}>
      <span>{systemText(msg, state, t)}</span>{" "}
      <time dateTime={msg.createdAt} title={when.toLocaleString(prefs.lang)}>
        {when.toLocaleTimeString(prefs.lang, { hour: "2-digit", minute: "2-digit" })}
      </time>
    </div>
  );
}
