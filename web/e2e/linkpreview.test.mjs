// End-to-end check of link previews (issue 14): a link to a page served
// on this machine (a local HTTP server whose port the local stack's
// fetcher is allowed to reach, DEV_UNFURL_LOOPBACK_PORTS) is unfurled by
// the unfurl worker behind the stream and queue, and the preview card
// shows up on the other side, its image loaded without a referrer; the
// sender removes it and it goes on both sides. Its own stack; two people.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS, startStack, waitFor } from "./stack.mjs";
import { axeCheck, createChannel, joinChannel, msgOf, openPage, send, signUp } from "./helpers.mjs";
import { makePng } from "./png.mjs";

let stack, site, siteURL;
const requests = [];
const run = Date.now().toString(36);
const ann = { email: `ann-${run}@example.com`, name: "Ann Archer", password: "correct horse 1" };
const bob = { email: `bob-${run}@example.com`, name: "Bob Baker", password: "battery staple 2" };
let pageA, pageB;
const dir = join(ARTIFACTS, "screens");
const card = makePng(160, 160);

before(async () => {
  site = createServer((req, res) => {
    requests.push({ path: req.url, referer: req.headers.referer ?? "", cookie: req.headers.cookie ?? "", ua: req.headers["user-agent"] ?? "" });
    if (req.url === "/card.png") {
      res.writeHead(200, { "Content-Type": "image/png", "Content-Length": card.length });
      res.end(card);
      return;
    }
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Set-Cookie": "tracker=1" });
    res.end(`<!doctype html><html><head><title>fallback</title>
<meta property="og:title" content="Release notes 4.2 &lt;beta&gt;">
<meta property="og:description" content="Faster search, threads and <b>link previews</b>.">
<meta property="og:image" content="/card.png">
<meta property="og:site_name" content="Local News"></head><body>article</body></html>`);
  });
  await new Promise((r) => site.listen(0, "127.0.0.1", r));
  siteURL = `http://127.0.0.1:${site.address().port}`;
  stack = await startStack({ logName: "linkpreview-stack.log", env: { DEV_UNFURL_LOOPBACK_PORTS: String(site.address().port) } });
  pageA = await openPage(stack);
  pageB = await openPage(stack);
  await signUp(stack, pageA, ann);
  await signUp(stack, pageB, bob);
  mkdirSync(dir, { recursive: true });
  await createChannel(pageA, "links");
  await joinChannel(pageB, "links");
}, { timeout: 300_000 });

after(async () => {
  await stack?.stop();
  site?.close();
});


test("a link shows a preview card on the other side; the sender removes it", { timeout: 120_000 }, async () => {
  const url = `${siteURL}/notes-${run}`;
  const text = `Have a look: ${url}`;
  await send(pageA, text);
  await msgOf(pageB, text).waitFor();

  // The card arrives live (messageUpdated), escaped text, title links to the page.
  const cardB = msgOf(pageB, text).locator(".link-preview");
  await cardB.waitFor();
  const title = cardB.getByRole("link", { name: "Release notes 4.2 <beta>" });
  assert.equal(await title.getAttribute("href"), url);
  assert.equal(await cardB.locator(".link-preview-desc").textContent(), "Faster search, threads and <b>link previews</b>.");
  assert.equal(await cardB.locator(".link-preview-site").textContent(), "Local News");
  assert.equal(await cardB.locator("b").count(), 0);
  // The thumbnail: no referrer, actually loaded.
  const img = cardB.locator("img.link-preview-img");
  assert.equal(await img.getAttribute("referrerpolicy"), "no-referrer");
  await waitFor(() => img.evaluate((el) => el.complete && el.naturalWidth === 160), "the preview image to load");
  const imgReq = requests.filter((r) => r.path === "/card.png");
  assert.ok(imgReq.length >= 1, "the browser fetched the image");
  assert.ok(imgReq.every((r) => r.referer === ""), `the image request carried a referrer: ${JSON.stringify(imgReq)}`);
  // The worker fetched the page once, without cookies, as a bot.
  const pageReqs = requests.filter((r) => r.path === `/notes-${run}`);
  assert.equal(pageReqs.length, 1);
  assert.match(pageReqs[0].ua, /BackchannelBot/);
  assert.equal(pageReqs[0].cookie, "");
  // Only the sender has the remove button.
  assert.equal(await cardB.getByRole("button", { name: /Remove preview/ }).count(), 0);

  await pageB.screenshot({ path: join(dir, "linkpreview-light-1280.png") });
  await axeCheck(pageB, "a message with a link preview");
  await pageB.emulateMedia({ colorScheme: "dark" });
  await pageB.screenshot({ path: join(dir, "linkpreview-dark-1280.png") });
  await axeCheck(pageB, "a link preview in the dark theme");
  await pageB.emulateMedia({ colorScheme: "light" });

  // Ann removes it: gone on both sides.
  const cardA = msgOf(pageA, text).locator(".link-preview");
  await cardA.waitFor();
  await pageA.screenshot({ path: join(dir, "linkpreview-sender-1280.png") });
  await axeCheck(pageA, "the sender's link preview with its remove button");
  await cardA.getByRole("button", { name: "Remove preview of Local News" }).click();
  await cardA.waitFor({ state: "detached" });
  await cardB.waitFor({ state: "detached" });
  // And it stays gone after a reload (stored, not just hidden).
  await pageB.reload();
  await msgOf(pageB, text).waitFor();
  assert.equal(await msgOf(pageB, text).locator(".link-preview").count(), 0);
});

test("a phone-sized screen shows the card within the message", { timeout: 60_000 }, async () => {
  const url = `${siteURL}/mobile-${run}`;
  const text = `On the phone: ${url}`;
  await pageB.setViewportSize({ width: 390, height: 844 });
  await send(pageA, text);
  const cardB = msgOf(pageB, text).locator(".link-preview");
  await cardB.waitFor();
  await cardB.locator("img.link-preview-img").waitFor();
  const box = await cardB.boundingBox();
  assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `the card overflows the screen: ${JSON.stringify(box)}`);
  await pageB.screenshot({ path: join(dir, "linkpreview-light-390.png") });
  await axeCheck(pageB, "a link preview on a phone");
  await pageB.setViewportSize({ width: 1280, height: 800 });
});
