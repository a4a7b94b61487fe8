// Attention: browser notifications while the tab is hidden, a short sound
// synthesized with WebAudio (no file to fetch), and the unread count in the
// document title.
let audio: AudioContext | null = null;
// Counts pings, so that of the pings waiting on a suspended context only
// the newest one beeps.
let pings = 0;

export function playPing(): void {
  try {
    const Ctx = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!Ctx) return;
    const ctx = (audio ??= new Ctx());
    const ping = ++pings;
    if (ctx.state === "suspended") {
      // A context made before any user gesture starts suspended and stays
      // so until resume() is called once the user has interacted: ask on
      // every ping, and beep when (if) it runs.
      ctx
        .resume()
        .then(() => ping === pings && beep(ctx))
        .catch(() => {});
      return;
    }
    beep(ctx);
  } catch {
    /* audio not allowed yet (no user gesture): stay silent */
  }
}

function beep(ctx: AudioContext): void {
  const now = ctx.currentTime;
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.type = "sine";
  osc.frequency.setValueAtTime(880, now);
  osc.frequency.exponentialRampToValueAtTime(660, now + 0.15);
  gain.gain.setValueAtTime(0.0001, now);
  gain.gain.exponentialRampToValueAtTime(0.15, now + 0.01);
  gain.gain.exponentialRampToValueAtTime(0.0001, now + 0.25);
  osc.connect(gain).connect(ctx.destination);
  osc.start(now);
  osc.stop(now + 0.3);
}

export type Permission = "granted" | "denied" | "default" | "unsupported";

export function notificationPermission(): Permission {
  return typeof Notification === "undefined" ? "unsupported" : Notification.permission;
}

// askPermission must run from a user gesture (a button), never on load.
export async function askPermission(): Promise<Permission> {
  if (typeof Notification === "undefined") return "unsupported";
  return Notification.requestPermission();
}

export function showNotification(title: string, body: string, tag: string, onClick: () => void): void {
  if (notificationPermission() !== "granted") return;
  try {
    const n = new Notification(title, { body, tag });
    n.onclick = () => {
      window.focus();
      onClick();
      n.close();
    };
  } catch {
    /* some platforms only allow notifications from a service worker */
  }
}

export function titleWithUnread(base: string, unread: number): string {
  return unread > 0 ? `(${unread > 99 ? "99+" : unread}) ${base}` : base;
}
