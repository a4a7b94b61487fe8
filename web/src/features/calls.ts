// Voice and video calls (issue #18): a full-mesh WebRTC engine following
// docs/PROTOCOL.md "## Calls" (client algorithm). The newcomer offers to
// each participant already in the call; both sides trickle ICE; a heartbeat
// every 15 s; the ICE servers come from the startCall/joinCall replies (and
// getIceServers once they expired); after a reconnect (a new connection id)
// the engine joins again and offers anew. Every peer connection has one
// audio and one video transceiver from the start, so the camera, a changed
// device and screen sharing are replaceTrack calls, never a renegotiation.
// The browser's media and RTCPeerConnection come in through CallsEnv so the
// unit tests drive the engine with fakes.
import type { Call, CallMedia, ICEServer, Profile, RoomKind } from "../api/protocol.gen";
import type { ChatFeature } from "../state/chat";
import type { ServerFrame } from "../state/types";
import type { AnyPayload } from "../api/notifyProtocol";
import type { Status } from "../api/socket";

export const HEARTBEAT_MS = 15_000;
export const SPEAKING_POLL_MS = 250;
// A level (0..1, RMS of the analyser's samples) above this counts as speaking.
export const SPEAKING_LEVEL = 0.04;

export type CallError = "" | "denied" | "nodevice" | "screenDenied" | "full" | "failed";

export interface CallsEnv {
  request(p: AnyPayload): Promise<ServerFrame>;
  notify(p: AnyPayload): void;
  connectionId(): string;
  userId: string;
  roomKind(roomId: string): RoomKind | undefined;
  onChange(): void;
  announce?(text: string): void;
  getUserMedia(c: MediaStreamConstraints): Promise<MediaStream>;
  getDisplayMedia(c: DisplayMediaStreamOptions): Promise<MediaStream>;
  enumerateDevices(): Promise<MediaDeviceInfo[]>;
  newPeer(config: RTCConfiguration): RTCPeerConnection;
  newStream(tracks?: MediaStreamTrack[]): MediaStream;
  // meter returns a function reading the stream's audio level now (0..1).
  meter?(stream: MediaStream): (() => number) | null;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(h: unknown): void;
  now(): number;
}

export interface Peer {
  connectionId: string;
  userId: string;
  pc: RTCPeerConnection;
  remote: MediaStream;
  ice: RTCIceConnectionState;
  conn: RTCPeerConnectionState;
  // Candidates that came before the remote description.
  pending: RTCIceCandidateInit[];
  // Gathered locally: host, srflx, relay (the details panel).
  localTypes: string[];
  // I sent the offer (I joined after them): I restart ICE on failure.
  offerer: boolean;
  restarts: number;
}

// MAX_ICE_RESTARTS: how often the offering side restarts ICE on a failed
// connection (with fresh ICE servers) before the view says it cannot connect.
export const MAX_ICE_RESTARTS = 1;

export interface ActiveCall {
  call: Call;
  local: MediaStream;
  camera: MediaStreamTrack | null;
  mic: MediaStreamTrack | null;
  screen: MediaStreamTrack | null;
  media: CallMedia;
  peers: Map<string, Peer>;
  iceServers: ICEServer[];
  iceValidUntil: number;
  connectionId: string;
}

export interface Ringing {
  call: Call;
  from: Profile;
}

export interface Devices {
  audioinput: MediaDeviceInfo[];
  videoinput: MediaDeviceInfo[];
}

// level is the RMS of byte time-domain samples (128 = silence), 0..1.
export function level(samples: Uint8Array): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (const s of samples) {
    const v = (s - 128) / 128;
    sum += v * v;
  }
  return Math.sqrt(sum / samples.length);
}

// gridColumns: how many columns the call view's grid has for n tiles on a
// screen of width px (one column on a phone up to 2 tiles, two beyond).
export function gridColumns(n: number, width: number): number {
  if (n <= 1) return 1;
  if (width < 600) return n <= 2 ? 1 : 2;
  if (n <= 4) return 2;
  return 3;
}

