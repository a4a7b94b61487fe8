// The client's state and the pure function that changes it. Every server
// frame and every local intent goes through `reduce`, so the rules (merge by
// seq, dedupe by clientId, unread counts, typing expiry, receipts) are unit
// tested without a socket or a DOM.
//
// The state is one flat object whose fields belong to slices, each with its
// reducer and selectors: connection.ts, members.ts (members and presence),
// rooms.ts, messages.ts, typing.ts. `reduce` runs every slice's reducer in
// turn; each changes only its own fields.
import { initialConnection, reduceConnection } from "./connection";
import { initialMembers, reduceMembers } from "./members";
import { initialMessages, reduceMessages } from "./messages";
import { initialRooms, reduceRooms } from "./rooms";
import { initialTyping, reduceTyping } from "./typing";
import { initialModeration, reduceModeration } from "./moderation";
import { initialPreferences, reducePreferences } from "./preferences";
import { initialConversations, reduceConversations } from "./conversations";
import { initialThreads, reduceThreads } from "./threads";
import { reduceE2EE } from "./e2ee";
import type { Action, ChatState, SliceReducer } from "./types";

export const initialState: ChatState = {
  ...initialConnection,
  ...initialMembers,
  ...initialRooms,
  ...initialMessages,
  ...initialTyping,
  ...initialModeration,
  ...initialPreferences,
  ...initialConversations,
  ...initialThreads,
};

const slices: SliceReducer[] = [reduceConnection, reduceMembers, reduceRooms, reduceMessages, reduceTyping, reduceModeration, reducePreferences, reduceConversations, reduceThreads, reduceE2EE];

// reduce returns the next state, or the same object when nothing changed.
export function reduce(state: ChatState, action: Action, now: number = Date.now()): ChatState {
  if (action.type === "local/reset") return initialState;
  const ctx = { prev: state, now };
  let next = state;
  for (const slice of slices) next = slice(next, action, ctx);
  return next;
}
