// Calls on screen (issue 18): the call buttons of a room header, the
// "call in progress · join" banner, the incoming-call prompt of a direct
// conversation, and the call view: a grid of tiles (adapting to the count
// and to a phone's width), the controls, clear messages for refused
// permissions and for a peer that cannot connect (with the ICE state in a
// details panel), and a mini view while another room is open.
import { useEffect, useRef, useState } from "preact/hooks";
import { useApp, useChatState } from "../common/context";
import { gridColumns, type CallError, type Peer } from "../../features/calls";
import type { MessageKey } from "../../i18n/en";
import { playPing } from "../../features/notify";

// RING_EVERY_MS: how often a ringing call beeps (the sound preference).
const RING_EVERY_MS = 2000;

const ERRORS: Record<Exclude<CallError, "">, MessageKey> = {
  denied: "calls.errDenied",
  nodevice: "calls.errNoDevice",
  screenDenied: "calls.errScreenDenied",
  full: "calls.errFull",
  failed: "calls.errFailed",
};

// CallButtons: voice and video call buttons for a room's header.
export function CallButtons({ roomId }: { roomId: string }) {
  const { calls, t, chat } = useApp();
  useChatState(chat);
  const inThis = calls.active?.call.roomId === roomId;
  const going = calls.rooms.get(roomId);
  const disabled = calls.busy || !!calls.active || chat.status !== "online";
  if (going && !inThis) return null; // the banner offers to join
  return (
    <>
      <button type="button" class="icon-btn call-btn" aria-label={t("calls.startVoice")} title={t("calls.startVoice")} disabled={disabled} onClick={() => calls.start(roomId, false).catch(() => {})}>
        <span aria-hidden="true">📞</span>
      </button>
      <button type="button" class="icon-btn call-btn video-call-btn" aria-label={t("calls.startVideo")} title={t("calls.startVideo")} disabled={disabled} onClick={() => calls.start(roomId, true).catch(() => {})}>
        <span aria-hidden="true">🎥</span>
      </button>
    </>
  );
}

// CallBanner: a call going on in this room that I am not in.
export function CallBanner({ roomId }: { roomId: string }) {
  const { calls, t, chat } = useApp();
  useChatState(chat);
  const c = calls.rooms.get(roomId);
  if (!c || c.state === "ended" || calls.active?.call.callId === c.callId || calls.ringing.has(c.callId)) return null;
  return (
    <div class="call-banner" role="status">
      <span aria-hidden="true">📞</span> <span>{t("calls.inProgress", { n: c.participants.length })}</span>
      <button type="button" class="btn primary" disabled={calls.busy} onClick={() => calls.join(c.callId).catch(() => {})}>
        {t("calls.join")}
      </button>
    </div>
  );
}

// IncomingCall: a direct conversation's call ringing here.
export function IncomingCall({ onOpen }: { onOpen(roomId: string): void }) {
  const { calls, t, chat, prefs } = useApp();
  useChatState(chat);
  const first = [...calls.ringing.values()][0];
  const accept = useRef<HTMLButtonElement>(null);
  useEffect(() => accept.current?.focus(), [first?.call.callId]);
  const ringing = !!first;
  useEffect(() => {
    if (!ringing || !prefs.sound) return;
    playPing();
    const h = setInterval(playPing, RING_EVERY_MS);
    return () => clearInterval(h);
  }, [ringing, prefs.sound]);
  if (!first) return null;
  const name = first.from?.displayName || chat.state.users[first.call.startedBy]?.displayName || "…";
  const text = t(first.call.video ? "calls.incomingVideo" : "calls.incoming", { name });
  return (
    <div
      class="incoming-call"
      role="alertdialog"
      aria-labelledby="incoming-call-text"
      onKeyDown={(e) => {
        // Escape declines, as it closes a dialog.
        if (e.key === "Escape") {
          e.stopPropagation();
          calls.decline(first.call.callId);
        }
      }}
    >
      <p id="incoming-call-text">
        <span aria-hidden="true">📞 </span>
        {text}
      </p>
      <div class="incoming-call-actions">
        <button
          ref={accept}
          type="button"
          class="btn primary"
          onClick={() => {
            onOpen(first.call.roomId);
            calls.join(first.call.callId).catch(() => {});
          }}
        >
          {t("calls.accept")}
        </button>
        <button type="button" class="btn danger" onClick={() => calls.decline(first.call.callId)}>
          {t("calls.decline")}
        </button>
      </div>
    </div>
  );
}