// errorOf names a getUserMedia/getDisplayMedia failure.
export function errorOf(err: unknown, screen = false): CallError {
  const name = (err as { name?: string })?.name ?? "";
  if (name === "NotAllowedError" || name === "SecurityError") return screen ? "screenDenied" : "denied";
  if (name === "NotFoundError" || name === "OverconstrainedError") return "nodevice";
  return "failed";
}

export class CallsEngine implements ChatFeature {
  active: ActiveCall | null = null;
  // Calls going on in rooms I am a member of (banner "call in progress").
  rooms = new Map<string, Call>();
  // Incoming calls ringing here (direct conversations).
  ringing = new Map<string, Ringing>();
  error: CallError = "";
  busy = false;
  speaking = new Set<string>();
  devices: Devices = { audioinput: [], videoinput: [] };
  // Set when a test flag asks for it: the time of the click and of the
  // first remote frame are measured by the e2e through the debug hook.
  private heartbeat: unknown = null;
  private meterTimer: unknown = null;
  private meters = new Map<string, () => number>();
  private rejoining = false;

  constructor(private readonly env: CallsEnv) {}

  // ---- intents ----

  async start(roomId: string, video: boolean): Promise<void> {
    if (this.active || this.busy) return;
    this.busy = true;
    this.error = "";
    this.env.onChange();
    try {
      const local = await this.acquire(video);
      if (!local) return;
      let reply: ServerFrame;
      try {
        reply = await this.env.request({ action: "startCall", roomId, video });
      } catch (e) {
        local.stream.getTracks().forEach((t) => t.stop());
        this.error = "failed";
        throw e;
      }
      if (reply.type !== "call") return;
      this.begin(reply.call, reply.iceServers ?? [], reply.iceValidUntil, local);
    } finally {
      this.busy = false;
      this.env.onChange();
    }
  }

  async join(callId: string): Promise<void> {
    if (this.busy) return;
    if (this.active?.call.callId === callId) return;
    if (this.active) await this.hangUp();
    const known = this.ringing.get(callId)?.call ?? [...this.rooms.values()].find((c) => c.callId === callId);
    this.ringing.delete(callId);
    this.busy = true;
    this.error = "";
    this.env.onChange();
    try {
      const local = await this.acquire(known?.video ?? true);
      if (!local) return;
      let reply: ServerFrame;
      try {
        reply = await this.env.request({ action: "joinCall", callId, media: local.media });
      } catch (e) {
        local.stream.getTracks().forEach((t) => t.stop());
        this.error = (e as { code?: string }).code === "conflict" ? "full" : "failed";
        throw e;
      }
      if (reply.type !== "call") return;
      this.begin(reply.call, reply.iceServers ?? [], reply.iceValidUntil, local);
      await this.offerAll();
    } finally {
      this.busy = false;
      this.env.onChange();
    }
  }

  decline(callId: string): void {
    this.ringing.delete(callId);
    this.env.onChange();
    this.env.request({ action: "declineCall", callId }).catch(() => {});
  }

  async hangUp(): Promise<void> {
    const a = this.active;
    if (!a) return;
    this.teardown();
    await this.env.request({ action: "leaveCall", callId: a.call.callId }).catch(() => {});
  }

  setAudio(on: boolean): void {
    const a = this.active;
    if (!a) return;
    if (a.mic) a.mic.enabled = on;
    a.media = { ...a.media, audio: on && !!a.mic };
    this.sendMedia();
  }

  async setVideo(on: boolean, deviceId?: string): Promise<void> {
    const a = this.active;
    if (!a) return;
    if (!on) {
      a.camera?.stop();
      if (a.camera) a.local.removeTrack(a.camera);
      a.camera = null;
      if (!a.screen) this.replace("video", null);
      a.media = { ...a.media, video: false };
      this.sendMedia();
      return;
    }
    try {
      const s = await this.env.getUserMedia({ video: deviceId ? { deviceId: { exact: deviceId } } : true });
      const track = s.getVideoTracks()[0];
      if (a.camera) {
        a.camera.stop();
        a.local.removeTrack(a.camera);
      }
      a.camera = track;
      a.local.addTrack(track);
      if (!a.screen) this.replace("video", track);
      a.media = { ...a.media, video: true };
      this.sendMedia();
    } catch (e) {
      this.error = errorOf(e);
      this.env.onChange();
    }
  }

