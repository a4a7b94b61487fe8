// The calls engine against fake media and peer connections: who offers,
// trickle ICE (queued before the remote description), heartbeats, media
// flags, screen sharing by replaceTrack, rejoin after a reconnect,
// permissions, ringing, the speaking indicator and the grid.
import { describe, expect, it } from "vitest";
import type { Call } from "../../src/api/protocol.gen";
import { CallsEngine, errorOf, gridColumns, HEARTBEAT_MS, level, type CallsEnv } from "../../src/features/calls";
import type { ServerFrame } from "../../src/state/types";

class FakeTrack {
  enabled = true;
  stopped = false;
  private listeners: Record<string, (() => void)[]> = {};
  constructor(
    public kind: "audio" | "video",
    public label: string = kind,
  ) {}
  stop() {
    this.stopped = true;
  }
  addEventListener(type: string, fn: () => void) {
    (this.listeners[type] ??= []).push(fn);
  }
  fire(type: string) {
    for (const fn of this.listeners[type] ?? []) fn();
  }
}

class FakeStream {
  tracks: FakeTrack[];
  constructor(tracks: FakeTrack[] = []) {
    this.tracks = [...tracks];
  }
  getTracks() {
    return this.tracks;
  }
  getAudioTracks() {
    return this.tracks.filter((t) => t.kind === "audio");
  }
  getVideoTracks() {
    return this.tracks.filter((t) => t.kind === "video");
  }
  addTrack(t: FakeTrack) {
    this.tracks.push(t);
  }
  removeTrack(t: FakeTrack) {
    this.tracks = this.tracks.filter((x) => x !== t);
  }
}

class FakeTransceiver {
  direction = "recvonly";
  sender: { track: FakeTrack | null; replaceTrack: (t: FakeTrack | null) => Promise<void>; setStreams: () => void };
  receiver: { track: FakeTrack };
  constructor(kind: "audio" | "video", track: FakeTrack | null) {
    const sender = { track, replaceTrack: async (t: FakeTrack | null) => void (sender.track = t), setStreams: () => {} };
    this.sender = sender;
    this.receiver = { track: new FakeTrack(kind, "remote") };
  }
}

class FakePeer {
  transceivers: FakeTransceiver[] = [];
  remoteDescription: { type: string; sdp?: string } | null = null;
  localDescription: { type: string; sdp?: string } | null = null;
  added: unknown[] = [];
  closed = false;
  iceConnectionState = "new";
  connectionState = "new";
  onicecandidate: ((e: { candidate: unknown }) => void) | null = null;
  ontrack: ((e: { track: FakeTrack }) => void) | null = null;
  oniceconnectionstatechange: (() => void) | null = null;
  onconnectionstatechange: (() => void) | null = null;
  constructor(public config: RTCConfiguration) {}
  addTransceiver(t: FakeTrack | string) {
    const kind = typeof t === "string" ? (t as "audio" | "video") : t.kind;
    this.transceivers.push(new FakeTransceiver(kind, typeof t === "string" ? null : t));
  }
  getTransceivers() {
    return this.transceivers;
  }
  async createOffer() {
    return { type: "offer", sdp: "offer-sdp" };
  }
  async createAnswer() {
    return { type: "answer", sdp: "answer-sdp" };
  }
  async setLocalDescription(d: { type: string; sdp?: string }) {
    this.localDescription = d;
  }
  async setRemoteDescription(d: { type: string; sdp?: string }) {
    this.remoteDescription = d;
    if (d.type === "offer" && this.transceivers.length === 0) {
      this.transceivers.push(new FakeTransceiver("audio", null), new FakeTransceiver("video", null));
    }
  }
  async addIceCandidate(c: unknown) {
    this.added.push(c);
  }
  close() {
    this.closed = true;
  }
}

