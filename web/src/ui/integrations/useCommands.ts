// useRoomCommands re-renders on the commands store's changes and loads the
// room's commands once per room.
import { useEffect, useReducer } from "preact/hooks";
import { loadCommands, roomCommands, subscribeCommands, type Requester } from "../../features/commands";

export function useCommandsStore() {
  const [, bump] = useReducer<number, undefined>((n) => n + 1, 0);
  useEffect(() => subscribeCommands(() => bump(undefined)), []);
}

export function useRoomCommands(chat: Requester, roomId: string) {
  useCommandsStore();
  useEffect(() => {
    void loadCommands(chat, roomId).catch(() => {});
  }, [chat, roomId]);
  return roomCommands(roomId);
}
