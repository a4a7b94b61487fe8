// @vitest-environment jsdom
// The call view: a peer whose connection failed gets a clear message with
// the ICE state in a details panel; muted and sharing marks; the grid's
// columns; the mini view offers the way back; the incoming-call prompt
// names the caller; the missed-call line reads as words.
import { describe, expect, it } from "vitest";
import { h, render, type ComponentChild } from "preact";
import { act } from "preact/test-utils";
import { AppContext, type AppCtx } from "../../src/ui/common/context";
import { CallView, IncomingCall } from "../../src/ui/calls/Calls";
import { translator } from "../../src/i18n";
import { initialState, reduce } from "../../src/state/store";
import type { Chat } from "../../src/state/chat";
import type { CallsEngine } from "../../src/features/calls";
import { BOB, room, stateFrame } from "../fixtures";

const t = translator("en");
const stream = () => ({ getVideoTracks: () => [], getAudioTracks: () => [], getTracks: () => [] }) as unknown as MediaStream;

function mount(calls: Partial<CallsEngine>, node: ComponentChild) {
  const state = reduce(initialState, stateFrame([room("g"), room("d", { kind: "direct", memberIds: ["me", "bob"], name: "" })], [BOB]));
  const chat = { state, status: "online", subscribe: () => () => {}, announce: () => {} } as unknown as Chat;
  const app = { chat, t, prefs: { lang: "en", sound: false }, calls } as unknown as AppCtx;
  const root = document.createElement("div");
  document.body.appendChild(root);
  act(() => render(h(AppContext.Provider, { value: app }, node), root));
  return root;
}

const call = {
  callId: "d/c1",
  roomId: "d",
  state: "active",
  video: true,
  startedBy: "me",
  startedAt: "",
  participants: [
    { userId: "me", connectionId: "M1", joinedAt: "", audio: true, video: true, screen: false },
    { userId: "bob", connectionId: "B1", joinedAt: "", audio: false, video: true, screen: true },
  ],
  rung: [],
  joined: [],
  maxSize: 6,
  expiresAt: "",
};

function engine(conn: RTCPeerConnectionState, ice: RTCIceConnectionState): Partial<CallsEngine> {
  return {
    active: {
      call,
      local: stream(),
      camera: null,
      mic: null,
      screen: null,
      media: { audio: true, video: true, screen: false },
      peers: new Map([["B1", { connectionId: "B1", userId: "bob", pc: {} as RTCPeerConnection, remote: stream(), ice, conn, pending: [], localTypes: ["host"], offerer: false, restarts: 0 }]]),
      iceServers: [{ urls: ["turn:t.example:443"] }],
      iceValidUntil: Infinity,
      connectionId: "M1",
    },
    rooms: new Map(),
    ringing: new Map(),
    speaking: new Set(["B1"]),
    devices: { audioinput: [], videoinput: [] },
    error: "",
  } as Partial<CallsEngine>;
}

describe("the call view", () => {
  it("says a peer cannot connect, with the ICE state in a details panel", () => {
    const root = mount(engine("failed", "failed"), h(CallView, { mini: false, onOpen: () => {} }));
    const alert = root.querySelector(".call-peer-error")!;
    expect(alert.getAttribute("role")).toBe("alert");
    expect(alert.textContent).toContain(`Cannot connect to ${BOB.displayName}`);
    expect(alert.querySelector("details summary")!.textContent).toBe("Connection details");
    expect(alert.textContent).toContain("ICE: failed · connection: failed · my candidates: host");
    expect(alert.textContent).toContain("ICE servers: 1 (TURN: yes)");
  });

  it("marks the muted, sharing and speaking peer, two columns, a labelled toolbar", () => {
    const root = mount(engine("connected", "connected"), h(CallView, { mini: false, onOpen: () => {} }));
    expect(root.querySelector(".call-peer-error")).toBeNull();
    const tile = root.querySelector('[data-connection="B1"]')!;
    expect(tile.classList.contains("speaking")).toBe(true);
    expect(tile.querySelector('[aria-label="Microphone off"]')).not.toBeNull();
    expect(tile.querySelector('[aria-label="Sharing the screen"]')).not.toBeNull();
    expect((root.querySelector(".call-grid") as HTMLElement).style.gridTemplateColumns).toBe("repeat(2, minmax(0, 1fr))");
    const labels = [...root.querySelectorAll('[role="toolbar"] button')].map((b) => b.getAttribute("aria-label"));
    expect(labels).toEqual(["Mute microphone", "Turn camera off", "Share screen", "Devices", "Hang up"]);
  });

  it("in the mini view, offers the way back to the call's room", () => {
    let opened = "";
    const root = mount(engine("connected", "connected"), h(CallView, { mini: true, onOpen: (id: string) => (opened = id) }));
    (root.querySelector(".call-view.mini .btn") as HTMLButtonElement).click();
    expect(opened).toBe("d");
  });

  it("rings with the caller's name, Accept focused; Escape declines", () => {
    const declined: string[] = [];
    const calls = { ...engine("new", "new"), active: null, decline: (id: string) => declined.push(id), ringing: new Map([["d/c1", { call: { ...call, state: "ringing" }, from: BOB }]]) } as unknown as Partial<CallsEngine>;
    const root = mount(calls, h(IncomingCall, { onOpen: () => {} }));
    expect(root.querySelector('[role="alertdialog"]')!.textContent).toContain(`${BOB.displayName} is video calling`);
    expect(document.activeElement?.textContent).toBe("Accept");
    root.querySelector('[role="alertdialog"]')!.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
    expect(declined).toEqual(["d/c1"]);
  });
});
