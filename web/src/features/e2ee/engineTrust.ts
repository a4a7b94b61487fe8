// Whom the engine trusts: people's identity keys pinned on first sight
// (TOFU), the key change warnings, which devices are signed by their
// person's identity key, and safety numbers.
import type { Device, UserKeys } from "../../api/protocol.gen";
import type { KeyWarning } from "../../state/e2ee";
import { verifyDevice } from "./crypto";
import { safetyNumber } from "./safety";
import type { Core, PinnedIdentity } from "./engineCore";

const USER_KEYS_TTL_MS = 5 * 60_000;

export class Trust {
  private cache = new Map<string, { keys: UserKeys; at: number }>();
  private pins = new Map<string, PinnedIdentity>();
  private verified = new Map<string, boolean>();

  constructor(private readonly core: Core) {}

  // load reads the pinned identities of this browser.
  async load(): Promise<void> {
    this.pins.clear();
    for (const p of (await this.core.ks?.listPins()) ?? []) this.pins.set(p.userId, p);
  }

  reset(): void {
    this.cache.clear();
    this.pins.clear();
    this.verified.clear();
    this.core.view.update({ keyWarnings: new Map() });
  }

  forget(userId: string): void {
    this.cache.delete(userId);
  }

  // get returns people's keys (cached a few minutes; fresh: ask anyway),
  // noting identity changes on the way.
  async get(userIds: string[], fresh = false): Promise<Map<string, UserKeys>> {
    const now = this.core.now();
    const want = [...new Set(userIds)].filter((id) => fresh || !this.cache.has(id) || now - this.cache.get(id)!.at > USER_KEYS_TTL_MS);
    if (want.length > 0) {
      const users = await this.core.userKeys(want);
      for (const u of users) this.cache.set(u.userId, { keys: u, at: now });
      await this.observe(users);
    }
    const out = new Map<string, UserKeys>();
    for (const id of userIds) {
      const hit = this.cache.get(id);
      if (hit) out.set(id, hit.keys);
    }
    return out;
  }

  async one(userId: string, fresh = false): Promise<UserKeys | undefined> {
    return (await this.get([userId], fresh)).get(userId);
  }

  // observe pins first-seen identity keys and warns of changed ones.
  async observe(users: UserKeys[]): Promise<void> {
    const warnings = new Map(this.core.view.keyWarnings);
    let changed = false;
    for (const u of users) {
      if (u.userId === this.core.userId || !u.identityKey) continue;
      const pin = this.pins.get(u.userId);
      if (!pin) {
        const p: PinnedIdentity = { userId: u.userId, identityKey: u.identityKey, verified: false, firstSeen: this.core.now() };
        this.pins.set(u.userId, p);
        await this.core.ks?.putPin(p);
      } else if (pin.identityKey !== u.identityKey) {
        const w: KeyWarning = pin.verified ? "changed-verified" : "changed";
        if (warnings.get(u.userId) !== w) {
          warnings.set(u.userId, w);
          changed = true;
        }
      } else if (warnings.delete(u.userId)) changed = true;
    }
    if (changed) this.core.view.update({ keyWarnings: warnings });
  }

  // blocked: a verified person's key changed and the change was not
  // accepted: nothing is sent to them until it is.
  blocked(userId: string): boolean {
    return this.core.view.keyWarnings.get(userId) === "changed-verified";
  }

  isVerified(userId: string): boolean {
    return !!this.pins.get(userId)?.verified && !this.core.view.keyWarnings.has(userId);
  }

  // signed: does the device's signature verify under the identity key?
  async signed(identityKey: string | undefined, d: Device): Promise<boolean> {
    if (!identityKey || !d.signature) return false;
    const k = [identityKey, d.userId, d.deviceId, d.publicKey, d.signature].join("\n");
    const hit = this.verified.get(k);
    if (hit !== undefined) return hit;
    let ok = false;
    try {
      ok = await verifyDevice(identityKey, d.userId, d.deviceId, d.publicKey, d.signature);
    } catch {
      ok = false;
    }
    this.verified.set(k, ok);
    return ok;
  }

  // trustedIdentity: the identity key a person's devices must be signed
  // by: the one pinned for them (a changed key counts only once the change
  // was accepted), my own as the server has it.
  trustedIdentity(u: UserKeys | undefined): string | undefined {
    if (!u?.identityKey) return undefined;
    if (u.userId === this.core.userId) return u.identityKey;
    return this.pins.get(u.userId)?.identityKey ?? u.identityKey;
  }

  // signedDevices: a person's devices that their trusted identity signed.
  async signedDevices(u: UserKeys | undefined): Promise<Device[]> {
    const key = this.trustedIdentity(u);
    if (!key) return [];
    const out: Device[] = [];
    for (const d of u!.devices ?? []) if (await this.signed(key, d)) out.push(d);
    return out;
  }

  // signedDevice: the person's device, if it is signed.
  async signedDevice(userId: string, deviceId: string, fresh = false): Promise<Device | undefined> {
    let u = await this.one(userId, fresh);
    let d = u?.devices.find((x) => x.deviceId === deviceId);
    if (!d && !fresh) {
      u = await this.one(userId, true);
      d = u?.devices.find((x) => x.deviceId === deviceId);
    }
    if (!u || !d) return undefined;
    return (await this.signed(this.trustedIdentity(u), d)) ? d : undefined;
  }

  async safetyNumber(userId: string): Promise<string> {
    const [me, them] = await Promise.all([this.one(this.core.userId, true), this.one(userId, true)]);
    const mine = me?.identityKey || this.core.identity?.publicKey;
    if (!mine) throw new Error("Set up encryption first");
    if (!them?.identityKey) throw new Error("This person has not set up encryption yet");
    return safetyNumber({ userId: this.core.userId, identityKey: mine }, { userId, identityKey: them.identityKey });
  }

  // pin makes the person's current key the pinned one (verified or not)
  // and clears their warning.
  async pin(userId: string, verified: boolean): Promise<void> {
    const u = await this.one(userId, true);
    if (!u?.identityKey) throw new Error("This person has not set up encryption yet");
    const p: PinnedIdentity = { userId, identityKey: u.identityKey, verified, firstSeen: this.pins.get(userId)?.firstSeen ?? this.core.now() };
    this.pins.set(userId, p);
    await this.core.ks?.putPin(p);
    const warnings = new Map(this.core.view.keyWarnings);
    warnings.delete(userId);
    this.core.view.update({ keyWarnings: warnings });
  }
}
