// The UI's view of the encryption engine (client.e2ee, web/src/state/e2ee.ts;
// see CONTRACT "THE CLIENT ENGINE API"): a hook that re-renders on its
// changes, and the client-only `e2ee` field of a decrypted message.
// TEMPORARY: the types below stand in for the engine's until it is merged.
import { useContext, useEffect, useReducer } from "preact/hooks";
import type { Message } from "../../api/protocol.gen";
import { AppContext } from "../common/context";

export type E2EEStatus = "loading" | "unsupported" | "off" | "recovery-needed" | "ready";

export interface DeviceView {
  deviceId: string;
  name: string;
  createdAt: string;
  lastSeenAt?: string;
  verified: boolean;
  current: boolean;
}

export interface VerificationView {
  txn: string;
  otherDeviceId: string;
  otherDeviceName: string;
  stage: "requested" | "incoming" | "compare" | "waiting-other" | "done" | "cancelled";
  numbers?: [number, number, number];
  reason?: string;
}

export interface FileKey {
  key: string;
  k: string;
  iv: string;
  name: string;
  type: string;
  size: number;
  sha256: string;
}

export interface MessageE2EE {
  files?: FileKey[];
  error?: "no-key" | "bad-device" | "tampered";
  pending?: boolean;
}

export interface E2EE {
  status: E2EEStatus;
  deviceId: string | undefined;
  subscribe(fn: () => void): () => void;
  setup(passphrase: string): Promise<void>;
  recover(passphrase: string): Promise<void>;
  changePassphrase(passphrase: string): Promise<void>;
  resetEncryption(passphrase: string): Promise<void>;
  devices: DeviceView[];
  refreshDevices(): Promise<void>;
  removeDevice(deviceId: string): Promise<void>;
  verification: VerificationView | null;
  startVerification(deviceId: string): Promise<void>;
  acceptVerification(): Promise<void>;
  confirmSas(): Promise<void>;
  cancelVerification(reason?: string): Promise<void>;
  safetyNumber(userId: string): Promise<string>;
  isVerified(userId: string): boolean;
  markVerified(userId: string): Promise<void>;
  keyWarnings: Map<string, "changed" | "changed-verified">;
  acceptKeyChange(userId: string): Promise<void>;
  canSend(roomId: string): { ok: boolean; reason?: string };
  openFile(roomId: string, seq: number, file: FileKey): Promise<Blob>;
  fileUrl(roomId: string, seq: number, file: FileKey): Promise<string>;
  reportPlaintext(roomId: string, seq: number): string | undefined;
}

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
  return (m as Message & { e2ee?: MessageE2EE }).e2ee;
}

// ready: encryption is set up on this device.
export const e2eeReady = (e2ee: E2EE | undefined) => e2ee?.status === "ready";

// useE2EEHandle: the engine without subscribing to it (for what acts on a
// click, or reads message fields the chat state already re-renders for).
export function useE2EEHandle(): E2EE | undefined {
  const app = useContext(AppContext) as { e2ee?: E2EE } | null;
  return app?.e2ee;
}