  async setMic(deviceId: string): Promise<void> {
    const a = this.active;
    if (!a) return;
    try {
      const s = await this.env.getUserMedia({ audio: { deviceId: { exact: deviceId } } });
      const track = s.getAudioTracks()[0];
      track.enabled = a.media.audio;
      if (a.mic) {
        a.mic.stop();
        a.local.removeTrack(a.mic);
      }
      a.mic = track;
      a.local.addTrack(track);
      this.replace("audio", track);
      this.watch(this.env.connectionId(), a.local);
      this.env.onChange();
    } catch (e) {
      this.error = errorOf(e);
      this.env.onChange();
    }
  }

  async shareScreen(): Promise<void> {
    const a = this.active;
    if (!a || a.screen) return;
    try {
      const s = await this.env.getDisplayMedia({ video: true, audio: false });
      const track = s.getVideoTracks()[0];
      if (this.active !== a) {
        track.stop();
        return;
      }
      a.screen = track;
      track.addEventListener("ended", () => this.stopSharing());
      this.replace("video", track);
      a.media = { ...a.media, screen: true };
      this.sendMedia();
    } catch (e) {
      this.error = errorOf(e, true);
      this.env.onChange();
    }
  }

  stopSharing(): void {
    const a = this.active;
    if (!a?.screen) return;
    a.screen.stop();
    a.screen = null;
    this.replace("video", a.camera);
    a.media = { ...a.media, screen: false };
    this.sendMedia();
  }

  async listDevices(): Promise<Devices> {
    const all = await this.env.enumerateDevices();
    this.devices = { audioinput: all.filter((d) => d.kind === "audioinput"), videoinput: all.filter((d) => d.kind === "videoinput") };
    this.env.onChange();
    return this.devices;
  }

  clearError(): void {
    this.error = "";
    this.env.onChange();
  }

  // ---- ChatFeature ----

  onEvent(ev: ServerFrame): void {
    switch (ev.type) {
      case "callRinging": {
        this.rooms.set(ev.call.roomId, ev.call);
        const mine = this.active?.call.callId === ev.call.callId;
        if (!mine && ev.call.startedBy !== this.env.userId && this.env.roomKind(ev.call.roomId) === "direct") this.ringing.set(ev.call.callId, { call: ev.call, from: ev.from });
        this.env.onChange();
        return;
      }
      case "callUpdated":
        this.updated(ev.call);
        return;
      case "callEnded": {
        this.rooms.delete(ev.roomId);
        this.ringing.delete(ev.callId);
        if (this.active?.call.callId === ev.callId) this.teardown();
        this.env.onChange();
        return;
      }
      case "callSignal":
        this.signal(ev.callId, ev.from, ev.fromUserId, ev.kind, ev.sdp, ev.candidate).catch(() => {});
        return;
    }
  }

  // onStatus: back online on a new connection (a reconnect): join again
  // with it and offer anew. Not on the state event: the socket drops
  // frames without a reply (the signals) until its resume is done and it
  // says "online".
  onStatus(status: Status): void {
    const a = this.active;
    const conn = this.env.connectionId();
    if (status === "online" && a && conn && conn !== a.connectionId && !this.rejoining) this.rejoin().catch(() => {});
  }

  onStop(): void {
    this.teardown();
    this.rooms.clear();
    this.ringing.clear();
  }

  // ---- internals ----

  private async acquire(video: boolean): Promise<{ stream: MediaStream; media: CallMedia } | null> {
    try {
      const stream = await this.env.getUserMedia({ audio: true, video });
      return { stream, media: { audio: stream.getAudioTracks().length > 0, video: stream.getVideoTracks().length > 0, screen: false } };
    } catch (e) {
      if (video) {
        // No camera (or it is refused): a voice call still works.
        try {
          const stream = await this.env.getUserMedia({ audio: true, video: false });
          return { stream, media: { audio: true, video: false, screen: false } };
        } catch {
          /* fall through */
        }
      }
      this.error = errorOf(e);
      return null;
    }
  }

