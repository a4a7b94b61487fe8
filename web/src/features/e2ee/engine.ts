// The end-to-end encryption engine (issue 19, docs/E2EE.md): the parts
// (device and status, trust, room keys, messages, files, verification)
// composed into the backend of client.e2ee (state/e2ee.ts) and a chat
// feature: it sees frames before the store (plaintext in place), sends and
// edits of encrypted rooms (encrypted on the way out) and the pushes of
// the key directory.
import type { Message, ServerEvent } from "../../api/protocol.gen";
import type { Payload } from "../../api/socket";
import type { ChatFeature } from "../../state/chat";
import type { E2EE, E2EEBackend, E2EEFileKey } from "../../state/e2ee";
import type { ServerFrame } from "../../state/types";
import { Core, type EngineDeps } from "./engineCore";
import { DeviceKeys } from "./engineDevice";
import { Files, type EncryptedUpload } from "./engineFiles";
import { Messages } from "./engineMessages";
import { RoomKeys } from "./engineRoomKeys";
import { Trust } from "./engineTrust";
import { Verification } from "./engineVerify";

export type { EngineDeps, KeyStoreLike } from "./engineCore";

export class Engine implements E2EEBackend, ChatFeature {
  readonly core: Core;
  readonly trust: Trust;
  readonly keys: RoomKeys;
  readonly messages: Messages;
  readonly files: Files;
  readonly device: DeviceKeys;
  readonly verification: Verification;

  constructor(deps: EngineDeps, view: E2EE) {
    this.core = new Core(deps, view);
    this.trust = new Trust(this.core);
    this.keys = new RoomKeys(this.core, this.trust);
    this.messages = new Messages(this.core, this.keys, this.trust);
    this.files = new Files(this.core);
    this.messages.fileKeyOf = (k) => this.files.fileKeyOf(k);
    this.device = new DeviceKeys(this.core, this.trust, this.keys);
    this.verification = new Verification(this.core, this.trust, {
      adopt: (bk, sealed) => this.device.adopt(bk, sealed),
      sealedIdentity: () => this.device.sealedIdentity(),
    });
    this.core.onKeys = (roomId, epoch) => (roomId ? this.messages.retry(roomId, epoch) : this.messages.retryAll());
    // My keys changed elsewhere (a device signed or removed, a reset):
    // register again if this device is gone (a reset deletes the others),
    // and work out the status.
    this.core.onSelfChanged = async () => {
      await this.device.connected();
      this.messages.retryAll();
      // The devices list is on screen (it was read): keep it current.
      if (this.core.view.devices.length > 0) await this.device.refreshDevices();
    };
    this.core.onWiped = () => {
      this.messages.reset();
      this.files.reset();
    };
    view.attach(this);
  }

  get view(): E2EE {
    return this.core.view;
  }

  // ---- chat feature ----

  transform(ev: ServerFrame): ServerFrame {
    return this.messages.transform(ev);
  }

  outgoing(payload: Payload, request: (p: Payload) => Promise<ServerEvent>): Promise<ServerEvent> | null {
    return this.messages.outgoing(payload, request);
  }

  // A background task: its failure is logged, never thrown at the chat.
  private bg(what: string, p: Promise<unknown>): void {
    const done = p.catch((err) => {
      this.core.log(what, err);
    });
    this.inFlight.add(done);
    void done.finally(() => this.inFlight.delete(done));
  }

  // The background work started by pushes (key fetches, verification
  // steps, key changes) not yet finished.
  private readonly inFlight = new Set<Promise<unknown>>();

