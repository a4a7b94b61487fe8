// Verifying one of my devices from another (SAS with a commitment, relayed
// by deviceMessage). A is the device that sent verify.request, B the one
// that accepted. B commits to its ephemeral key (verify.accept), A reveals
// its key, B reveals its own, both show the same three numbers; after both
// people pressed "They match" each sends a MAC of its own device key; the
// signed device (holding the identity) checks the other's MAC against the
// server's listing, signs it, and sends the backup key (verify.done).
import type { VerificationView } from "../../state/e2ee";
import { signDevice } from "./crypto";
import { checkSasCommitment, generateSasKey, newSasTxn, openSasSecret, sasBytes, sasCommitment, sasMac, sasNumbers, sasShared, sealSasSecret, verifySasMac, type SasContext } from "./sas";
import type { Core } from "./engineCore";
import type { Trust } from "./engineTrust";
import type { Bytes } from "./types";

interface Txn {
  txn: string;
  role: "A" | "B";
  other: string; // the other device's id
  name: string;
  eph?: { privateKey: CryptoKey; publicKey: string };
  commitment?: string;
  theirKey?: string;
  shared?: Bytes;
  ctx?: SasContext;
  confirmed: boolean;
  theirMac?: string;
  macOk: boolean;
  done?: { payload?: string; identity?: string };
  finished: boolean;
}

export interface VerifyHooks {
  // adopt the backup key (and identity, if sent) from the other device.
  adopt(bk: Uint8Array, sealedIdentity: string | undefined): Promise<void>;
  sealedIdentity(): string | undefined;
}

type Body = Record<string, unknown>;

export class Verification {
  private t: Txn | null = null;

  constructor(
    private readonly core: Core,
    private readonly trust: Trust,
    private readonly hooks: VerifyHooks,
  ) {}

  private show(patch: Partial<VerificationView> | null): void {
    if (!patch || !this.t) {
      this.core.view.update({ verification: null });
      return;
    }
    const prev = this.core.view.verification;
    const base: VerificationView = prev && prev.txn === this.t.txn ? prev : { txn: this.t.txn, otherDeviceId: this.t.other, otherDeviceName: this.t.name, stage: "requested" };
    this.core.view.update({ verification: { ...base, ...patch } });
  }

  private send(body: Body): void {
    if (!this.t) return;
    this.core.deviceMessage(this.core.userId, this.t.other, { ...body, txn: this.t.txn });
  }

  private async deviceName(deviceId: string): Promise<string> {
    const me = await this.trust.one(this.core.userId, true);
    return me?.devices.find((d) => d.deviceId === deviceId)?.name ?? deviceId;
  }

  private active(): boolean {
    const s = this.core.view.verification?.stage;
    return !!this.t && !!s && s !== "done" && s !== "cancelled";
  }

  // ---- intents ----

  async start(deviceId: string): Promise<void> {
    if (deviceId === this.core.deviceId) throw new Error("Choose another of your devices.");
    if (this.active()) this.cancel("replaced");
    this.t = { txn: newSasTxn(), role: "A", other: deviceId, name: await this.deviceName(deviceId), confirmed: false, macOk: false, finished: false };
    this.show({ stage: "requested" });
    this.send({ type: "verify.request", from: this.core.deviceId });
  }

  async accept(): Promise<void> {
    const t = this.t;
    if (!t || t.role !== "B" || t.eph) return;
    t.eph = await generateSasKey();
    t.commitment = await sasCommitment(t.eph.publicKey, t.txn);
    this.send({ type: "verify.accept", commitment: t.commitment });
    this.show({ stage: "waiting-other" });
  }

  async confirm(): Promise<void> {
    const t = this.t;
    if (!t?.shared || !t.ctx || t.confirmed) return;
    t.confirmed = true;
    this.send({ type: "verify.mac", mac: await sasMac(t.shared, t.ctx, this.core.deviceId, this.core.device!.publicKey) });
    this.show({ stage: "waiting-other" });
    await this.maybeFinish();
  }

  cancel(reason = "cancelled"): void {
    if (!this.t) return;
    if (this.active()) this.send({ type: "verify.cancel", reason });
    this.show({ stage: "cancelled", reason });
  }

  // ---- messages from the other device ----

