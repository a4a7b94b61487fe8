// End-to-end encryption (issue 19) as the screens see it: the E2EE class
// (client.e2ee) holds what the settings, the verification dialog and the
// banners show, and forwards the person's intents to the engine
// (features/e2ee/engine.ts), which does the protocol and the crypto and
// keeps these fields current. The slice reducer below applies the engine's
// decryptions to the messages held in the chat state, in place.
import type { Message } from "../api/protocol.gen";
import type { DecryptedItem, E2EEFileKey, SliceReducer, ChatState } from "./types";

export type { DecryptedItem, E2EEFileKey, MessageE2EE } from "./types";

// off: the person never set up encryption (no identity key); recovery-
// needed: they have, but THIS device is not signed yet; unsupported: no
// WebCrypto or IndexedDB here.
export type E2EEStatus = "loading" | "unsupported" | "off" | "recovery-needed" | "ready";

export interface DeviceView {
  deviceId: string;
  name: string;
  createdAt: string;
  lastSeenAt?: string;
  verified: boolean; // signed by the person's identity key (checked here)
  current: boolean; // this browser
}

export type VerificationStage = "requested" | "incoming" | "compare" | "waiting-other" | "done" | "cancelled";

export interface VerificationView {
  txn: string;
  otherDeviceId: string;
  otherDeviceName: string;
  stage: VerificationStage;
  numbers?: [number, number, number];
  reason?: string;
}

export type KeyWarning = "changed" | "changed-verified";

// E2EEBackend is what the engine does for the intents below.
export interface E2EEBackend {
  setup(passphrase: string): Promise<void>;
  recover(passphrase: string): Promise<void>;
  changePassphrase(passphrase: string): Promise<void>;
  resetEncryption(passphrase: string): Promise<void>;
  refreshDevices(): Promise<void>;
  removeDevice(deviceId: string): Promise<void>;
  startVerification(deviceId: string): Promise<void>;
  acceptVerification(): Promise<void>;
  confirmSas(): Promise<void>;
  cancelVerification(reason?: string): Promise<void>;
  safetyNumber(userId: string): Promise<string>;
  isVerified(userId: string): boolean;
  markVerified(userId: string): Promise<void>;
  acceptKeyChange(userId: string): Promise<void>;
  canSend(roomId: string): { ok: boolean; reason?: string };
  openFile(roomId: string, seq: number, file: E2EEFileKey): Promise<Blob>;
  fileUrl(roomId: string, seq: number, file: E2EEFileKey): Promise<string>;
  reportPlaintext(roomId: string, seq: number): string | undefined;
  decryptMessages(messages: Message[]): Promise<Message[]>;
}

export interface E2EEFields {
  status: E2EEStatus;
  deviceId: string | undefined;
  devices: DeviceView[];
  verification: VerificationView | null;
  keyWarnings: Map<string, KeyWarning>;
  // This device holds the identity key (it can verify other devices and
  // change the passphrase). A device verified by another one has it only
  // once that device sent it, or after recovery with the passphrase.
  hasIdentity: boolean;
  // The last error of the background work (registering this device…).
  error: string;
}

const notReady = () => Promise.reject(new Error("Encryption is not available yet"));

export class E2EE implements E2EEFields {
  status: E2EEStatus = "loading";
  deviceId: string | undefined = undefined;
  devices: DeviceView[] = [];
  verification: VerificationView | null = null;
  keyWarnings = new Map<string, KeyWarning>();
  hasIdentity = false;
  error = "";
  private backend: E2EEBackend | null = null;
  private listeners = new Set<() => void>();