  private begin(call: Call, iceServers: ICEServer[], validUntil: string | undefined, local: { stream: MediaStream; media: CallMedia }): void {
    this.active = {
      call,
      local: local.stream,
      camera: local.stream.getVideoTracks()[0] ?? null,
      mic: local.stream.getAudioTracks()[0] ?? null,
      screen: null,
      media: local.media,
      peers: new Map(),
      iceServers,
      iceValidUntil: validUntil ? Date.parse(validUntil) : Infinity,
      connectionId: this.env.connectionId(),
    };
    this.rooms.set(call.roomId, call);
    this.heartbeat = this.env.setInterval(() => this.beat(), HEARTBEAT_MS);
    this.watch(this.active.connectionId, local.stream);
    this.meterTimer ??= this.env.setInterval(() => this.pollSpeaking(), SPEAKING_POLL_MS);
  }

  private beat(): void {
    const a = this.active;
    if (!a) return;
    this.env
      .request({ action: "callHeartbeat", callId: a.call.callId })
      .then((r) => {
        if (r.type === "call" && this.active === a) this.updated(r.call);
      })
      .catch(() => {});
  }

  private async rejoin(): Promise<void> {
    const a = this.active;
    if (!a) return;
    for (const p of a.peers.values()) this.closePeer(p);
    a.peers.clear();
    a.connectionId = this.env.connectionId();
    this.rejoining = true;
    try {
      const reply = await this.env.request({ action: "joinCall", callId: a.call.callId, media: a.media });
      this.rejoining = false;
      if (reply.type !== "call" || this.active !== a) return;
      a.call = reply.call;
      if (reply.iceServers) {
        a.iceServers = reply.iceServers;
        a.iceValidUntil = reply.iceValidUntil ? Date.parse(reply.iceValidUntil) : Infinity;
      }
      await this.offerAll();
    } catch {
      // The call is over (ended while away).
      this.rejoining = false;
      this.teardown();
    }
    this.env.onChange();
  }

  // offerAll: as the newcomer, offer to each participant already in the call.
  private async offerAll(): Promise<void> {
    const a = this.active;
    if (!a) return;
    const others = a.call.participants.filter((p) => p.connectionId !== a.connectionId);
    for (const p of others) {
      const peer = await this.peer(p.connectionId, p.userId, true);
      if (!peer) continue;
      const offer = await peer.pc.createOffer();
      await peer.pc.setLocalDescription(offer);
      this.send(p.connectionId, "offer", { sdp: offer.sdp ?? "" });
    }
    this.env.onChange();
  }

  private updated(call: Call): void {
    if (call.state === "ended") {
      this.rooms.delete(call.roomId);
    } else this.rooms.set(call.roomId, call);
    const a = this.active;
    if (a && a.call.callId === call.callId) {
      a.call = call;
      const here = new Set(call.participants.map((p) => p.connectionId));
      for (const [id, p] of a.peers) {
        if (!here.has(id)) {
          this.closePeer(p);
          a.peers.delete(id);
        }
      }
      if (call.state === "ended") this.teardown();
      // My connection is no longer in it (I joined from another tab, or
      // the server dropped this one): this tab is out. Not after a
      // reconnect (a new connection: onStatus joins again with it), nor
      // while joining again (the old connection's removal comes first).
      else if (!this.rejoining && this.env.connectionId() === a.connectionId && !here.has(a.connectionId)) this.teardown();
    }
    if (call.joined.includes(this.env.userId) || call.state === "ended") {
      // Joined elsewhere (another tab) or over: stop ringing here.
      if (!(a && a.call.callId === call.callId) && call.participants.some((p) => p.userId === this.env.userId)) this.ringing.delete(call.callId);
      if (call.state === "ended") this.ringing.delete(call.callId);
    }
    this.env.onChange();
  }

  private async iceConfig(): Promise<RTCConfiguration> {
    const a = this.active!;
    if (a.iceValidUntil <= this.env.now()) {
      try {
        const r = await this.env.request({ action: "getIceServers", callId: a.call.callId });
        if (r.type === "iceServers") {
          a.iceServers = r.iceServers;
          a.iceValidUntil = r.expiresAt ? Date.parse(r.expiresAt) : Infinity;
        }
      } catch {
        /* keep the old ones */
      }
    }
    return { iceServers: a.iceServers.map((s) => ({ urls: s.urls, username: s.username, credential: s.credential })) };
  }

