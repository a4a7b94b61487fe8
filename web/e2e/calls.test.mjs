// End-to-end: voice and video calls (issue 18) between Chromium contexts
// with fake media devices (--use-fake-device-for-media-stream: a test
// pattern and a beep; --use-fake-ui-for-media-stream: permissions and the
// screen picker answered yes). Ana calls Bo in their direct conversation:
// Bo's tab rings, he accepts, and each sees the other's video frames
// arriving (RTCPeerConnection.getStats(): inbound-rtp framesDecoded
// increasing, read through the window.backchannelCalls hook the client
// sets only with the test flag in localStorage). The call setup time
// (Ana's click to her first decoded remote frame) is printed. Ana mutes
// (Bo sees it), shares her screen (frames keep arriving), lists devices,
// leaves for #general (the mini view) and comes back; Bo's network drops
// and returns (he rejoins with his new connection and frames flow again);
// both hang up.
// Then Ana calls Cy, who is not online, and hangs up: the timeline says
// "Missed call from Ana" when Cy signs in. Three people in #general (the
// banner, join, a full mesh; axe on the call view), and a refused
// camera/microphone (a clear message, no call).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { startStack, waitFor } from "./stack.mjs";
import { SCREENS, axeCheck, messages, openPage, send, signUp } from "./helpers.mjs";

let stack;
const run = Date.now().toString(36);
const person = (name, password) => ({ name, password, email: `${name.toLowerCase()}-call-${run}@example.com` });
const ana = person("Ana", "correct horse 1");
const bo = person("Bo", "battery staple 2");
const cy = person("Cy", "tr0ub4dor and 3");
let pageA, pageB;

const callSetup = async (ctx) => {
  await ctx.grantPermissions(["camera", "microphone"]);
  await ctx.addInitScript(() => localStorage.setItem("backchannel.testCalls", "1"));
};

