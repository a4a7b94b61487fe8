// The embeddable support widget (docs/SUPPORT.md "## Embedding"):
//
//	<script src="https://<deployment>/widget/v1/widget.js" data-widget="wid_…" async></script>
//
// It reads data-widget (and data-lang) from its own script tag, asks the
// script's origin for the widget's config (the deployment refuses origins
// the widget does not allow), and renders a launcher and a panel inside a
// shadow root: its CSS stays inside, the page's stays out. The page's
// origin is the one the WebSocket's authorizer checks. Nothing it does may
// throw into the host page: every failure is caught and logged.
import { render } from "preact";
import { Refused, VisitorSession, localStore } from "./api";
import { WidgetClient } from "./client";
import { onPrimary } from "./color";
import { STRINGS, pickLang } from "./i18n";
import { App } from "./ui";
import css from "./widget.css?inline";
import type { Identity, WidgetConfig } from "./wire";

const LOG = "Backchannel:";

interface Api {
  identify(id: Identity): void;
  open(): void;
  close(): void;
  q?: unknown[][];
}

declare global {
  interface Window {
    BackchannelWidget?: Partial<Api>;
  }
}

// The script tag is known only while it runs for the first time.
const script = (document.currentScript as HTMLScriptElement | null) ?? document.querySelector<HTMLScriptElement>("script[data-widget]");

async function boot(): Promise<void> {
  if (!script) {
    console.warn(LOG, "no script tag with data-widget");
    return;
  }
  const widgetId = script.dataset.widget ?? "";
  if (!/^wid_[A-Za-z0-9_-]+$/.test(widgetId)) {
    console.warn(LOG, "data-widget is missing or not a widget id");
    return;
  }
  const origin = new URL(script.src, location.href).origin;
  const session = new VisitorSession(`${origin}/widget/v1/${widgetId}`, localStore(widgetId));
  // A support mail's link reopens its conversation: #bc-reopen=<token>.
  // The fragment is dropped from the address at once (not bookmarked, not
  // shared), and the panel opens on that conversation.
  const reopen = /(?:^#|&)bc-reopen=([A-Za-z0-9._~-]+)/.exec(location.hash);
  if (reopen) {
    session.reopenToken = reopen[1];
    try {
      history.replaceState(history.state, "", location.pathname + location.search);
    } catch {
      /* a sandboxed page: the token stays in the address */
    }
  }

  // Calls made before the widget is ready wait in a queue.
  let client: WidgetClient | null = null;
  let identity: Identity | null = null;
  let wantOpen: boolean | null = null;
  const api: Api = {
    identify(id) {
      if (!id || typeof id.userId !== "string" || typeof id.signature !== "string") {
        console.warn(LOG, "identify needs {userId, email, name, ts, signature}");
        return;
      }
      id = { ...id, ts: Number(id.ts) };
      identity = id;
      session.identity = id;
      client?.reidentify();
    },
    open() {
      if (client) client.setOpen(true);
      else wantOpen = true;
    },
    close() {
      if (client) client.setOpen(false);
      else wantOpen = false;
    },
  };
  const queued = window.BackchannelWidget?.q ?? [];
  window.BackchannelWidget = api;
  for (const [name, ...args] of queued) {
    try {
      (api[name as "identify"] as (...a: unknown[]) => void)?.(...args);
    } catch (err) {
      console.warn(LOG, err);
    }
  }

  let config: WidgetConfig;
  try {
    config = await session.config();
  } catch (err) {
    // A refused origin gets a 403 without CORS headers, which the browser
    // shows the page as a failed fetch, like an unreachable server.
    if (err instanceof Refused) console.warn(LOG, `chat is not available on this site (${err.message || "origin not allowed"})`);
    else console.warn(LOG, `chat is not available on this site (${location.origin} is not among the widget's allowed origins, or ${origin} cannot be reached)`);
    return;
  }
  const host = document.createElement("div");
  host.id = "backchannel-widget";
  host.setAttribute("data-state", "loading");
  const root = host.attachShadow({ mode: "open" });
  const style = document.createElement("style");
  style.textContent = css;
  root.appendChild(style);
  const mount = document.createElement("div");
  root.appendChild(mount);
  document.body.appendChild(host);

  const lang = pickLang(script.dataset.lang, config.languages, navigator.languages ?? [navigator.language]);
  const primary = /^#[0-9a-f]{6}$/i.test(config.appearance?.primaryColor ?? "") ? config.appearance!.primaryColor! : "#2f5bd3";
  client = new WidgetClient(session, config);
  if (identity) session.identity = identity;
  render(<App client={client} t={STRINGS[lang]} lang={lang} primary={primary} onPrimary={onPrimary(primary)} left={config.appearance?.position === "left"} />, mount);
  client.subscribe(() => host.setAttribute("data-state", client!.state.conn === "refused" ? "refused" : "ready"));
  host.setAttribute("data-state", "ready");
  performance.mark?.("backchannel-widget-ready");
  // A returning visitor with a conversation reconnects at once (replies
  // while away show as unread on the launcher).
  if (session.store.load().roomId) void client.connect();
  if (session.reopenToken) client.setOpen(true);
  else if (wantOpen !== null) client.setOpen(wantOpen);
}

function start(): void {
  boot().catch((err) => console.warn(LOG, err));
}

try {
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start, { once: true });
} catch (err) {
  console.warn(LOG, err);
}