  async onMessage(fromUserId: string, fromDeviceId: string, body: Body): Promise<void> {
    if (fromUserId !== this.core.userId || fromDeviceId === this.core.deviceId) return;
    const type = body.type;
    const txn = typeof body.txn === "string" ? body.txn : "";
    if (!txn) return;
    if (type === "verify.request") {
      if (this.active()) {
        this.core.deviceMessage(this.core.userId, fromDeviceId, { type: "verify.cancel", txn, reason: "busy" });
        return;
      }
      this.t = { txn, role: "B", other: fromDeviceId, name: await this.deviceName(fromDeviceId), confirmed: false, macOk: false, finished: false };
      this.show({ stage: "incoming" });
      return;
    }
    const t = this.t;
    if (!t || t.txn !== txn || t.other !== fromDeviceId) return;
    try {
      switch (type) {
        case "verify.accept":
          if (t.role !== "A" || t.eph || typeof body.commitment !== "string") return;
          t.commitment = body.commitment;
          t.eph = await generateSasKey();
          this.send({ type: "verify.key", key: t.eph.publicKey });
          this.show({ stage: "waiting-other" });
          return;
        case "verify.key": {
          if (!t.eph || t.theirKey || typeof body.key !== "string") return;
          if (t.role === "A" && !(await checkSasCommitment(t.commitment ?? "", body.key, t.txn))) {
            this.cancel("The other device's key does not match its commitment.");
            return;
          }
          t.theirKey = body.key;
          if (t.role === "B") this.send({ type: "verify.key", key: t.eph.publicKey });
          const [devA, devB] = t.role === "A" ? [this.core.deviceId, t.other] : [t.other, this.core.deviceId];
          const [ephPubA, ephPubB] = t.role === "A" ? [t.eph.publicKey, t.theirKey] : [t.theirKey, t.eph.publicKey];
          t.ctx = { txn: t.txn, devA, devB, ephPubA, ephPubB };
          t.shared = await sasShared(t.eph.privateKey, t.theirKey);
          this.show({ stage: "compare", numbers: sasNumbers(await sasBytes(t.shared, t.ctx)) });
          return;
        }
        case "verify.mac":
          if (typeof body.mac !== "string" || t.theirMac) return;
          t.theirMac = body.mac;
          await this.maybeFinish();
          return;
        case "verify.done":
          t.done = { payload: typeof body.payload === "string" ? body.payload : undefined, identity: typeof body.identity === "string" ? body.identity : undefined };
          await this.maybeFinish();
          return;
        case "verify.cancel":
          this.show({ stage: "cancelled", reason: typeof body.reason === "string" ? body.reason : "cancelled" });
          this.t = { ...t, finished: true };
          return;
      }
    } catch (err) {
      this.core.log("verification", err);
      this.cancel("Verification failed.");
    }
  }

  // maybeFinish: both MACs are in: check theirs, then sign and send the
  // backup key (the signed device), or take it (the new one).
  private finishing: Promise<void> = Promise.resolve();
  private maybeFinish(): Promise<void> {
    const next = this.finishing.then(() => this.finishNow());
    this.finishing = next.catch(() => {});
    return next;
  }

  private async finishNow(): Promise<void> {
    const t = this.t;
    if (!t || t.finished || !t.confirmed || !t.theirMac || !t.shared || !t.ctx) return;
    if (!t.macOk) {
      const me = await this.trust.one(this.core.userId, true);
      const other = me?.devices.find((d) => d.deviceId === t.other);
      if (!other || !(await verifySasMac(t.shared, t.ctx, other.deviceId, other.publicKey, t.theirMac))) {
        this.cancel("The codes did not match.");
        return;
      }
      t.macOk = true;
      const otherSigned = await this.trust.signed(me?.identityKey, other);
      if (this.core.identity && !otherSigned) {
        const sig = await signDevice(this.core.identity.privateKey, this.core.userId, other.deviceId, other.publicKey);
        await this.core.signDeviceReq(other.deviceId, sig);
        this.trust.forget(this.core.userId);
        const payload = this.core.bk ? await sealSasSecret(t.shared, t.ctx, this.core.bk) : undefined;
        this.send({ type: "verify.done", payload, identity: payload ? this.hooks.sealedIdentity() : undefined });
        t.finished = true;
        this.show({ stage: "done" });
        return;
      }
      if (this.core.identity && otherSigned) {
        // Both hold the identity already: nothing to hand over. (Not
        // "this device is signed": the other device's signDevice reaches
        // the new one as keysChanged, which can make it "ready" before
        // this step runs; it still needs the backup key and identity.)
        this.send({ type: "verify.done" });
        t.finished = true;
        this.show({ stage: "done" });
        return;
      }
      if (!otherSigned) {
        this.cancel("Neither device is verified: recover with your passphrase on one of them first.");
        return;
      }
    }
    // This device is the new one: wait for verify.done.
    if (!t.done) {
      this.show({ stage: "waiting-other" });
      return;
    }
    t.finished = true;
    if (t.done.payload) {
      const bk = await openSasSecret(t.shared, t.ctx, t.done.payload);
      await this.hooks.adopt(bk, t.done.identity);
    } else {
      await this.core.onSelfChanged();
    }
    this.show({ stage: "done" });
  }
}
