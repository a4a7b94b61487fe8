// End-to-end: the installable app and notifications through the service
// worker (issue 13), on a stack of its own. The manifest is valid and its
// icons load at their sizes; the service worker registers and controls the
// page; the app loads offline (from the worker's cache) and shows its own
// offline state; a push message becomes a notification; clicking one opens
// its room at the message in the open tab, and a new window at
// /?room=&seq= does the same; the room's notification menu mutes a room.
// Needs the server part of issue 13 (skipped until the server sends
// preferences): preferences set in one browser show in another.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { mkdirSync } from "node:fs";
import { ARTIFACTS, startStack, waitFor } from "./stack.mjs";
import { axeCheck, clickNotification, messages, notifications, openPage, send, signUp, worker } from "./helpers.mjs";

let stack;
const run = Date.now().toString(36);
const ann = { name: "Ann Pwa", password: "correct horse 1", email: `ann-pwa-${run}@example.com` };
let page;
const shots = join(ARTIFACTS, "screens");

before(async () => {
  stack = await startStack({ logName: "stack-pwa.log" });
  mkdirSync(shots, { recursive: true });
  page = await openPage(stack, {
    setup: (ctx) => ctx.grantPermissions(["notifications"], { origin: new URL(stack.info.webUrl).origin }),
  });
  await signUp(stack, page, ann);
}, { timeout: 300_000 });

after(async () => {
  await stack?.stop();
});

