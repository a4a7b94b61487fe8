// End-to-end: files. Ana attaches a real PNG with the paperclip button and
// sends it; Bo sees its preview load from the local S3 (the thumbnail once
// the thumbnail function made it) and opens the viewer; a text file comes
// as a download card; too-large files (the client's own check and the
// server's smaller limit) and an HTML file show the reason; an upload in
// flight shows progress and can be cancelled; drop and paste
// attach files too. The stack runs with a 1 MiB upload limit.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ARTIFACTS, startStack, waitFor } from "./stack.mjs";
import { axeCheck, composer, messages, openPage, signUp as signUpOn } from "./helpers.mjs";
import { makePng } from "./png.mjs";

const SERVER_LIMIT = 1 << 20;
let stack;
const run = Date.now().toString(36);
const ana = { email: `ana-f-${run}@example.com`, name: "Ana", password: "correct horse 1" };
const bo = { email: `bo-f-${run}@example.com`, name: "Bo", password: "battery staple 2" };
let pageA, pageB;

before(async () => {
  stack = await startStack({ env: { MAX_UPLOAD_BYTES: String(SERVER_LIMIT) }, logName: "stack-files.log" });
}, { timeout: 300_000 });

after(async () => {
  await stack?.stop();
});

const newPage = () => openPage(stack);

const signUp = (page, who) => signUpOn(stack, page, who);
const chip = (page, name) => page.locator(".upload-chip", { hasText: name });

// attach picks files with the paperclip button's file input.
async function attach(page, files) {
  await page.locator("#composer-file").setInputFiles(files);
}

test("an image is uploaded with the attach button and previewed for the other person", async () => {
  pageA = await newPage();
  pageB = await newPage();
  await signUp(pageA, ana);
  await signUp(pageB, bo);

  // The paperclip is a labelled, focusable button.
  const clip = pageA.getByRole("button", { name: "Attach files" });
  await clip.focus();
  assert.equal(await clip.evaluate((el) => el === document.activeElement), true);

  const png = makePng(600, 400);
  await attach(pageA, { name: "gradient.png", mimeType: "image/png", buffer: png });
  await chip(pageA, "gradient.png").and(pageA.locator("[data-upload-status=done]")).waitFor();
  await composer(pageA).fill("the new gradient");
  await composer(pageA).press("Enter");
  // Sent: the chip is gone.
  await waitFor(async () => (await pageA.locator(".upload-chip").count()) === 0, "the chip to leave the composer");

  const img = messages(pageB).locator('img[alt="gradient.png"]');
  await img.waitFor();
  const loaded = await waitFor(
    () => img.evaluate((el) => el.complete && el.naturalWidth > 0 && { src: el.src, w: el.naturalWidth, h: el.naturalHeight }),
    "the preview to load",
  );
  assert.ok(loaded.src.startsWith(stack.info.s3Endpoint), `preview from the local S3: ${loaded.src}`);
  // Space reserved from the attachment's dimensions: 600×400 fits 320×213.
  const box = await messages(pageB).locator(".att-image").boundingBox();
  assert.equal(Math.round(box.width), 320);
  assert.ok(Math.abs(box.height - 213) <= 2, `height ${box.height}`);
  // The thumbnail function makes a JPEG of at most 320 px: the preview
  // switches to it (asked again once after 2 s, or on the next room open).
  const thumb = await waitFor(
    () => img.evaluate((el) => el.complete && el.naturalWidth > 0 && el.naturalWidth <= 320 && { src: el.src, w: el.naturalWidth, h: el.naturalHeight }),
    "the preview to switch to the thumbnail",
    15_000,
  );
  assert.equal(thumb.w, 320);
  assert.equal(thumb.h, 213);

  // The viewer: a dialog with the full image and a download link; Escape
  // closes it and focus returns to the preview.
  await messages(pageB).locator(".att-image").focus();
  await pageB.keyboard.press("Enter");
  const viewer = pageB.getByRole("dialog", { name: "gradient.png" });
  await viewer.waitFor();
  const full = viewer.locator("img.viewer-img");
  const fullSize = await waitFor(() => full.evaluate((el) => el.complete && el.naturalWidth > 0 && el.naturalWidth), "the full image to load");
  assert.equal(fullSize, 600);
  const download = viewer.getByRole("link", { name: "Download" });
  assert.equal(await download.getAttribute("rel"), "noopener noreferrer");
  await axeCheck(pageB, "the image viewer");
  await pageB.screenshot({ path: join(ARTIFACTS, "files-viewer.png") });
  await pageB.keyboard.press("Escape");
  await waitFor(async () => (await pageB.getByRole("dialog").count()) === 0, "the viewer to close");
  assert.equal(await pageB.evaluate(() => document.activeElement?.classList.contains("att-image")), true);
});

test("a text file arrives as a download card with its name and size", async () => {
  await attach(pageA, { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("hello, file\n") });
  await chip(pageA, "notes.txt").and(pageA.locator("[data-upload-status=done]")).waitFor();
  // No text needed when a file is attached.
  await pageA.locator("button.send").click();
  const card = messages(pageB).locator("a.att-file", { hasText: "notes.txt" });
  await card.waitFor();
  assert.match(await card.innerText(), /notes\.txt\s+12 B/);
  assert.equal(await card.getAttribute("rel"), "noopener noreferrer");
  const href = await waitFor(() => card.getAttribute("href"), "the download URL");
  assert.ok(href.startsWith(stack.info.s3Endpoint), href);
  // The server makes the browser download it rather than show it.
  const res = await pageB.request.get(href);
  assert.equal(res.status(), 200);
  assert.match(res.headers()["content-disposition"] ?? "", /^attachment/);
  assert.equal(await res.text(), "hello, file\n");
});