  private async peer(connectionId: string, userId: string, offerer: boolean): Promise<Peer | null> {
    const a = this.active;
    if (!a) return null;
    const have = a.peers.get(connectionId);
    if (have) return have;
    const config = await this.iceConfig();
    if (this.active !== a) return null;
    const again = a.peers.get(connectionId);
    if (again) return again;
    const pc = this.env.newPeer(config);
    const peer: Peer = { connectionId, userId, pc, remote: this.env.newStream(), ice: "new", conn: "new", pending: [], localTypes: [], offerer, restarts: 0 };
    a.peers.set(connectionId, peer);
    if (offerer) {
      pc.addTransceiver(a.mic ?? "audio", { direction: "sendrecv", streams: [a.local] });
      pc.addTransceiver(a.screen ?? a.camera ?? "video", { direction: "sendrecv", streams: [a.local] });
    }
    pc.onicecandidate = (e) => {
      if (e.candidate) {
        const type = e.candidate.type;
        if (type && !peer.localTypes.includes(type)) peer.localTypes.push(type);
      }
      this.send(connectionId, "ice", { candidate: e.candidate ? JSON.stringify(e.candidate.toJSON()) : "" });
    };
    pc.ontrack = (e) => {
      if (!peer.remote.getTracks().includes(e.track)) peer.remote.addTrack(e.track);
      if (e.track.kind === "audio") this.watch(connectionId, peer.remote);
      this.env.onChange();
    };
    pc.oniceconnectionstatechange = () => {
      peer.ice = pc.iceConnectionState;
      this.env.onChange();
    };
    pc.onconnectionstatechange = () => {
      peer.conn = pc.connectionState;
      if (peer.conn === "failed" && peer.offerer && peer.restarts < MAX_ICE_RESTARTS) this.restartIce(peer).catch(() => {});
      this.env.onChange();
    };
    return peer;
  }

  // restartIce offers again with iceRestart, with ICE servers that are
  // still valid (getIceServers when they expired).
  private async restartIce(peer: Peer): Promise<void> {
    const a = this.active;
    if (!a || a.peers.get(peer.connectionId) !== peer) return;
    peer.restarts++;
    const config = await this.iceConfig();
    peer.pc.setConfiguration?.(config);
    const offer = await peer.pc.createOffer({ iceRestart: true });
    await peer.pc.setLocalDescription(offer);
    this.send(peer.connectionId, "offer", { sdp: offer.sdp ?? "" });
  }

  private async signal(callId: string, from: string, fromUserId: string, kind: string, sdp?: string, candidate?: string): Promise<void> {
    const a = this.active;
    if (!a || a.call.callId !== callId) return;
    if (kind === "offer") {
      const peer = await this.peer(from, fromUserId, false);
      if (!peer) return;
      await peer.pc.setRemoteDescription({ type: "offer", sdp });
      // The transceivers the offer made: send my tracks on them.
      for (const t of peer.pc.getTransceivers()) {
        const kindOf = t.receiver.track?.kind;
        const track = kindOf === "audio" ? a.mic : kindOf === "video" ? (a.screen ?? a.camera) : null;
        t.direction = "sendrecv";
        await t.sender.replaceTrack(track);
        t.sender.setStreams?.(a.local);
      }
      await this.flush(peer);
      const answer = await peer.pc.createAnswer();
      await peer.pc.setLocalDescription(answer);
      this.send(from, "answer", { sdp: answer.sdp ?? "" });
      this.env.onChange();
      return;
    }
    const peer = a.peers.get(from);
    if (!peer) return;
    if (kind === "answer") {
      await peer.pc.setRemoteDescription({ type: "answer", sdp });
      await this.flush(peer);
      return;
    }
    if (kind === "ice") {
      if (!candidate) return; // the end of candidates
      let init: RTCIceCandidateInit;
      try {
        init = JSON.parse(candidate) as RTCIceCandidateInit;
      } catch {
        return;
      }
      if (!peer.pc.remoteDescription) peer.pending.push(init);
      else await peer.pc.addIceCandidate(init).catch(() => {});
    }
  }