// pngSize reads a PNG's width and height from its IHDR chunk.
function pngSize(buf) {
  assert.equal(buf.subarray(1, 4).toString("latin1"), "PNG", "a PNG");
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

test("the manifest is valid and linked, its icons load at their sizes", async () => {
  const href = await page.locator('link[rel="manifest"]').getAttribute("href");
  const res = await page.request.get(new URL(href, stack.info.webUrl).href);
  assert.equal(res.status(), 200);
  assert.match(res.headers()["content-type"], /^application\/manifest\+json/);
  const m = await res.json();
  assert.equal(m.name, "Backchannel");
  assert.equal(m.short_name, "Backchannel");
  assert.equal(m.start_url, "/");
  assert.equal(m.scope, "/");
  assert.equal(m.display, "standalone");
  assert.match(m.theme_color, /^#[0-9a-f]{6}$/i);
  assert.match(m.background_color, /^#[0-9a-f]{6}$/i);
  const purposes = new Set();
  for (const icon of m.icons) {
    const r = await page.request.get(new URL(icon.src, stack.info.webUrl).href);
    assert.equal(r.status(), 200, icon.src);
    assert.equal(r.headers()["content-type"], "image/png", icon.src);
    const { width, height } = pngSize(await r.body());
    assert.equal(`${width}x${height}`, icon.sizes, `${icon.src} is ${icon.sizes}`);
    purposes.add(`${icon.sizes} ${icon.purpose}`);
  }
  // Installability wants a 192 and a 512 icon; Android a maskable one.
  for (const want of ["192x192 any", "512x512 any", "512x512 maskable"]) assert.ok(purposes.has(want), want);
  assert.equal(await page.locator('meta[name="theme-color"]').getAttribute("content"), m.theme_color);
});

test("the service worker registers, precaches the shell and controls the page", async () => {
  const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
  assert.equal(scope, stack.info.webUrl);
  const script = await page.evaluate(async () => (await navigator.serviceWorker.ready).active.scriptURL);
  assert.equal(new URL(script).pathname, "/sw.js");
  // The worker claims the page it was installed from.
  await waitFor(() => page.evaluate(() => !!navigator.serviceWorker.controller), "the page controlled");
  const cached = await page.evaluate(async () => {
    const names = await caches.keys();
    const shell = names.find((n) => n.startsWith("backchannel-shell-"));
    return shell ? (await (await caches.open(shell)).keys()).map((r) => new URL(r.url).pathname) : [];
  });
  assert.ok(cached.includes("/"), `the page in the cache: ${cached}`);
  assert.ok(cached.some((p) => /^\/assets\/index-.*\.js$/.test(p)), `the bundle in the cache: ${cached}`);
  // Chromium's own installability check (what Lighthouse's installable
  // audit reported): the manifest, its icons, the worker, served securely
  // (localhost counts). "in-incognito" is the test's browser context
  // (Playwright's contexts are off the record), not the app.
  const cdp = await page.context().newCDPSession(page);
  const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
  assert.deepEqual(installabilityErrors.filter((e) => e.errorId !== "in-incognito"), [], "Chromium finds the app installable");
  const { url, errors } = await cdp.send("Page.getAppManifest");
  assert.equal(new URL(url).pathname, "/manifest.webmanifest");
  assert.deepEqual(errors, [], "the manifest parses without errors");
  await cdp.detach();
});

test("offline, the app still loads from the worker and shows its offline state", async () => {
  const ctx = page.context();
  await ctx.setOffline(true);
  try {
    const res = await page.reload();
    assert.equal(res?.fromServiceWorker(), true, "the page came from the service worker");
    await page.locator(".banner.offline", { hasText: "You are offline" }).waitFor();
    // The app itself, not a browser error page: the sidebar and the pane.
    await page.locator("nav.sidebar").waitFor();
    await page.locator(".empty-pane", { hasText: "You are offline" }).waitFor();
    await page.screenshot({ path: join(shots, "pwa-offline-light-1280.png") });
    await axeCheck(page, "the app offline");
  } finally {
    await ctx.setOffline(false);
  }
  // Back online: connected again, without a reload.
  await waitFor(() => page.evaluate(() => window.backchannel?.status === "online"), "online again", 60_000);
  await page.getByRole("heading", { name: /#general/ }).waitFor();
});

test("a push message shows as a notification: the room, 'sender: preview', tag, the message in data", async () => {
  await (await worker(page)).evaluate(() => {
    const data = JSON.stringify({ v: 1, roomId: "general", seq: 1, room: "#general", sender: "Bo", preview: "lunch at noon?", tag: "general" });
    self.dispatchEvent(new PushEvent("push", { data }));
  });
  const shown = await waitFor(async () => (await notifications(page, "general"))[0], "the notification");
  assert.equal(shown.title, "#general");
  assert.equal(shown.body, "Bo: lunch at noon?");
  assert.deepEqual(shown.data, { roomId: "general", seq: 1 });
  assert.match(shown.icon, /\/icons\/icon-192\.png$/);
  assert.match(shown.badge, /\/icons\/badge-96\.png$/);
  // Clicking it closes it.
  assert.equal(await clickNotification(page, "general"), true);
  await waitFor(async () => (await notifications(page, "general")).length === 0, "the clicked notification closed");
});

test("clicking a notification opens its message in the open tab; a new window opens at ?room=&seq=", { timeout: 180_000 }, async () => {
  // A message with enough after it to be out of view at the bottom.
  const target = `the one to open ${run}`;
  await send(page, target);
  for (let i = 0; i < 24; i++) await send(page, `filler ${i}`);
  await messages(page).locator(".msg", { hasText: "filler 23" }).waitFor();
  const seq = await page.evaluate((t) => window.backchannel.state.messages.general.find((m) => m.text === t)?.seq, target);
  assert.ok(seq > 0);
  // Another room open.
  await page.getByRole("button", { name: "Create a channel" }).click();
  await page.getByRole("dialog", { name: "Create a channel" }).getByLabel("Name").fill(`side-${run}`);
  await page.getByRole("dialog", { name: "Create a channel" }).getByRole("button", { name: "Create" }).click();
  await page.getByRole("heading", { name: new RegExp(`#side-${run}`) }).waitFor();

  // The page's own notification path: shown through the registration with
  // the message in data; the worker's click sends the tab there.
  await page.evaluate(
    async ({ seq }) => {
      const reg = await navigator.serviceWorker.ready;
      await reg.showNotification("Bo in #general", { body: "the one", tag: "general", data: { roomId: "general", seq } });
    },
    { seq },
  );
  assert.equal(await clickNotification(page, "general"), true);
  await page.getByRole("heading", { name: /#general/ }).waitFor();
  const msg = messages(page).locator(`[data-seq="${seq}"]`);
  await msg.waitFor();
  await waitFor(async () => {
    const box = await msg.boundingBox();
    const list = await messages(page).boundingBox();
    return box && list && box.y >= list.y && box.y + Math.min(box.height, 20) <= list.y + list.height;
  }, "the message in view");
  await page.screenshot({ path: join(shots, "pwa-opened-from-notification-light-1280.png") });

  // No tab open: the worker opens /?room=&seq=, which the app opens the
  // same way (and then shows "/" in the address bar). Loaded in this tab
  // (a session without "remember me" lives in the tab's sessionStorage).
  await page.getByRole("link", { name: new RegExp(`side-${run}`) }).or(page.locator(`nav.sidebar .room-link`, { hasText: `side-${run}` })).first().click();
  await page.getByRole("heading", { name: new RegExp(`#side-${run}`) }).waitFor();
  await page.goto(new URL(`/?room=general&seq=${seq}`, stack.info.webUrl).href);
  await page.getByRole("heading", { name: /#general/ }).waitFor();
  await messages(page).locator(`[data-seq="${seq}"]`).waitFor();
  await waitFor(async () => new URL(page.url()).search === "", "the address back to /");
});

test("the room's notification menu sets the level and mutes the room; the sidebar shows it muted", async () => {
  await page.getByRole("button", { name: "Notifications", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: /Notifications for #general/ });
  await dialog.waitFor();
  await axeCheck(page, "the room's notifications dialog");
  await page.screenshot({ path: join(shots, "pwa-room-notify-light-1280.png") });
  // Without the server part, the change is refused and rolled back;
  // with it, it sticks (checked below when the server sends preferences).
  const server = await page.evaluate(() => !!window.backchannel.state.preferences);
  await dialog.getByRole("button", { name: "For 1 hour" }).click();
  if (server) {
    await dialog.getByText(/Muted until/).waitFor();
    await page.getByRole("button", { name: "Close" }).click();
    await page.locator('nav.sidebar .room-link.muted[data-room="general"]').waitFor();
  } else {
    await dialog.getByRole("alert").waitFor();
    await page.getByRole("button", { name: "Close" }).click();
  }
  // The settings' notification section, down to do-not-disturb.
  await page.getByRole("button", { name: "Settings", exact: true }).click();
  const settings = page.getByRole("dialog", { name: "Settings", exact: true });
  await settings.getByLabel("Pause notifications on a schedule").scrollIntoViewIfNeeded();
  assert.equal(await settings.getByLabel("Time zone").inputValue(), await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone), "the time zone defaults to the browser's");
  await page.screenshot({ path: join(shots, "pwa-settings-notify-light-1280.png") });
  await axeCheck(page, "the settings with notifications");
  await page.getByRole("button", { name: "Close" }).click();
});

// Runs when the server sends preferences (the server part of issue 13,
// merged by the lead); skipped on a branch without it.
test("preferences set in one browser show in another", { timeout: 120_000 }, async (t) => {
  const other = await openPage(stack);
  await other.goto(stack.info.webUrl);
  await other.getByLabel("Email").fill(ann.email);
  await other.getByLabel("Password", { exact: true }).fill(ann.password);
  await other.locator("form").getByRole("button", { name: "Sign in" }).click();
  await waitFor(() => other.evaluate(() => window.backchannel?.status === "online"), "the other browser online");
  const hasServer = await other.evaluate(() => window.backchannel.state.preferences !== null);
  if (!hasServer) {
    await other.context().close();
    t.skip("needs the server part of issue 13 (the state event has no preferences here)");
    return;
  }
  // Appearance: dark theme and bubbles in the first browser...
  await page.getByRole("button", { name: "Settings", exact: true }).click();
  const settings = page.getByRole("dialog", { name: "Settings", exact: true });
  await settings.getByLabel("Dark").check();
  await settings.getByLabel("Bubbles").check();
  // ...show in the other at once (pushed to its connection).
  await waitFor(() => other.evaluate(() => document.documentElement.dataset.theme === "dark" && document.documentElement.dataset.layout === "bubble"), "the other browser dark, with bubbles");
  // ...and notification settings, one at a time as a person would (each
  // waited for in the other browser): previews off, quiet hours on.
  const otherNotify = (check, what) =>
    waitFor(() => other.evaluate(check), what).catch(async (err) => {
      const notify = (p) => p.evaluate(() => JSON.stringify(window.backchannel.state.preferences?.notify));
      throw new Error(`${err.message}; this browser holds ${await notify(page)}, the other ${await notify(other)}`);
    });
  // check()/uncheck() click and then make sure the box changed; what the
  // page holds is printed if the other browser does not follow.
  await settings.getByLabel("Show message text in notifications").uncheck();
  await waitFor(async () => !(await settings.getByLabel("Show message text in notifications").isChecked()), "previews off here");
  await otherNotify(() => window.backchannel.state.preferences?.notify.previews === false, "previews off in the other browser");
  await settings.getByLabel("Pause notifications on a schedule").check();
  await waitFor(() => settings.getByLabel("Pause notifications on a schedule").isChecked(), "quiet hours on here");
  await otherNotify(() => window.backchannel.state.preferences?.notify.dnd.enabled === true, "quiet hours on in the other browser");
  await page.getByRole("button", { name: "Close" }).click();
  await other.getByRole("button", { name: "Settings", exact: true }).click();
  const otherSettings = other.getByRole("dialog", { name: "Settings", exact: true });
  assert.equal(await otherSettings.getByLabel("Show message text in notifications").isChecked(), false);
  assert.equal(await otherSettings.getByLabel("Pause notifications on a schedule").isChecked(), true);
  await other.screenshot({ path: join(shots, "pwa-synced-settings-dark-1280.png") });
  // And after a reload of a fresh context (no local cache): still there.
  await other.context().close();
});
