// End-to-end check of GIFs and emoji (issue 14): a GIF searched in the
// picker (the real adapter on the local Tenor stand-in, which make dev
// starts), sent and shown animated on the other side; an uploaded animated
// GIF shown as its original, not a still thumbnail; ":smile" autocomplete
// with the keyboard, and ":tada:" turning into its emoji as typed;
// Markdown lists rendered as lists. Axe and screenshots of each. Its own
// stack; two people.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS, startStack, waitFor } from "./stack.mjs";
import { axeCheck, composer, createChannel, joinChannel, messages, msgOf, openPage, send, signUp } from "./helpers.mjs";

let stack;
const run = Date.now().toString(36);
const ann = { email: `ann-${run}@example.com`, name: "Ann Archer", password: "correct horse 1" };
const bob = { email: `bob-${run}@example.com`, name: "Bob Baker", password: "battery staple 2" };
let pageA, pageB;
const dir = join(ARTIFACTS, "screens");

before(async () => {
  stack = await startStack({ logName: "gifs-stack.log" });
  assert.ok(stack.info.gifsUrl, "make dev starts the GIF stand-in");
  pageA = await openPage(stack);
  pageB = await openPage(stack);
  await signUp(stack, pageA, ann);
  await signUp(stack, pageB, bob);
  mkdirSync(dir, { recursive: true });
  await createChannel(pageA, "fun");
  await joinChannel(pageB, "fun");
}, { timeout: 300_000 });

after(async () => {
  await stack?.stop();
});


// frames counts a GIF's graphic control extensions, one per frame in the
// files Go's encoder writes (the stand-in's).
function frames(buf) {
  return Buffer.from(buf).toString("latin1").split("\u0021\u00f9\u0004").length - 1;
}

test("a GIF is searched, sent and shown animated on the other side", { timeout: 120_000 }, async () => {
  await pageA.getByRole("button", { name: "Send a GIF" }).click();
  const picker = pageA.getByRole("dialog", { name: "GIFs" });
  await picker.waitFor();
  // Trending first, then a search.
  await waitFor(async () => (await picker.locator("button.gif-choice").count()) >= 4, "trending GIFs");
  assert.equal(await pageA.evaluate(() => document.activeElement?.getAttribute("aria-label")), "Search GIFs");
  await picker.getByRole("searchbox", { name: "Search GIFs" }).fill("party");
  await waitFor(async () => (await picker.locator("button.gif-choice").count()) === 1, "one GIF for party");
  const choice = picker.getByRole("button", { name: "Send GIF: Party time GIF" });
  await choice.waitFor();
  assert.equal(await choice.locator("img").getAttribute("referrerpolicy"), "no-referrer");
  await pageA.screenshot({ path: join(dir, "gifs-picker-1280.png") });
  await axeCheck(pageA, "the GIF picker");
  await choice.click();
  await waitFor(async () => (await picker.count()) === 0, "the picker to close");

  // Bob sees it: the provider's URL, animated, without a referrer.
  const img = messages(pageB).locator(".gif-msg img").last();
  await img.waitFor();
  assert.equal(await img.getAttribute("alt"), "GIF: Party time GIF");
  assert.equal(await img.getAttribute("referrerpolicy"), "no-referrer");
  const src = await waitFor(() => img.evaluate((el) => el.complete && el.naturalWidth > 0 && el.src), "the GIF to load");
  assert.ok(src.startsWith(stack.info.gifsUrl + "/media/"), `GIF from the provider's media host: ${src}`);
  const body = await (await fetch(src)).arrayBuffer();
  assert.ok(frames(body) > 1, "the GIF shown is animated");
  await pageB.screenshot({ path: join(dir, "gifs-message-1280.png") });
  await axeCheck(pageB, "a GIF in a message");
  await pageB.emulateMedia({ colorScheme: "dark" });
  await pageB.screenshot({ path: join(dir, "gifs-message-dark-1280.png") });
  await pageB.emulateMedia({ colorScheme: "light" });
  // Escape closes the picker and gives focus back to the composer.
  await pageA.getByRole("button", { name: "Send a GIF" }).click();
  await pageA.getByRole("dialog", { name: "GIFs" }).waitFor();
  await pageA.keyboard.press("Escape");
  await waitFor(async () => (await pageA.getByRole("dialog", { name: "GIFs" }).count()) === 0, "the picker to close");
  assert.equal(await pageA.evaluate(() => document.activeElement?.id), "composer-input");
});