test("too-large and refused files show why, and can be removed", async () => {
  // The state event told the client this stack's 1 MiB limit (not the 25 MB
  // default), so the file is refused before asking, naming that limit.
  await attach(pageA, { name: "big.zip", mimeType: "application/zip", buffer: Buffer.alloc(SERVER_LIMIT + 1) });
  await chip(pageA, "big.zip").getByRole("alert").filter({ hasText: "File is too large: the limit is 1 MB." }).waitFor();

  // A file of exactly the limit is fine.
  await attach(pageA, { name: "fits.zip", mimeType: "application/zip", buffer: Buffer.alloc(SERVER_LIMIT) });
  await chip(pageA, "fits.zip").and(pageA.locator("[data-upload-status=done]")).waitFor();
  await pageA.getByRole("button", { name: "Remove fits.zip" }).click();

  // HTML is not an allowed type: said in words, with the kinds that are
  // (issue 10, item 10), not a wall of media types.
  await attach(pageA, { name: "page.html", mimeType: "text/html", buffer: Buffer.from("<script>alert(1)</script>") });
  const refused = chip(pageA, "page.html").getByRole("alert");
  await refused.filter({ hasText: ".html files can't be shared." }).waitFor();
  assert.match(await refused.innerText(), /You can share images, PDFs, documents, .* and videos\./);
  assert.doesNotMatch(await refused.innerText(), /image\/png|application\//);

  // Nothing to send: the failures are not attachments.
  assert.equal(await pageA.locator("button.send").isDisabled(), true);
  await axeCheck(pageA, "the composer with failed uploads");
  await pageA.screenshot({ path: join(ARTIFACTS, "files-errors.png") });
  for (const name of ["big.zip", "page.html"]) await pageA.getByRole("button", { name: `Remove ${name}` }).click();
  assert.equal(await pageA.locator(".upload-chip").count(), 0);
});

test("an upload in flight shows its progress, blocks sending, and can be cancelled", async () => {
  // Hold the PUT to the storage so the upload stays in flight.
  const held = [];
  const toS3 = (url) => url.href.startsWith(stack.info.s3Endpoint);
  await pageA.route(toS3, (route) => {
    if (route.request().method() === "PUT") held.push(route);
    else void route.continue();
  });
  await attach(pageA, { name: "slow.txt", mimeType: "text/plain", buffer: Buffer.from("slow") });
  const bar = pageA.getByRole("progressbar", { name: "Uploading slow.txt" });
  await bar.waitFor();
  assert.equal(await bar.getAttribute("aria-valuenow"), "0");
  await waitFor(() => held.length === 1, "the PUT to reach the storage");
  await composer(pageA).fill("waiting for the file");
  assert.equal(await pageA.locator("button.send").isDisabled(), true);
  await pageA.getByText("Uploading… the message can be sent once the files are ready.").waitFor();
  await pageA.getByRole("button", { name: "Cancel the upload of slow.txt" }).click();
  assert.equal(await pageA.locator(".upload-chip").count(), 0);
  assert.equal(await pageA.locator("button.send").isDisabled(), false);
  await composer(pageA).fill("");
  await held[0].abort().catch(() => {}); // already cancelled by the page
  await pageA.unroute(toS3);
});

test("files dropped on the room or pasted are attached", async () => {
  // Dragging files over the room shows the drop zone; dropping attaches.
  await pageA.evaluate(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(["a,b\n1,2\n"], "table.csv", { type: "text/csv" }));
    window.__drag = dt;
    document.querySelector("section.room").dispatchEvent(new DragEvent("dragenter", { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await pageA.locator(".drop-zone", { hasText: "Drop files to share them in #general" }).waitFor();
  await pageA.evaluate(() => {
    const room = document.querySelector("section.room");
    room.dispatchEvent(new DragEvent("drop", { dataTransfer: window.__drag, bubbles: true, cancelable: true }));
  });
  await waitFor(async () => (await pageA.locator(".drop-zone").count()) === 0, "the drop zone to go away");
  await chip(pageA, "table.csv").and(pageA.locator("[data-upload-status=done]")).waitFor();

  // A pasted screenshot gets a name of its own.
  const png = makePng(40, 30).toString("base64");
  await pageA.evaluate((b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], "image.png", { type: "image/png" }));
    document.querySelector("#composer-input").dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
  }, png);
  const pasted = pageA.locator(".upload-chip", { hasText: /pasted-image-\d{8}-\d{6}\.png/ });
  await pasted.and(pageA.locator("[data-upload-status=done]")).waitFor();

  await composer(pageA).press("Enter");
  await messages(pageB).locator("a.att-file", { hasText: "table.csv" }).waitFor();
  const small = messages(pageB).locator('img[alt^="pasted-image-"]');
  await waitFor(() => small.evaluate((el) => el.complete && el.naturalWidth === 40), "the pasted image to show");
  await messages(pageB).evaluate((el) => el.scrollTo(0, el.scrollHeight));
  await pageB.screenshot({ path: join(ARTIFACTS, "files-1280.png") });
});