before(async () => {
  stack = await startStack({ logName: "stack-calls.log", browserArgs: ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"] });
}, { timeout: 300_000 });

after(async () => {
  await stack?.stop();
});

// framesDecoded: the video frames decoded so far over all of the page's
// peer connections (-1 when not in a call).
function framesDecoded(page) {
  return page.evaluate(async () => {
    const a = window.backchannelCalls?.active;
    if (!a) return -1;
    let n = 0;
    for (const p of a.peers.values()) {
      const stats = await p.pc.getStats();
      stats.forEach((r) => {
        if (r.type === "inbound-rtp" && r.kind === "video") n += r.framesDecoded ?? 0;
      });
    }
    return n;
  });
}

async function framesGrow(page, who) {
  const first = await waitFor(async () => {
    const n = await framesDecoded(page);
    return n > 0 && n;
  }, `${who}: remote video frames`);
  await waitFor(async () => (await framesDecoded(page)) > first + 5, `${who}: remote video frames increasing`);
}

test("Ana video calls Bo in their DM: ringing, accept, frames both ways, mute, screen share, devices, mini view, rejoin after a reconnect, hang up", { timeout: 240_000 }, async () => {
  pageB = await openPage(stack, { setup: callSetup });
  await signUp(stack, pageB, bo);
  pageA = await openPage(stack, { setup: callSetup });
  await signUp(stack, pageA, ana);
  await pageA.locator("aside.members button.member", { hasText: "Bo" }).click();
  await pageA.getByRole("heading", { name: /Bo/ }).waitFor();
  await send(pageA, "call you in a second");
  await messages(pageB).isVisible();
  await pageB.locator("nav.sidebar .room-link", { hasText: "Ana" }).waitFor();

  const t0 = Date.now();
  await pageA.getByRole("button", { name: "Start video call" }).click();
  const ring = pageB.getByRole("alertdialog", { name: "Ana is video calling" });
  await ring.waitFor();
  // Keyboard: the prompt takes the focus on Accept.
  await waitFor(() => pageB.evaluate(() => document.activeElement?.textContent === "Accept"), "Accept focused");
  await pageB.screenshot({ path: join(SCREENS, "calls-ringing.png") });
  const tRing = Date.now();
  await ring.getByRole("button", { name: "Accept" }).click();
  const tAccept = Date.now();
  await waitFor(async () => (await framesDecoded(pageA)) > 0, "Ana's first remote frame", 30_000);
  const tFrame = Date.now();
  console.log(
    `call setup: Ana's click to her first decoded remote frame ${tFrame - t0} ms ` +
      `(to Bo's ringing prompt ${tRing - t0} ms; to his accept click ${tAccept - tRing} ms, a screenshot and a focus check; accept to first frame ${tFrame - tAccept} ms; polled every 200 ms)`,
  );
  await framesGrow(pageA, "Ana");
  await framesGrow(pageB, "Bo");
  // Both in the DM's call view with two tiles.
  await pageB.getByRole("heading", { name: /Ana/ }).waitFor();
  await waitFor(async () => (await pageA.locator(".call-view .call-tile").count()) === 2, "two tiles for Ana");
  await pageA.screenshot({ path: join(SCREENS, "calls-active.png") });

  // Mute: Bo sees Ana's microphone off.
  await pageA.getByRole("button", { name: "Mute microphone" }).click();
  await pageA.getByRole("button", { name: "Unmute microphone" }).waitFor();
  await pageB.locator(".call-tile").getByLabel("Microphone off").waitFor();

  // Screen sharing: Bo sees the flag and frames keep arriving.
  await pageA.getByRole("button", { name: "Share screen" }).click();
  await pageA.getByRole("button", { name: "Stop sharing" }).waitFor();
  await pageB.locator(".call-tile").getByLabel("Sharing the screen").waitFor();
  await framesGrow(pageB, "Bo (Ana's screen)");
  await pageB.screenshot({ path: join(SCREENS, "calls-screen-share.png") });

  // Device selection lists the fake devices.
  await pageA.getByRole("button", { name: "Devices" }).click();
  await waitFor(async () => (await pageA.getByLabel("Camera").locator("option").count()) > 0, "cameras listed");

  // A phone's width: one column, controls visible.
  await pageB.setViewportSize({ width: 390, height: 800 });
  await pageB.screenshot({ path: join(SCREENS, "calls-phone.png") });
  await pageB.setViewportSize({ width: 1280, height: 800 });

  // Ana goes to #general: the mini view keeps the call.
  await pageA.locator("nav.sidebar .room-link", { hasText: "general" }).click();
  await pageA.locator(".call-view.mini").waitFor();
  // Bo's video plays in it (not a black box).
  await waitFor(() => pageA.locator(".call-view.mini video").evaluate((v) => v.readyState >= 2 && v.videoWidth > 0 && !v.paused), "the mini view's video playing");
  await pageA.waitForTimeout(200); // a painted frame, for the picture only
  await pageA.screenshot({ path: join(SCREENS, "calls-mini.png") });
  await pageA.locator(".call-view.mini").getByRole("button", { name: "Back to the call" }).click();
  await pageA.locator(".call-view:not(.mini)").waitFor();

  // A reconnect: Bo's network drops and comes back; he joins again with his
  // new connection, offers anew, and Ana gets his video over the new peer.
  const oldConn = await pageB.evaluate(() => window.backchannel.connectionId);
  await pageB.context().setOffline(true);
  await waitFor(() => pageB.evaluate(() => window.backchannel.status !== "online"), "Bo offline");
  await pageB.context().setOffline(false);
  const newConn = await waitFor(() => pageB.evaluate((old) => window.backchannel.status === "online" && window.backchannel.connectionId !== old && window.backchannel.connectionId, oldConn), "Bo back with a new connection", 60_000);
  await waitFor(() => pageB.evaluate((c) => window.backchannelCalls.active?.connectionId === c, newConn), "Bo rejoined with it");
  await waitFor(async () => {
    const keys = await pageA.evaluate(() => [...(window.backchannelCalls.active?.peers.keys() ?? [])]);
    const f = await perPeerFrames(pageA);
    return keys.length === 1 && keys[0] === newConn && f[0] > 0;
  }, "Ana decoding Bo's video over the new peer", 60_000);

  await pageA.getByRole("button", { name: "Hang up" }).click();
  await waitFor(async () => (await framesDecoded(pageA)) === -1, "Ana out of the call");
  await pageB.getByRole("button", { name: "Hang up" }).click();
  await waitFor(async () => (await framesDecoded(pageB)) === -1, "Bo out of the call");
  await pageA.locator(".call-view").waitFor({ state: "detached" });
});

test("a call Cy never answered (not online) shows as a missed call in the timeline", { timeout: 180_000 }, async () => {
  const pageC = await openPage(stack, { setup: callSetup });
  await signUp(stack, pageC, cy);
  await pageC.context().close();
  await pageA.locator("nav.sidebar .room-link", { hasText: "general" }).click();
  await pageA.locator("aside.members button.member", { hasText: "Cy" }).click();
  await pageA.getByRole("heading", { name: /Cy/ }).waitFor();
  await pageA.getByRole("button", { name: "Start voice call" }).click();
  await pageA.locator(".call-view").waitFor();
  await pageA.getByText("Waiting for others to join…").waitFor();
  await pageA.getByRole("button", { name: "Hang up" }).click();
  await messages(pageA).getByText("Ana called: missed by Cy").waitFor();

  const pageC2 = await openPage(stack, { setup: callSetup });
  await pageC2.goto(stack.info.webUrl);
  await pageC2.getByLabel("Email").fill(cy.email);
  await pageC2.getByLabel("Password").fill(cy.password);
  await pageC2.locator("form").getByRole("button", { name: "Sign in" }).click();
  await pageC2.getByRole("heading", { name: /#general/ }).waitFor();
  await pageC2.locator("nav.sidebar .room-link", { hasText: "Ana" }).click();
  await messages(pageC2).getByText("Missed call from Ana").waitFor();
  await pageC2.screenshot({ path: join(SCREENS, "calls-missed.png") });
  assert.ok(true);
});

// perPeerFrames: the video frames decoded from each peer of the page's call.
function perPeerFrames(page) {
  return page.evaluate(async () => {
    const a = window.backchannelCalls?.active;
    if (!a) return [];
    const out = [];
    for (const p of a.peers.values()) {
      let n = 0;
      (await p.pc.getStats()).forEach((r) => {
        if (r.type === "inbound-rtp" && r.kind === "video") n += r.framesDecoded ?? 0;
      });
      out.push(n);
    }
    return out;
  });
}

test("three people in a channel call: the banner, join, a full mesh with frames from everyone; axe on the call view", { timeout: 180_000 }, async () => {
  const dee = person("Dee", "purple monkey 4");
  const pageD = await openPage(stack, { setup: callSetup });
  await signUp(stack, pageD, dee);
  for (const p of [pageA, pageB]) await p.locator("nav.sidebar .room-link", { hasText: "general" }).click();
  await pageA.getByRole("button", { name: "Start video call" }).click();
  await pageA.locator(".call-view").waitFor();
  for (const p of [pageB, pageD]) {
    const banner = p.getByRole("status").filter({ hasText: "Call in progress" });
    await banner.waitFor();
    await banner.getByRole("button", { name: "Join" }).click();
  }
  for (const [p, who] of [
    [pageA, "Ana"],
    [pageB, "Bo"],
    [pageD, "Dee"],
  ]) {
    await waitFor(async () => {
      const f = await perPeerFrames(p);
      return f.length === 2 && f.every((n) => n > 0);
    }, `${who}: frames from both others`);
    await waitFor(async () => (await p.locator(".call-view .call-tile").count()) === 3, `${who}: three tiles`);
  }
  await pageD.screenshot({ path: join(SCREENS, "calls-three.png") });
  await axeCheck(pageA, "the call view");
  for (const p of [pageA, pageB, pageD]) {
    await p.getByRole("button", { name: "Hang up" }).click();
    await waitFor(async () => (await framesDecoded(p)) === -1, "out of the call");
  }
  await pageA.getByRole("status").filter({ hasText: "Call in progress" }).waitFor({ state: "detached" });
});

test("a refused camera and microphone: a clear message, no call", { timeout: 120_000 }, async () => {
  const eve = person("Eve", "hunter2 hunter 5");
  const pageE = await openPage(stack, {
    setup: async (ctx) => {
      await ctx.addInitScript(() => {
        navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException("Permission denied", "NotAllowedError"));
      });
    },
  });
  await signUp(stack, pageE, eve);
  await pageE.getByRole("button", { name: "Start video call" }).click();
  await pageE.getByRole("alert").filter({ hasText: "The browser refused the microphone or camera" }).waitFor();
  assert.equal(await pageE.locator(".call-view").count(), 0);
  await pageE.screenshot({ path: join(SCREENS, "calls-denied.png") });
  // The header's call buttons fit a 360 px screen.
  await pageE.setViewportSize({ width: 360, height: 740 });
  const width = await pageE.evaluate(() => document.documentElement.scrollWidth);
  await pageE.screenshot({ path: join(SCREENS, "calls-header-360.png") });
  assert.ok(width <= 360, `page is ${width}px wide at a 360px viewport`);
  await pageE.setViewportSize({ width: 1280, height: 800 });
  await pageE.getByRole("button", { name: "Dismiss" }).click();
  await pageE.getByRole("alert").filter({ hasText: "refused" }).waitFor({ state: "detached" });
});
