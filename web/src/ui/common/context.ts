// What every component needs: the chat controller and its features, the
// translator and the preferences, passed down once through a context.
import { createContext } from "preact";
import { useContext, useEffect, useReducer } from "preact/hooks";
import type { Chat } from "../../state/chat";
import type { Client } from "../../features/client";
import type { Translate } from "../../i18n";
import type { Prefs } from "../../features/prefs";
import type { Session } from "../../api/session";
import type { LegalConfig } from "../../api/config";

export interface AppCtx extends Client {
  t: Translate;
  prefs: Prefs;
  setPrefs(p: Prefs): void;
  signOut(): void;
  // The Cognito session: groups, change password, sign out everywhere.
  session?: Session;
  // The terms, privacy policy and guidelines (config.json's legal).
  legal?: LegalConfig;
  // The HTTP API's base URL (config.json's httpApiUrl): webhook URLs.
  httpApiUrl?: string;
}

// The dialogs the shell can open (the sidebar and the room header ask for
// them; the shell shows them).
export type DialogName = "" | "create" | "browse" | "dm" | "invite" | "room" | "settings" | "people" | "queue" | "audit" | "search" | "notify" | "switcher" | "pins" | "saved" | "threads" | "scheduled" | "analytics";

export const AppContext = createContext<AppCtx>(null as unknown as AppCtx);

export function useApp(): AppCtx {
  return useContext(AppContext);
}

// useChatState re-renders the caller on every state change.
export function useChatState(chat: Chat) {
  const [, bump] = useReducer<number, undefined>((n) => n + 1, 0);
  useEffect(() => chat.subscribe(() => bump(undefined)), [chat]);
  return chat.state;
}