function call(over: Partial<Call> = {}): Call {
  return {
    callId: "d_1/c1",
    roomId: "d_1",
    state: "ringing",
    video: true,
    startedBy: "u_ada",
    startedAt: "2026-11-30T18:00:00Z",
    participants: [{ userId: "u_ada", connectionId: "A1", joinedAt: "2026-11-30T18:00:00Z", audio: true, video: true, screen: false }],
    rung: ["u_bo"],
    joined: ["u_ada"],
    maxSize: 6,
    expiresAt: "2026-11-30T18:00:50Z",
    ...over,
  };
}

const bo = { userId: "u_bo", connectionId: "B1", joinedAt: "2026-11-30T18:00:04Z", audio: true, video: true, screen: false };

function setup(opts: { me?: string; conn?: string; deny?: string; now?: number } = {}) {
  const sent: Record<string, unknown>[] = [];
  const signals: Record<string, unknown>[] = [];
  const peers: FakePeer[] = [];
  const timers: { fn: () => void; ms: number; cleared: boolean }[] = [];
  let conn = opts.conn ?? "B1";
  let levelNow = 0;
  const replies: Record<string, (p: Record<string, unknown>) => ServerFrame> = {};
  const env: CallsEnv = {
    request: async (p) => {
      const q = p as unknown as Record<string, unknown>;
      sent.push(q);
      const r = replies[q.action as string];
      if (r) return r(q);
      // The server's answer: the call as it is, with both of us in it.
      return { type: "call", call: call({ state: "active", participants: [call().participants[0], bo] }) } as ServerFrame;
    },
    notify: (p) => signals.push(p as unknown as Record<string, unknown>),
    connectionId: () => conn,
    userId: opts.me ?? "u_bo",
    roomKind: (id) => (id.startsWith("d_") ? "direct" : "public"),
    onChange: () => {},
    getUserMedia: async (c) => {
      if (opts.deny) throw Object.assign(new Error("no"), { name: opts.deny });
      const tracks: FakeTrack[] = [];
      if (c.audio) tracks.push(new FakeTrack("audio"));
      if (c.video) tracks.push(new FakeTrack("video"));
      return new FakeStream(tracks) as unknown as MediaStream;
    },
    getDisplayMedia: async () => new FakeStream([new FakeTrack("video", "screen")]) as unknown as MediaStream,
    enumerateDevices: async () => [{ kind: "audioinput", deviceId: "m1", label: "Mic" } as MediaDeviceInfo, { kind: "videoinput", deviceId: "c1", label: "Cam" } as MediaDeviceInfo, { kind: "audiooutput", deviceId: "s1", label: "Speaker" } as MediaDeviceInfo],
    newPeer: (c) => {
      const p = new FakePeer(c);
      peers.push(p);
      return p as unknown as RTCPeerConnection;
    },
    newStream: () => new FakeStream() as unknown as MediaStream,
    meter: () => () => levelNow,
    setInterval: (fn, ms) => {
      const h = { fn, ms, cleared: false };
      timers.push(h);
      return h;
    },
    clearInterval: (h) => void ((h as { cleared: boolean }).cleared = true),
    now: () => opts.now ?? Date.parse("2026-11-30T18:00:10Z"),
  };
  const engine = new CallsEngine(env);
  return { engine, sent, signals, peers, timers, replies, setConn: (c: string) => (conn = c), setLevel: (l: number) => (levelNow = l) };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("CallsEngine", () => {
  it("rings in a direct conversation, and the newcomer offers to each participant already in the call with the reply's ICE servers", async () => {
    const s = setup();
    s.engine.onEvent({ type: "callRinging", call: call(), from: { userId: "u_ada", username: "ada", displayName: "Ada", avatarColor: "#000", online: true, createdAt: "" } } as ServerFrame);
    expect(s.engine.ringing.has("d_1/c1")).toBe(true);
    s.replies.joinCall = () => ({ type: "call", call: call({ state: "active", participants: [call().participants[0], bo], joined: ["u_ada", "u_bo"] }), iceServers: [{ urls: ["turn:t.example:443"], username: "u", credential: "c" }] }) as ServerFrame;
    await s.engine.join("d_1/c1");
    expect(s.engine.ringing.size).toBe(0);
    expect(s.sent.find((p) => p.action === "joinCall")).toMatchObject({ callId: "d_1/c1", media: { audio: true, video: true, screen: false } });
    expect(s.peers).toHaveLength(1);
    expect(s.peers[0].config.iceServers).toEqual([{ urls: ["turn:t.example:443"], username: "u", credential: "c" }]);
    expect(s.peers[0].transceivers.map((t) => t.sender.track?.kind)).toEqual(["audio", "video"]);
    expect(s.signals).toEqual([{ action: "callSignal", callId: "d_1/c1", to: "A1", kind: "offer", sdp: "offer-sdp" }]);
    // Not to myself.
    expect(s.signals.some((p) => p.to === "B1")).toBe(false);
  });

  it("answers an offer, queues candidates that come before the remote description and trickles its own", async () => {
    const s = setup({ me: "u_ada", conn: "A1" });
    await s.engine.start("d_1", true);
    expect(s.sent[0]).toEqual({ action: "startCall", roomId: "d_1", video: true });
    const a = s.engine.active!;
    expect(a).toBeTruthy();
    s.engine.onEvent({ type: "callUpdated", call: call({ state: "active", participants: [call().participants[0], bo] }) } as ServerFrame);
    s.engine.onEvent({ type: "callSignal", callId: "d_1/c1", from: "B1", fromUserId: "u_bo", kind: "offer", sdp: "offer-sdp" } as ServerFrame);
    await tick();
    await tick();
    const pc = s.peers[0];
    expect(pc.remoteDescription).toEqual({ type: "offer", sdp: "offer-sdp" });
    expect(pc.transceivers.map((t) => [t.direction, t.sender.track?.kind])).toEqual([
      ["sendrecv", "audio"],
      ["sendrecv", "video"],
    ]);
    expect(s.signals.at(-1)).toEqual({ action: "callSignal", callId: "d_1/c1", to: "B1", kind: "answer", sdp: "answer-sdp" });
    pc.onicecandidate!({ candidate: { type: "host", toJSON: () => ({ candidate: "candidate:1 1 udp 1 127.0.0.1 5000 typ host", sdpMid: "0" }) } });
    pc.onicecandidate!({ candidate: null });
    expect(s.signals.slice(-2)).toEqual([
      { action: "callSignal", callId: "d_1/c1", to: "B1", kind: "ice", candidate: JSON.stringify({ candidate: "candidate:1 1 udp 1 127.0.0.1 5000 typ host", sdpMid: "0" }) },
      { action: "callSignal", callId: "d_1/c1", to: "B1", kind: "ice", candidate: "" },
    ]);
    s.engine.onEvent({ type: "callSignal", callId: "d_1/c1", from: "B1", fromUserId: "u_bo", kind: "ice", candidate: '{"candidate":"c2"}' } as ServerFrame);
    s.engine.onEvent({ type: "callSignal", callId: "d_1/c1", from: "B1", fromUserId: "u_bo", kind: "ice", candidate: "" } as ServerFrame);
    await tick();
    expect(pc.added).toEqual([{ candidate: "c2" }]);
    // A signal of another call, or from a connection I have no peer for, is ignored.
    s.engine.onEvent({ type: "callSignal", callId: "d_1/other", from: "B1", fromUserId: "u_bo", kind: "ice", candidate: '{"candidate":"x"}' } as ServerFrame);
    s.engine.onEvent({ type: "callSignal", callId: "d_1/c1", from: "Z9", fromUserId: "u_zed", kind: "answer", sdp: "x" } as ServerFrame);
    await tick();
    expect(pc.added).toHaveLength(1);
  });

  it("queues ICE candidates until the answer, then adds them", async () => {
    const s = setup();
    s.replies.joinCall = () => ({ type: "call", call: call({ state: "active", participants: [call().participants[0], bo] }) }) as ServerFrame;
    await s.engine.join("d_1/c1");
    const pc = s.peers[0];
    s.engine.onEvent({ type: "callSignal", callId: "d_1/c1", from: "A1", fromUserId: "u_ada", kind: "ice", candidate: '{"candidate":"early"}' } as ServerFrame);
    await tick();
    expect(pc.added).toEqual([]);
    s.engine.onEvent({ type: "callSignal", callId: "d_1/c1", from: "A1", fromUserId: "u_ada", kind: "answer", sdp: "answer-sdp" } as ServerFrame);
    await tick();
    await tick();
    expect(pc.added).toEqual([{ candidate: "early" }]);
  });

  it("sends a heartbeat every 15 s and stops it on hang-up; the last callUpdated without a peer closes it", async () => {
    const s = setup({ me: "u_ada", conn: "A1" });
    await s.engine.start("d_1", false);
    const hb = s.timers.find((t) => t.ms === HEARTBEAT_MS)!;
    hb.fn();
    expect(s.sent.at(-1)).toEqual({ action: "callHeartbeat", callId: "d_1/c1" });
    s.engine.onEvent({ type: "callUpdated", call: call({ state: "active", participants: [call().participants[0], bo] }) } as ServerFrame);
    s.engine.onEvent({ type: "callSignal", callId: "d_1/c1", from: "B1", fromUserId: "u_bo", kind: "offer", sdp: "o" } as ServerFrame);
    await tick();
    await tick();
    s.engine.onEvent({ type: "callUpdated", call: call({ state: "active", participants: [call().participants[0]] }) } as ServerFrame);
    expect(s.peers[0].closed).toBe(true);
    expect(s.engine.active!.peers.size).toBe(0);
    await s.engine.hangUp();
    expect(s.sent.at(-1)).toEqual({ action: "leaveCall", callId: "d_1/c1" });
    expect(hb.cleared).toBe(true);
    expect(s.engine.active).toBeNull();
  });

  it("mutes, turns the camera off and on, and shares the screen by replaceTrack, telling the server each time", async () => {
    const s = setup();
    s.replies.joinCall = () => ({ type: "call", call: call({ state: "active", participants: [call().participants[0], bo] }) }) as ServerFrame;
    await s.engine.join("d_1/c1");
    const a = s.engine.active!;
    const video = s.peers[0].transceivers[1];
    s.engine.setAudio(false);
    expect(a.mic!.enabled).toBe(false);
    expect(s.sent.at(-1)).toEqual({ action: "setCallMedia", callId: "d_1/c1", audio: false, video: true, screen: false });
    await s.engine.setVideo(false);
    expect(video.sender.track).toBeNull();
    expect(s.sent.at(-1)).toMatchObject({ action: "setCallMedia", video: false });
    await s.engine.setVideo(true);
    expect(video.sender.track?.kind).toBe("video");
    const cam = video.sender.track;
    await s.engine.shareScreen();
    expect((video.sender.track as unknown as FakeTrack).label).toBe("screen");
    expect(s.sent.at(-1)).toEqual({ action: "setCallMedia", callId: "d_1/c1", audio: false, video: true, screen: true });
    // The browser's "Stop sharing" ends the track: back to the camera.
    (a.screen as unknown as FakeTrack).fire("ended");
    expect(video.sender.track).toBe(cam);
    expect(s.sent.at(-1)).toMatchObject({ screen: false });
  });

  it("joins again with the new connection after a reconnect and offers anew", async () => {
    const s = setup();
    s.replies.joinCall = () => ({ type: "call", call: call({ state: "active", participants: [call().participants[0], bo] }) }) as ServerFrame;
    await s.engine.join("d_1/c1");
    s.setConn("B2");
    s.replies.joinCall = () => ({ type: "call", call: call({ state: "active", participants: [call().participants[0], { ...bo, connectionId: "B2" }] }) }) as ServerFrame;
    s.engine.onStatus("online");
    await tick();
    await tick();
    await tick();
    expect(s.peers[0].closed).toBe(true);
    expect(s.peers).toHaveLength(2);
    expect(s.sent.filter((p) => p.action === "joinCall")).toHaveLength(2);
    expect(s.signals.filter((p) => p.kind === "offer").map((p) => p.to)).toEqual(["A1", "A1"]);
    expect(s.engine.active!.connectionId).toBe("B2");
  });

  it("asks for fresh ICE servers when the reply's ones expired", async () => {
    const s = setup({ now: Date.parse("2026-11-30T19:00:00Z") });
    s.replies.joinCall = () => ({ type: "call", call: call({ state: "active", participants: [call().participants[0], bo] }), iceServers: [{ urls: ["turn:old"] }], iceValidUntil: "2026-11-30T18:05:00Z" }) as ServerFrame;
    s.replies.getIceServers = () => ({ type: "iceServers", callId: "d_1/c1", iceServers: [{ urls: ["turn:new"] }], expiresAt: "2026-11-30T19:10:00Z" }) as ServerFrame;
    await s.engine.join("d_1/c1");
    expect(s.sent.map((p) => p.action)).toContain("getIceServers");
    expect(s.peers[0].config.iceServers).toEqual([{ urls: ["turn:new"], username: undefined, credential: undefined }]);
  });

  it("says so when the microphone is refused, and does not join", async () => {
    const s = setup({ deny: "NotAllowedError" });
    await s.engine.join("d_1/c1");
    expect(s.engine.error).toBe("denied");
    expect(s.engine.active).toBeNull();
    expect(s.sent.some((p) => p.action === "joinCall")).toBe(false);
  });

  it("declines, shows calls in channels without ringing, and forgets ended calls", () => {
    const s = setup();
    s.engine.onEvent({ type: "callRinging", call: call({ callId: "c_1/x", roomId: "c_1" }), from: {} } as ServerFrame);
    expect(s.engine.ringing.size).toBe(0);
    expect(s.engine.rooms.get("c_1")?.callId).toBe("c_1/x");
    s.engine.onEvent({ type: "callRinging", call: call(), from: {} } as ServerFrame);
    s.engine.decline("d_1/c1");
    expect(s.engine.ringing.size).toBe(0);
    expect(s.sent.at(-1)).toEqual({ action: "declineCall", callId: "d_1/c1" });
    s.engine.onEvent({ type: "callEnded", callId: "c_1/x", roomId: "c_1", reason: "hangup" } as ServerFrame);
    expect(s.engine.rooms.has("c_1")).toBe(false);
  });

  it("lists devices by kind and marks who is speaking (not when muted)", async () => {
    const s = setup({ me: "u_ada", conn: "A1" });
    expect((await s.engine.listDevices()).audioinput.map((d) => d.deviceId)).toEqual(["m1"]);
    expect(s.engine.devices.videoinput.map((d) => d.deviceId)).toEqual(["c1"]);
    await s.engine.start("d_1", false);
    s.setLevel(0.2);
    s.engine.pollSpeaking();
    expect([...s.engine.speaking]).toEqual(["A1"]);
    s.engine.setAudio(false);
    s.engine.pollSpeaking();
    expect(s.engine.speaking.size).toBe(0);
  });
});

describe("calls helpers", () => {
  it("level is the RMS of the samples", () => {
    expect(level(new Uint8Array([128, 128]))).toBe(0);
    expect(level(new Uint8Array([0, 0]))).toBe(1);
  });
  it("gridColumns adapts to the count and to a phone's width", () => {
    expect(gridColumns(1, 1200)).toBe(1);
    expect(gridColumns(2, 1200)).toBe(2);
    expect(gridColumns(2, 390)).toBe(1);
    expect(gridColumns(4, 390)).toBe(2);
    expect(gridColumns(5, 1200)).toBe(3);
  });
  it("errorOf names refused permissions and missing devices", () => {
    expect(errorOf({ name: "NotAllowedError" })).toBe("denied");
    expect(errorOf({ name: "NotAllowedError" }, true)).toBe("screenDenied");
    expect(errorOf({ name: "NotFoundError" })).toBe("nodevice");
  });
});

describe("CallsEngine refusals", () => {
  it("says the call is full when joinCall answers conflict, and is in no call", async () => {
    const s = setup();
    s.replies.joinCall = () => {
      throw Object.assign(new Error("the call is full (6 people)"), { code: "conflict" });
    };
    await expect(s.engine.join("d_1/c1")).rejects.toThrow("full");
    expect(s.engine.error).toBe("full");
    expect(s.engine.active).toBeNull();
  });
});

describe("CallsEngine elsewhere", () => {
  it("leaves this tab's call when my connection is no longer in it (joined from another tab)", async () => {
    const s = setup();
    s.replies.joinCall = () => ({ type: "call", call: call({ state: "active", participants: [call().participants[0], bo] }) }) as ServerFrame;
    await s.engine.join("d_1/c1");
    expect(s.engine.active).not.toBeNull();
    s.engine.onEvent({ type: "callUpdated", call: call({ state: "active", participants: [call().participants[0], { ...bo, connectionId: "B9" }] }) } as ServerFrame);
    expect(s.engine.active).toBeNull();
    expect(s.peers[0].closed).toBe(true);
    // And it does not ring here for a call I am in elsewhere.
    expect(s.engine.ringing.size).toBe(0);
  });

  it("stays in the call while joining again after a reconnect, even if the old connection's removal comes first", async () => {
    const s = setup();
    s.replies.joinCall = () => ({ type: "call", call: call({ state: "active", participants: [call().participants[0], bo] }) }) as ServerFrame;
    await s.engine.join("d_1/c1");
    s.setConn("B2");
    let release: (f: ServerFrame) => void = () => {};
    s.replies.joinCall = () => new Promise<ServerFrame>((r) => (release = r)) as unknown as ServerFrame;
    s.engine.onStatus("online");
    await tick();
    s.engine.onEvent({ type: "callUpdated", call: call({ state: "active", participants: [call().participants[0]] }) } as ServerFrame);
    expect(s.engine.active).not.toBeNull();
    release({ type: "call", call: call({ state: "active", participants: [call().participants[0], { ...bo, connectionId: "B2" }] }) } as ServerFrame);
    await tick();
    await tick();
    await tick();
    expect(s.engine.active?.connectionId).toBe("B2");
    expect(s.signals.filter((p) => p.kind === "offer")).toHaveLength(2);
  });
});

describe("CallsEngine ICE restart", () => {
  it("the offering side restarts ICE once on a failed connection, with fresh servers; the answering side answers the new offer on the same peer", async () => {
    const s = setup({ now: Date.parse("2026-11-30T19:00:00Z") });
    s.replies.joinCall = () => ({ type: "call", call: call({ state: "active", participants: [call().participants[0], bo] }), iceServers: [{ urls: ["turn:old"] }], iceValidUntil: "2026-11-30T20:00:00Z" }) as ServerFrame;
    await s.engine.join("d_1/c1");
    const pc = s.peers[0];
    pc.connectionState = "failed";
    pc.onconnectionstatechange!();
    await tick();
    await tick();
    expect(s.signals.filter((p) => p.kind === "offer")).toHaveLength(2);
    pc.onconnectionstatechange!();
    await tick();
    expect(s.signals.filter((p) => p.kind === "offer")).toHaveLength(2);
    expect(s.engine.active!.peers.get("A1")!.restarts).toBe(1);

    const t = setup({ me: "u_ada", conn: "A1" });
    await t.engine.start("d_1", true);
    t.engine.onEvent({ type: "callSignal", callId: "d_1/c1", from: "B1", fromUserId: "u_bo", kind: "offer", sdp: "o1" } as ServerFrame);
    await tick();
    await tick();
    t.engine.onEvent({ type: "callSignal", callId: "d_1/c1", from: "B1", fromUserId: "u_bo", kind: "offer", sdp: "o2" } as ServerFrame);
    await tick();
    await tick();
    expect(t.peers).toHaveLength(1);
    expect(t.peers[0].remoteDescription).toEqual({ type: "offer", sdp: "o2" });
    expect(t.signals.filter((p) => p.kind === "answer")).toHaveLength(2);
    // The answering side does not restart on its own.
    t.peers[0].connectionState = "failed";
    t.peers[0].onconnectionstatechange!();
    await tick();
    expect(t.signals.filter((p) => p.kind === "offer")).toHaveLength(0);
  });
});
