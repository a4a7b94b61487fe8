// This device and the person's keys: the device key (made once, kept in
// IndexedDB, registered on every connection), the status (from the
// person's identity key on the server and whether this device is signed),
// setting up encryption, recovering it with the passphrase, changing the
// passphrase, resetting, and the list of devices.
import type { Device } from "../../api/protocol.gen";
import type { DeviceView } from "../../state/e2ee";
import {
  MIN_PASSPHRASE_LENGTH,
  deriveBackupSecrets,
  generateDeviceKey,
  generateIdentity,
  identityPublicKey,
  importIdentity,
  newBackupKdf,
  newBackupKey,
  newDeviceId,
  normalizePassphrase,
  openIdentity,
  sealIdentity,
  signDevice,
  unwrapBackupKey,
  wrapBackupKey,
} from "./crypto";
import { errCode, fail, type Core } from "./engineCore";
import type { RoomKeys } from "./engineRoomKeys";
import type { Trust } from "./engineTrust";

export class DeviceKeys {
  private booting: Promise<void> | null = null;
  // One change of this device's keys or status at a time (a keysChanged
  // push must not compute a status from before a recovery it overtakes).
  private lock: Promise<unknown> = Promise.resolve();

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.lock.then(fn, fn);
    this.lock = p.catch(() => {});
    return p;
  }

  // ---- the entry points (serialised) ----

  connected(): Promise<void> {
    return this.serial(() => this.connectedNow());
  }
  refreshStatus(): Promise<void> {
    return this.serial(() => this.statusNow());
  }
  setup(passphrase: string): Promise<void> {
    return this.serial(() => this.setupNow(passphrase));
  }
  resetEncryption(passphrase: string): Promise<void> {
    return this.serial(() => this.resetNow(passphrase));
  }
  recover(passphrase: string): Promise<void> {
    return this.serial(() => this.recoverNow(passphrase));
  }
  adopt(bk: Uint8Array, sealedIdentity: string | undefined): Promise<void> {
    return this.serial(() => this.adoptNow(bk, sealedIdentity));
  }
  changePassphrase(passphrase: string): Promise<void> {
    return this.serial(() => this.changeNow(passphrase));
  }
  removed(): Promise<void> {
    return this.serial(() => this.removedNow());
  }

  constructor(
    private readonly core: Core,
    private readonly trust: Trust,
    private readonly keys: RoomKeys,
  ) {}

  // ---- bootstrap ----

  // start opens the keystore and loads (or makes) the device key; then
  // connected() registers it on each connection.
  start(): Promise<void> {
    this.booting ??= this.load().catch((err) => {
      this.core.log("e2ee start", err);
      this.core.view.update({ status: "unsupported", error: String(err instanceof Error ? err.message : err) });
    });
    return this.booting;
  }

  private async load(): Promise<void> {
    if (this.core.deps.supported && !this.core.deps.supported()) {
      this.core.view.update({ status: "unsupported" });
      return;
    }
    const ks = await this.core.deps.openKeystore(this.core.userId);
    this.core.ks = ks;
    let device = await ks.getDevice();
    if (!device) device = await this.newDevice();
    this.core.device = device;
    this.core.identity = (await ks.getIdentity()) ?? null;
    this.core.bk = (await ks.getBackupKey()) ?? null;
    await this.trust.load();
    this.core.view.update({ deviceId: device.deviceId, hasIdentity: !!this.core.identity });
  }

  private async newDevice() {
    const k = await generateDeviceKey();
    const device = { deviceId: newDeviceId(), privateKey: k.privateKey, publicKey: k.publicKey };
    await this.core.ks!.putDevice(device);
    return device;
  }

  // connected: a (re)connection: register this device on it (the server
  // routes device messages by it) and work out the status.
  private async connectedNow(): Promise<void> {
    await this.start();
    if (this.core.view.status === "unsupported" || !this.core.device) return;
    const storage = this.core.deps.storage;
    // Removed from another device while this one was away: start over.
    const me = await this.trust.one(this.core.userId, true);
    if (me && storage?.getItem(this.core.registeredKey(this.core.deviceId)) && !me.devices.some((d) => d.deviceId === this.core.deviceId)) {
      await this.wipe();
    }
    try {
      await this.core.registerDevice(this.core.device);
    } catch (err) {
      if (errCode(err) !== "conflict") throw err;
      // The id is taken with another key (cannot be ours): a new device.
      this.core.device = await this.newDevice();
      await this.core.registerDevice(this.core.device);
      this.core.view.update({ deviceId: this.core.deviceId });
    }
    storage?.setItem(this.core.registeredKey(this.core.deviceId), "1");
    await this.statusNow();
  }

  // refreshStatus: off / recovery-needed / ready from the server's keys.
  private async statusNow(): Promise<void> {
    const me = await this.trust.one(this.core.userId, true);
    const identityKey = me?.identityKey ?? "";
    this.core.serverIdentity = identityKey;
    if (this.core.identity && this.core.identity.publicKey !== identityKey) {
      // Reset elsewhere (or never registered): the old identity and backup
      // key are of no use any more.
      this.core.identity = null;
      await this.core.ks?.deleteIdentity();
      if (identityKey) {
        this.core.bk = null;
        await this.core.ks?.deleteBackupKey();
        this.core.deps.storage?.removeItem(this.core.sealedIdentityKey());
      }
    }
    const mine = me?.devices.find((d) => d.deviceId === this.core.deviceId);
    const signed = !!mine && (await this.trust.signed(identityKey, mine));
    const status = !identityKey ? "off" : signed ? "ready" : "recovery-needed";
    this.core.view.update({ status, hasIdentity: !!this.core.identity, error: "" });
  }

  // ---- setting up, recovering ----

  private checkPassphrase(passphrase: string): void {
    if (normalizePassphrase(passphrase).length < MIN_PASSPHRASE_LENGTH) throw fail(`Choose a passphrase of at least ${MIN_PASSPHRASE_LENGTH} characters.`);
  }

  private kdf() {
    return this.core.deps.newKdf ? this.core.deps.newKdf() : newBackupKdf();
  }

  // setup: the person's first device: an identity key, this device signed,
  // and the key backup under the passphrase.
  private async setupNow(passphrase: string): Promise<void> {
    await this.start();
    this.checkPassphrase(passphrase);
    if (this.core.view.status === "ready" || this.core.view.status === "recovery-needed") throw fail("Encryption is set up already: recover it with your passphrase.");
    await this.establish(passphrase, false);
  }

  // resetEncryption: a new identity (the server forgets the other devices,
  // the backup and its keys); this device keeps the room keys it holds and
  // puts them into the new backup.
  private async resetNow(passphrase: string): Promise<void> {
    await this.start();
    this.checkPassphrase(passphrase);
    await this.establish(passphrase, true);
    await this.keys.backupAll().catch((err) => this.core.log("backup after reset", err));
  }

  private async establish(passphrase: string, reset: boolean): Promise<void> {
    const id = await generateIdentity();
    const bk = newBackupKey();
    const kdf = this.kdf();
    const [secrets, sealed] = await Promise.all([deriveBackupSecrets(passphrase, kdf, this.core.deps.kdfOptions), sealIdentity(bk, this.core.userId, id.pkcs8)]);
    id.pkcs8.fill(0);
    await this.core.deps.request({ action: "setIdentityKey", identityKey: id.publicKey, reset: reset || undefined });
    const identity = { privateKey: id.privateKey, publicKey: id.publicKey };
    this.core.identity = identity;
    await this.core.ks!.putIdentity(identity);
    this.core.serverIdentity = id.publicKey;
    await this.signOwn();
    const wrappedKey = await wrapBackupKey(secrets.kek, bk);
    await this.core.deps.request({ action: "setKeyBackup", kdf, proof: secrets.proof, wrappedKey, identity: sealed });
    this.core.bk = bk;
    await this.core.ks!.putBackupKey(bk);
    this.core.deps.storage?.setItem(this.core.sealedIdentityKey(), sealed);
    this.trust.forget(this.core.userId);
    await this.statusNow();
  }

  private async signOwn(): Promise<void> {
    const d = this.core.device!;
    const sig = await signDevice(this.core.identity!.privateKey, this.core.userId, d.deviceId, d.publicKey);
    await this.core.signDeviceReq(d.deviceId, sig);
    this.trust.forget(this.core.userId);
  }

  // recover: the passphrase opens the backup: the backup key, the identity
  // (this device signs itself) and the room keys.
  private async recoverNow(passphrase: string): Promise<void> {
    await this.start();
    const info = await this.core.keyBackup();
    if (!info.exists || !info.kdf) throw fail("There is no key backup to recover from. Reset encryption to start again.");
    const secrets = await deriveBackupSecrets(passphrase, info.kdf as never, this.core.deps.kdfOptions);
    let full;
    try {
      full = await this.core.keyBackup(secrets.proof);
    } catch (err) {
      if (errCode(err) === "forbidden") {
        let left: number | undefined;
        try {
          left = (await this.core.keyBackup()).attemptsLeft;
        } catch {
          left = undefined;
        }
        if (left === 0) throw fail("Too many wrong passphrases: try again tomorrow.");
        throw fail(left === undefined ? "Wrong passphrase" : `Wrong passphrase (${left} ${left === 1 ? "attempt" : "attempts"} left)`);
      }
      throw err;
    }
    if (!full.wrappedKey || !full.identity) throw fail("The key backup is incomplete.");
    const bk = await unwrapBackupKey(secrets.kek, full.wrappedKey);
    await this.adoptNow(bk, full.identity);
  }

  // adopt: with the backup key (from the passphrase or a verifying device)
  // and the sealed identity (if known): take the identity, sign this device
  // (if not signed yet) and read the backup's room keys.
  private async adoptNow(bk: Uint8Array, sealedIdentity: string | undefined): Promise<void> {
    this.core.bk = bk;
    await this.core.ks!.putBackupKey(bk);
    if (sealedIdentity) {
      const pkcs8 = await openIdentity(bk, this.core.userId, sealedIdentity);
      const publicKey = await identityPublicKey(pkcs8);
      const me = await this.trust.one(this.core.userId, true);
      if (me?.identityKey && me.identityKey !== publicKey) throw fail("The key backup does not match your current identity.");
      const privateKey = await importIdentity(pkcs8);
      pkcs8.fill(0);
      this.core.identity = { privateKey, publicKey };
      await this.core.ks!.putIdentity(this.core.identity);
      this.core.deps.storage?.setItem(this.core.sealedIdentityKey(), sealedIdentity);
      const mine = me?.devices.find((d) => d.deviceId === this.core.deviceId);
      if (!mine || !(await this.trust.signed(me?.identityKey, mine))) await this.signOwn();
    }
    await this.statusNow();
    await this.keys.readBackup(true);
    this.core.onKeys("", 0);
  }

  // changePassphrase: the same backup key under a new passphrase.
  private async changeNow(passphrase: string): Promise<void> {
    await this.start();
    this.checkPassphrase(passphrase);
    const bk = this.core.bk;
    const sealed = this.core.deps.storage?.getItem(this.core.sealedIdentityKey());
    if (!bk || !sealed || this.core.view.status !== "ready") throw fail("Recover your keys with your current passphrase on this device first.");
    const kdf = this.kdf();
    const secrets = await deriveBackupSecrets(passphrase, kdf, this.core.deps.kdfOptions);
    await this.core.deps.request({ action: "setKeyBackup", kdf, proof: secrets.proof, wrappedKey: await wrapBackupKey(secrets.kek, bk), identity: sealed });
  }

  // sealedIdentity: the identity sealed under BK, if this device has it.
  sealedIdentity(): string | undefined {
    return this.core.deps.storage?.getItem(this.core.sealedIdentityKey()) ?? undefined;
  }

  // ---- devices ----

  async refreshDevices(): Promise<void> {
    const list = await this.core.listDevices();
    const identityKey = this.core.serverIdentity || (await this.trust.one(this.core.userId, true))?.identityKey;
    const views: DeviceView[] = [];
    for (const d of list) views.push(await this.view(d, identityKey));
    views.sort((a, b) => Number(b.current) - Number(a.current) || a.createdAt.localeCompare(b.createdAt));
    this.core.view.update({ devices: views });
  }

  private async view(d: Device, identityKey: string | undefined): Promise<DeviceView> {
    return { deviceId: d.deviceId, name: d.name, createdAt: d.createdAt, lastSeenAt: d.lastSeenAt, verified: await this.trust.signed(identityKey, d), current: d.deviceId === this.core.deviceId };
  }

  async removeDevice(deviceId: string): Promise<void> {
    if (deviceId === this.core.deviceId) throw fail("This is the device you are using.");
    await this.core.deps.request({ action: "removeDevice", deviceId });
    this.trust.forget(this.core.userId);
    await this.refreshDevices();
  }

  // removed: this device was removed (from another one): its keys go, a
  // new device key is made and registered, unsigned.
  private async removedNow(): Promise<void> {
    await this.wipe();
    await this.connectedNow();
  }

  // wipe forgets every key of this browser (a new device key follows).
  async wipe(): Promise<void> {
    const old = this.core.deviceId;
    await this.core.ks?.wipe();
    this.core.deps.storage?.removeItem(this.core.registeredKey(old));
    this.core.deps.storage?.removeItem(this.core.sealedIdentityKey());
    this.core.identity = null;
    this.core.bk = null;
    this.keys.reset();
    this.trust.reset();
    this.core.onWiped();
    this.core.ks = await this.core.deps.openKeystore(this.core.userId);
    this.core.device = await this.newDevice();
    this.core.view.update({ deviceId: this.core.deviceId, status: "recovery-needed", hasIdentity: false, devices: [] });
  }
}
