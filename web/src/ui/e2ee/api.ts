// The UI's view of the encryption engine (client.e2ee, web/src/state/e2ee.ts;
// see CONTRACT "THE CLIENT ENGINE API"): a hook that re-renders on its
// changes, and the client-only `e2ee` field of a decrypted message.
import { useContext, useEffect, useReducer } from "preact/hooks";
import type { Message } from "../../api/protocol.gen";
import type { E2EE, MessageE2EE } from "../../state/e2ee";
import { AppContext } from "../common/context";

export type { E2EE, E2EEStatus, DeviceView, VerificationView, MessageE2EE } from "../../state/e2ee";
export type { E2EEFileKey as FileKey } from "../../state/e2ee";

// useE2EE: the engine (undefined where there is none: tests of other
// screens, a client built without it), re-rendering the caller on changes.
export function useE2EE(): E2EE | undefined {
  const app = useContext(AppContext) as { e2ee?: E2EE } | null;
  const e2ee = app?.e2ee;
  const [, bump] = useReducer<number, undefined>((n) => n + 1, 0);
  useEffect(() => (e2ee ? e2ee.subscribe(() => bump(undefined)) : undefined), [e2ee]);
  return e2ee;
}

// e2eeOf: what the engine set on a message of an encrypted room.
export function e2eeOf(m: Message): MessageE2EE | undefined {
  return m.e2ee as MessageE2EE | undefined;
}

// useE2EEHandle: the engine without subscribing to it (for what acts on a
// click, or reads message fields the chat state already re-renders for).
export function useE2EEHandle(): E2EE | undefined {
  const app = useContext(AppContext) as { e2ee?: E2EE } | null;
  return app?.e2ee;
}