  private async flush(peer: Peer): Promise<void> {
    const pending = peer.pending.splice(0);
    for (const c of pending) await peer.pc.addIceCandidate(c).catch(() => {});
  }

  private send(to: string, kind: "offer" | "answer" | "ice", extra: { sdp?: string; candidate?: string }): void {
    const a = this.active;
    if (!a) return;
    this.env.notify({ action: "callSignal", callId: a.call.callId, to, kind, ...extra });
  }

  private replace(kind: "audio" | "video", track: MediaStreamTrack | null): void {
    const a = this.active;
    if (!a) return;
    for (const p of a.peers.values()) {
      for (const t of p.pc.getTransceivers()) {
        if ((t.receiver.track?.kind ?? "") === kind) t.sender.replaceTrack(track).catch(() => {});
      }
    }
  }

  private sendMedia(): void {
    const a = this.active;
    if (!a) return;
    this.env.onChange();
    this.env
      .request({ action: "setCallMedia", callId: a.call.callId, ...a.media })
      .then((r) => {
        if (r.type === "call" && this.active === a) this.updated(r.call);
      })
      .catch(() => {});
  }

  private watch(id: string, stream: MediaStream): void {
    const m = this.env.meter?.(stream);
    if (m) this.meters.set(id, m);
  }

  pollSpeaking(): void {
    const a = this.active;
    if (!a) return;
    const now = new Set<string>();
    for (const [id, read] of this.meters) {
      const muted = id === a.connectionId ? !a.media.audio : a.call.participants.find((p) => p.connectionId === id)?.audio === false;
      if (!muted && read() > SPEAKING_LEVEL) now.add(id);
    }
    const same = now.size === this.speaking.size && [...now].every((id) => this.speaking.has(id));
    if (!same) {
      this.speaking = now;
      this.env.onChange();
    }
  }

  private closePeer(p: Peer): void {
    p.pc.onicecandidate = null;
    p.pc.ontrack = null;
    p.pc.close();
    this.meters.delete(p.connectionId);
  }

  private teardown(): void {
    const a = this.active;
    if (!a) return;
    this.active = null;
    for (const p of a.peers.values()) this.closePeer(p);
    a.local.getTracks().forEach((t) => t.stop());
    a.screen?.stop();
    if (this.heartbeat !== null) this.env.clearInterval(this.heartbeat);
    if (this.meterTimer !== null) this.env.clearInterval(this.meterTimer);
    this.heartbeat = null;
    this.meterTimer = null;
    this.meters.clear();
    this.speaking = new Set();
    this.env.onChange();
  }
}

// browserMeter reads a stream's audio level through a WebAudio analyser.
let audioCtx: AudioContext | null = null;
export function browserMeter(stream: MediaStream): (() => number) | null {
  if (stream.getAudioTracks().length === 0 || typeof AudioContext === "undefined") return null;
  try {
    audioCtx ??= new AudioContext();
    const src = audioCtx.createMediaStreamSource(stream);
    const an = audioCtx.createAnalyser();
    an.fftSize = 512;
    src.connect(an);
    const buf = new Uint8Array(an.fftSize);
    return () => {
      an.getByteTimeDomainData(buf);
      return level(buf);
    };
  } catch {
    return null;
  }
}

// browserCallsEnv: the real browser behind CallsEnv.
export function browserCallsEnv(): Pick<CallsEnv, "getUserMedia" | "getDisplayMedia" | "enumerateDevices" | "newPeer" | "newStream" | "meter" | "setInterval" | "clearInterval" | "now"> {
  return {
    getUserMedia: (c) => navigator.mediaDevices.getUserMedia(c),
    getDisplayMedia: (c) => navigator.mediaDevices.getDisplayMedia(c),
    enumerateDevices: () => navigator.mediaDevices.enumerateDevices(),
    newPeer: (c) => new RTCPeerConnection(c),
    newStream: (t) => new MediaStream(t ?? []),
    meter: browserMeter,
    setInterval: (fn, ms) => setInterval(fn, ms),
    clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
    now: () => Date.now(),
  };
}