test("an uploaded animated GIF is shown as the original, so it keeps animating", { timeout: 120_000 }, async () => {
  const gif = Buffer.from(await (await fetch(`${stack.info.gifsUrl}/media/lt3/cat.gif`)).arrayBuffer());
  assert.ok(frames(gif) > 1);
  await pageA.locator("#composer-file").setInputFiles({ name: "dancing-cat.gif", mimeType: "image/gif", buffer: gif });
  await pageA.locator(".upload-chip", { hasText: "dancing-cat.gif" }).and(pageA.locator("[data-upload-status=done]")).waitFor();
  await composer(pageA).fill(`our cat ${run}`);
  await composer(pageA).press("Enter");
  const img = msgOf(pageB, `our cat ${run}`).locator('img[alt="dancing-cat.gif"]');
  await img.waitFor();
  const src = await waitFor(() => img.evaluate((el) => el.complete && el.naturalWidth > 0 && el.src), "the uploaded GIF to load");
  const path = decodeURIComponent(new URL(src).pathname);
  assert.ok(path.includes("/rooms/") && path.endsWith("/dancing-cat.gif") && !path.includes("thumbs/"), `the original, not a thumbnail: ${path}`);
  const shown = await (await fetch(src)).arrayBuffer();
  assert.ok(frames(shown) > 1, "what is shown is the animated original");
  // Reloaded (the thumbnail function has had its turn): still the original.
  await pageB.reload();
  await img.waitFor();
  const again = await waitFor(() => img.evaluate((el) => el.complete && el.naturalWidth > 0 && el.src), "the GIF after a reload");
  assert.ok(!decodeURIComponent(new URL(again).pathname).includes("thumbs/"), `after a reload: ${again}`);
  await waitFor(() => pageB.evaluate(() => window.backchannel?.status === "online"), "Bob online again");
});

test(":smile autocompletes with the keyboard; :tada: turns into its emoji as typed", { timeout: 120_000 }, async () => {
  const box = composer(pageA);
  await box.click();
  await box.pressSequentially(":sm");
  const list = pageA.getByRole("listbox", { name: "Emoji suggestions" });
  await list.waitFor();
  await box.pressSequentially("ile");
  await waitFor(async () => (await list.getByRole("option").first().textContent())?.includes(":smile:"), "smile first");
  assert.equal(await list.getByRole("option").first().getAttribute("aria-selected"), "true");
  assert.equal(await box.getAttribute("aria-controls"), "emoji-list");
  assert.equal(await box.getAttribute("aria-activedescendant"), "emoji-opt-0");
  await pageA.screenshot({ path: join(dir, "emoji-autocomplete-1280.png") });
  await axeCheck(pageA, "the emoji autocomplete");
  // Down and up again, then Enter picks :smile:.
  await box.press("ArrowDown");
  assert.equal(await box.getAttribute("aria-activedescendant"), "emoji-opt-1");
  await box.press("ArrowUp");
  await box.press("Enter");
  await waitFor(async () => (await box.inputValue()) === "😄", "😄 inserted");
  await waitFor(async () => (await list.count()) === 0, "the list to close");
  // Escape closes the list without picking.
  await box.pressSequentially(" :fir");
  await list.waitFor();
  await box.press("Escape");
  await waitFor(async () => (await list.count()) === 0, "Escape to close the list");
  assert.equal(await box.inputValue(), "😄 :fir");
  await box.press("Backspace");
  await box.press("Backspace");
  await box.press("Backspace");
  await box.press("Backspace");
  // A complete shortcode turns into its emoji as it is typed.
  await box.pressSequentially(":tada: ship it");
  await waitFor(async () => (await box.inputValue()) === "😄 🎉 ship it", ":tada: to become 🎉");
  await box.press("Enter");
  await msgOf(pageB, "😄 🎉 ship it").waitFor();
  // Shortcodes in received text render as emoji too.
  await send(pageA, `done :white_check_mark: ${run}`);
  await msgOf(pageB, `done ✅ ${run}`).waitFor();
});

test("Markdown lists render as lists", { timeout: 120_000 }, async () => {
  const text = `Plan for ${run}:\n- write the tests\n- ship <it>\n1. first\n2. second`;
  await composer(pageA).fill(text);
  await composer(pageA).press("Enter");
  const msg = msgOf(pageB, `Plan for ${run}:`);
  await msg.waitFor();
  assert.deepEqual(await msg.locator(".msg-text ul > li").allTextContents(), ["write the tests", "ship <it>"]);
  assert.deepEqual(await msg.locator(".msg-text ol > li").allTextContents(), ["first", "second"]);
  assert.equal(await msg.locator(".msg-text it").count(), 0, "escaped");
  await pageB.screenshot({ path: join(dir, "lists-1280.png") });
  await axeCheck(pageB, "a message with lists");
});

test("on a 360 px screen: the GIF button fits beside the composer, the picker within the screen", { timeout: 120_000 }, async () => {
  await pageB.setViewportSize({ width: 360, height: 740 });
  await pageB.getByRole("button", { name: "Send a GIF" }).click();
  const picker = pageB.getByRole("dialog", { name: "GIFs" });
  await picker.waitFor();
  await waitFor(async () => (await picker.locator("button.gif-choice").count()) >= 4, "trending GIFs");
  const box = await picker.boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 360, `the picker fits: ${JSON.stringify(box)}`);
  await pageB.screenshot({ path: join(dir, "gifs-picker-360.png") });
  await axeCheck(pageB, "the GIF picker at 360 px");
  await pageB.keyboard.press("Escape");
  await waitFor(async () => (await picker.count()) === 0, "the picker to close");
  await pageB.screenshot({ path: join(dir, "gifs-composer-360.png") });
  await pageB.setViewportSize({ width: 1280, height: 800 });
});