  // attach: the engine that carries out the intents.
  attach(backend: E2EEBackend): void {
    this.backend = backend;
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  // update is the engine's: change fields and tell the listeners.
  update(patch: Partial<E2EEFields>): void {
    Object.assign(this, patch);
    for (const fn of [...this.listeners]) fn();
  }

  setup(passphrase: string): Promise<void> {
    return this.backend ? this.backend.setup(passphrase) : notReady();
  }
  recover(passphrase: string): Promise<void> {
    return this.backend ? this.backend.recover(passphrase) : notReady();
  }
  changePassphrase(passphrase: string): Promise<void> {
    return this.backend ? this.backend.changePassphrase(passphrase) : notReady();
  }
  resetEncryption(passphrase: string): Promise<void> {
    return this.backend ? this.backend.resetEncryption(passphrase) : notReady();
  }
  refreshDevices(): Promise<void> {
    return this.backend ? this.backend.refreshDevices() : notReady();
  }
  removeDevice(deviceId: string): Promise<void> {
    return this.backend ? this.backend.removeDevice(deviceId) : notReady();
  }
  startVerification(deviceId: string): Promise<void> {
    return this.backend ? this.backend.startVerification(deviceId) : notReady();
  }
  acceptVerification(): Promise<void> {
    return this.backend ? this.backend.acceptVerification() : notReady();
  }
  confirmSas(): Promise<void> {
    return this.backend ? this.backend.confirmSas() : notReady();
  }
  cancelVerification(reason?: string): Promise<void> {
    return this.backend ? this.backend.cancelVerification(reason) : notReady();
  }
  safetyNumber(userId: string): Promise<string> {
    return this.backend ? this.backend.safetyNumber(userId) : notReady();
  }
  isVerified(userId: string): boolean {
    return this.backend?.isVerified(userId) ?? false;
  }
  markVerified(userId: string): Promise<void> {
    return this.backend ? this.backend.markVerified(userId) : notReady();
  }
  acceptKeyChange(userId: string): Promise<void> {
    return this.backend ? this.backend.acceptKeyChange(userId) : notReady();
  }
  canSend(roomId: string): { ok: boolean; reason?: string } {
    return this.backend?.canSend(roomId) ?? { ok: false, reason: "Encryption is not available yet" };
  }
  openFile(roomId: string, seq: number, file: E2EEFileKey): Promise<Blob> {
    return this.backend ? this.backend.openFile(roomId, seq, file) : notReady();
  }
  fileUrl(roomId: string, seq: number, file: E2EEFileKey): Promise<string> {
    return this.backend ? this.backend.fileUrl(roomId, seq, file) : notReady();
  }
  reportPlaintext(roomId: string, seq: number): string | undefined {
    return this.backend?.reportPlaintext(roomId, seq);
  }
  // decryptMessages: copies of messages a list holds outside the chat state
  // (pins, saved items, search around), encrypted ones decrypted (text and
  // e2ee as in the state); plain ones as they are.
  decryptMessages(messages: Message[]): Promise<Message[]> {
    return this.backend ? this.backend.decryptMessages(messages) : Promise.resolve(messages);
  }
}

// ---- the slice: decryptions applied in place ----

// applyItems returns the list with each matching message (same seq, same
// ciphertext) given its plaintext and e2ee field; the same array when none
// matched.
function applyItems(list: Message[] | undefined, bySeq: Map<number, DecryptedItem>): Message[] | undefined {
  if (!list) return list;
  let changed = false;
  const out = list.map((m) => {
    const it = bySeq.get(m.seq);
    if (!it || !m.encrypted || m.encrypted.iv !== it.iv || m.encrypted.ct !== it.ct) return m;
    changed = true;
    return { ...m, text: it.text, e2ee: it.e2ee };
  });
  return changed ? out : list;
}

function applyOne(m: Message | undefined, roomId: string, bySeq: Map<number, DecryptedItem>): Message | undefined {
  if (!m || m.roomId !== roomId) return m;
  return applyItems([m], bySeq)![0];
}

export const reduceE2EE: SliceReducer = (state, action): ChatState => {
  if (action.type !== "local/decrypted" || action.items.length === 0) return state;
  const { roomId } = action;
  const bySeq = new Map(action.items.map((it) => [it.seq, it]));
  let next = state;
  const msgs = applyItems(state.messages[roomId], bySeq);
  if (msgs !== state.messages[roomId]) next = { ...next, messages: { ...next.messages, [roomId]: msgs! } };
  let threads = next.threads;
  for (const [key, v] of Object.entries(next.threads)) {
    if (v.roomId !== roomId) continue;
    const replies = applyItems(v.replies, bySeq)!;
    const parent = applyOne(v.parent, roomId, bySeq);
    if (replies !== v.replies || parent !== v.parent) threads = { ...threads, [key]: { ...v, replies, parent } };
  }
  if (threads !== next.threads) next = { ...next, threads };
  let followed = next.followed;
  for (const [key, f] of Object.entries(next.followed)) {
    if (f.roomId !== roomId) continue;
    const parent = applyOne(f.parent, roomId, bySeq)!;
    if (parent !== f.parent) followed = { ...followed, [key]: { ...f, parent } };
  }
  if (followed !== next.followed) next = { ...next, followed };
  return next;
};

// isEncryptedRoom: the room is end-to-end encrypted.
export function isEncryptedRoom(state: ChatState, roomId: string): boolean {
  return !!state.rooms[roomId]?.encrypted;
}

// mentionIds resolves "@name" mentions of text against the people given
// (handle, username or display name, case-insensitive, longest match; as
// the server's resolveMentions does for plain rooms): the user ids, in
// order of first appearance. Encrypted rooms send them with the message.
export function mentionIds(text: string, people: { userId: string; username?: string; displayName?: string; handle?: string }[]): string[] {
  const lower = text.toLowerCase();
  const src = lower.length === text.length ? lower : text;
  const out: string[] = [];
  const cont = /[\p{L}\p{N}_-]/u;
  const sorted = [...people].sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
  for (let i = 0; i < src.length; i++) {
    if (src[i] !== "@") continue;
    if (i > 0 && /[\p{L}\p{N}]/u.test(src[i - 1])) continue;
    const at = i + 1;
    let best = "";
    let bestLen = 0;
    for (const p of sorted) {
      for (const name of [p.username, p.displayName, p.handle]) {
        const n = (name ?? "").toLowerCase();
        if (!n || n.length <= bestLen || !src.startsWith(n, at)) continue;
        const next = src[at + n.length];
        if (next !== undefined && cont.test(next)) continue;
        best = p.userId;
        bestLen = n.length;
      }
    }
    if (best && !out.includes(best)) out.push(best);
  }
  return out;
}