  // idle resolves once no background work is left, including what that
  // work started meanwhile.
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  onEvent(ev: ServerFrame): void {
    switch (ev.type) {
      case "state":
        this.core.connecting = this.device.connected().catch((err) => this.core.log("connect", err));
        this.bg(
          "connect",
          this.core.connecting.then(() => {
            this.messages.retryAll();
            return this.refreshPeople();
          }),
        );
        for (const r of ev.rooms) this.keys.noteRoom(r);
        return;
      case "room":
      case "roomAdded":
      case "roomUpdated":
        this.keys.noteRoom(ev.room);
        return;
      case "roomKeys":
        // A push (no requestId): keys were shared with this device.
        if (!ev.requestId && this.core.device) this.bg("room keys", this.keys.fetch(ev.roomId));
        return;
      case "keysChanged":
        this.trust.forget(ev.userId);
        if (ev.userId === this.core.userId) this.bg("keys changed", this.core.onSelfChanged());
        else this.bg("keys changed", this.trust.get([ev.userId], true));
        return;
      case "deviceRemoved":
        if (ev.deviceId === this.core.deviceId) this.bg("device removed", this.device.removed());
        else this.bg("devices", this.device.refreshDevices());
        return;
      case "deviceMessage": {
        const body = (ev.body ?? {}) as unknown as Record<string, unknown>;
        if (!body || typeof body !== "object") return;
        const type = typeof body.type === "string" ? body.type : "";
        if (type === "key.request") this.bg("key request", this.keys.answer(ev.fromUserId, ev.fromDeviceId, body));
        else if (type.startsWith("verify.")) this.bg("verification", this.verification.onMessage(ev.fromUserId, ev.fromDeviceId, body));
        return;
      }
    }
  }

  // refreshPeople reads the keys of everyone in my encrypted rooms (pins
  // the new, warns of changed ones): keysChanged pushes missed while away.
  private async refreshPeople(): Promise<void> {
    const s = this.core.deps.state();
    const ids = new Set<string>();
    for (const r of Object.values(s.rooms)) if (r.encrypted) for (const id of this.core.memberIdsKnown(r.roomId)) if (id !== this.core.userId) ids.add(id);
    if (ids.size > 0 && this.core.view.status !== "unsupported") await this.trust.get([...ids], true);
  }

  onStop(): void {
    this.files.reset();
  }

  // start: open the keystore now (before the first connection).
  start(): Promise<void> {
    return this.device.start();
  }

  // ---- uploads (features/uploads.ts) ----

  encryptsUploads(roomId: string): boolean {
    return this.files.active(roomId);
  }

  encryptUpload(file: Blob, name: string, type: string): Promise<EncryptedUpload> {
    return this.files.encrypt(file, name, type);
  }

  // ---- E2EEBackend ----

  setup(passphrase: string): Promise<void> {
    return this.device.setup(passphrase);
  }
  recover(passphrase: string): Promise<void> {
    return this.device.recover(passphrase);
  }
  changePassphrase(passphrase: string): Promise<void> {
    return this.device.changePassphrase(passphrase);
  }
  resetEncryption(passphrase: string): Promise<void> {
    return this.device.resetEncryption(passphrase);
  }
  refreshDevices(): Promise<void> {
    return this.device.refreshDevices();
  }
  removeDevice(deviceId: string): Promise<void> {
    return this.device.removeDevice(deviceId);
  }
  startVerification(deviceId: string): Promise<void> {
    return this.verification.start(deviceId);
  }
  acceptVerification(): Promise<void> {
    return this.verification.accept();
  }
  confirmSas(): Promise<void> {
    return this.verification.confirm();
  }
  async cancelVerification(reason?: string): Promise<void> {
    this.verification.cancel(reason);
  }
  safetyNumber(userId: string): Promise<string> {
    return this.trust.safetyNumber(userId);
  }
  isVerified(userId: string): boolean {
    return this.trust.isVerified(userId);
  }
  async markVerified(userId: string): Promise<void> {
    const changed = this.core.view.keyWarnings.has(userId);
    await this.trust.pin(userId, true);
    if (changed) this.bg("share after key change", this.keys.shareWith(userId));
  }
  async acceptKeyChange(userId: string): Promise<void> {
    await this.trust.pin(userId, false);
    this.bg("share after key change", this.keys.shareWith(userId));
  }
  canSend(roomId: string): { ok: boolean; reason?: string } {
    return this.messages.canSend(roomId);
  }
  openFile(roomId: string, seq: number, file: E2EEFileKey): Promise<Blob> {
    return this.files.open(roomId, seq, file);
  }
  fileUrl(roomId: string, seq: number, file: E2EEFileKey): Promise<string> {
    return this.files.url(roomId, seq, file);
  }
  reportPlaintext(roomId: string, seq: number): string | undefined {
    return this.messages.plaintext(roomId, seq);
  }
  decryptMessages(messages: Message[]): Promise<Message[]> {
    return this.messages.decryptList(messages);
  }
}