// Video: a stream in a <video> (srcObject is not an attribute).
function Video({ stream, muted, label }: { stream: MediaStream | null; muted?: boolean; label: string }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const v = ref.current;
    if (v && v.srcObject !== stream) v.srcObject = stream;
  });
  return <video ref={ref} autoPlay playsInline muted={muted} aria-label={label} />;
}

// CallError: the engine's last error in words, dismissable.
export function CallErrorNotice() {
  const { calls, t, chat } = useApp();
  useChatState(chat);
  if (!calls.error) return null;
  return (
    <div class="call-error" role="alert">
      <span>{t(ERRORS[calls.error])}</span>
      <button type="button" class="btn" onClick={() => calls.clearError()}>
        {t("calls.dismiss")}
      </button>
    </div>
  );
}

// CallView: the call I am in; full in its room, a mini view elsewhere.
export function CallView({ onOpen, mini }: { onOpen(roomId: string): void; mini: boolean }) {
  const { calls, t, chat } = useApp();
  const state = useChatState(chat);
  const [devicesOpen, setDevicesOpen] = useState(false);
  const [width, setWidth] = useState(typeof window === "undefined" ? 1200 : window.innerWidth);
  useEffect(() => {
    const on = () => setWidth(window.innerWidth);
    window.addEventListener("resize", on);
    return () => window.removeEventListener("resize", on);
  }, []);
  const a = calls.active;
  if (!a) return null;
  const name = (userId: string) => (userId === (chat.state.me?.userId ?? "") ? t("calls.you") : (state.users[userId]?.displayName ?? "…"));
  const media = (connectionId: string) => a.call.participants.find((p) => p.connectionId === connectionId);
  const peers = [...a.peers.values()];
  // Participants I have no peer for yet (they are about to offer, or I am).
  const waiting = a.call.participants.filter((p) => p.connectionId !== a.connectionId && !a.peers.has(p.connectionId));
  const tiles = 1 + peers.length + waiting.length;
  const cols = mini ? 1 : gridColumns(tiles, width);
  const turn = a.iceServers.some((s) => s.urls.some((u) => u.startsWith("turn")));

  const tile = (p: Peer) => {
    const m = media(p.connectionId);
    const failed = p.conn === "failed" || p.ice === "failed";
    const hasVideo = p.remote.getVideoTracks().length > 0 && m?.video !== false;
    const who = name(p.userId);
    return (
      <li key={p.connectionId} class={`call-tile${calls.speaking.has(p.connectionId) ? " speaking" : ""}${failed ? " failed" : ""}${m?.screen ? " screen" : ""}`} data-connection={p.connectionId}>
        <Video stream={p.remote} label={who} />
        {!hasVideo && (
          <span class="call-avatar" aria-hidden="true">
            {who.slice(0, 1).toUpperCase()}
          </span>
        )}
        <span class="call-name">
          {who}
          {m && !m.audio && <span aria-label={t("calls.muted")} title={t("calls.muted")}> 🔇</span>}
          {m?.screen && <span aria-label={t("calls.sharing")} title={t("calls.sharing")}> 🖥</span>}
          {calls.speaking.has(p.connectionId) && <span class="sr-only"> {t("calls.speaking")}</span>}
        </span>
        {!mini && failed && (
          <div class="call-peer-error" role="alert">
            <p>{t("calls.cannotConnect", { name: who })}</p>
            <details>
              <summary>{t("calls.details")}</summary>
              <p>{t("calls.iceState", { ice: p.ice, conn: p.conn, types: p.localTypes.join(", ") || t("calls.none") })}</p>
              <p>{t("calls.iceServers", { n: a.iceServers.length, turn: turn ? t("calls.yes") : t("calls.no") })}</p>
            </details>
          </div>
        )}
        {!mini && !failed && p.conn !== "connected" && <span class="call-connecting">{t("calls.connecting")}</span>}
      </li>
    );
  };

  return (
    <section class={mini ? "call-view mini" : "call-view"} aria-label={t("calls.region")}>
      <ul class="call-grid" style={{ gridTemplateColumns: `repeat(${cols}, minmax(0, 1fr))` }}>
        {!mini && (
          <li class={`call-tile self${calls.speaking.has(a.connectionId) ? " speaking" : ""}`}>
            <Video stream={a.local} muted label={t("calls.you")} />
            {!a.media.video && !a.media.screen && (
              <span class="call-avatar" aria-hidden="true">
                {name((chat.state.me?.userId ?? "")).slice(0, 1).toUpperCase()}
              </span>
            )}
            <span class="call-name">
              {t("calls.you")}
              {!a.media.audio && <span aria-label={t("calls.muted")} title={t("calls.muted")}> 🔇</span>}
            </span>
          </li>
        )}
        {(mini ? peers.slice(0, 1) : peers).map(tile)}
        {!mini &&
          waiting.map((p) => (
            <li key={p.connectionId} class="call-tile">
              <span class="call-avatar" aria-hidden="true">
                {name(p.userId).slice(0, 1).toUpperCase()}
              </span>
              <span class="call-name">{name(p.userId)}</span>
              <span class="call-connecting">{t("calls.connecting")}</span>
            </li>
          ))}
      </ul>
      {!mini && a.call.participants.length <= 1 && <p class="call-waiting">{t("calls.waiting")}</p>}
      <CallErrorNotice />
      <div class="call-controls" role="toolbar" aria-label={t("calls.region")}>
        {mini && (
          <button type="button" class="btn" onClick={() => onOpen(a.call.roomId)}>
            {t("calls.backToCall")}
          </button>
        )}
        <button type="button" class="call-ctl" aria-pressed={!a.media.audio} aria-label={a.media.audio ? t("calls.mute") : t("calls.unmute")} title={a.media.audio ? t("calls.mute") : t("calls.unmute")} onClick={() => calls.setAudio(!a.media.audio)}>
          <span aria-hidden="true">{a.media.audio ? "🎙" : "🔇"}</span>
        </button>
        {!mini && (
          <>
            <button type="button" class="call-ctl" aria-pressed={!a.media.video} aria-label={a.media.video ? t("calls.cameraOff") : t("calls.cameraOn")} title={a.media.video ? t("calls.cameraOff") : t("calls.cameraOn")} onClick={() => calls.setVideo(!a.media.video)}>
              <span aria-hidden="true">{a.media.video ? "📷" : "🚫"}</span>
            </button>
            <button type="button" class="call-ctl" aria-pressed={a.media.screen} aria-label={a.media.screen ? t("calls.stopShare") : t("calls.share")} title={a.media.screen ? t("calls.stopShare") : t("calls.share")} onClick={() => (a.media.screen ? calls.stopSharing() : calls.shareScreen())}>
              <span aria-hidden="true">🖥</span>
            </button>
            <button
              type="button"
              class="call-ctl"
              aria-expanded={devicesOpen}
              aria-controls="call-devices"
              aria-label={t("calls.devices")}
              title={t("calls.devices")}
              onClick={() => {
                if (!devicesOpen) calls.listDevices().catch(() => {});
                setDevicesOpen(!devicesOpen);
              }}
            >
              <span aria-hidden="true">⚙</span>
            </button>
          </>
        )}
        <button type="button" class="call-ctl hangup" aria-label={t("calls.hangUp")} title={t("calls.hangUp")} onClick={() => calls.hangUp()}>
          <span aria-hidden="true">✆</span>
        </button>
      </div>
      {!mini && devicesOpen && (
        <div id="call-devices" class="call-devices">
          <label>
            {t("calls.microphone")}
            <select value={a.mic?.getSettings?.().deviceId} onChange={(e) => calls.setMic((e.target as HTMLSelectElement).value)}>
              {calls.devices.audioinput.map((d, i) => (
                <option key={d.deviceId} value={d.deviceId}>
                  {d.label || `${t("calls.microphone")} ${i + 1}`}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t("calls.camera")}
            <select value={a.camera?.getSettings?.().deviceId} onChange={(e) => calls.setVideo(true, (e.target as HTMLSelectElement).value)}>
              {calls.devices.videoinput.map((d, i) => (
                <option key={d.deviceId} value={d.deviceId}>
                  {d.label || `${t("calls.camera")} ${i + 1}`}
                </option>
              ))}
            </select>
          </label>
        </div>
      )}
    </section>
  );
}
