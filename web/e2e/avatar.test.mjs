// End-to-end: profile pictures, on a stack of their own. Ana uploads a
// picture in Settings (cropped and scaled to 256×256 in her browser); Bo
// sees it as a loaded <img> next to her message and in the member list,
// served from the local S3. Ana removes it and Bo is back to her initials.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ARTIFACTS, startStack, waitFor } from "./stack.mjs";
import { axeCheck, messages, openPage, send, signUp as signUpOn } from "./helpers.mjs";
import { makePng } from "./png.mjs";

let stack;
const run = Date.now().toString(36);
const ana = { email: `ana-a-${run}@example.com`, name: "Ana", password: "correct horse 1" };
const bo = { email: `bo-a-${run}@example.com`, name: "Bo", password: "battery staple 2" };
let pageA, pageB;

before(async () => {
  stack = await startStack({ logName: "stack-avatar.log" });
}, { timeout: 300_000 });

after(async () => {
  await stack?.stop();
});

const newPage = () => openPage(stack);

// loadedImage waits until img has loaded and returns its source and size.
const loadedImage = (img, what) =>
  waitFor(() => img.evaluate((el) => el.complete && el.naturalWidth > 0 && { src: el.src, w: el.naturalWidth, h: el.naturalHeight }), what);

test("a picture uploaded in Settings shows as Ana's avatar for Bo", async () => {
  pageA = await newPage();
  pageB = await newPage();
  await signUpOn(stack, pageA, ana);
  await signUpOn(stack, pageB, bo);
  await send(pageA, "hello with a face");
  await messages(pageB).getByText("hello with a face").waitFor();

  await pageA.getByRole("button", { name: "Settings", exact: true }).click();
  const dialog = pageA.getByRole("dialog", { name: "Settings", exact: true });
  await dialog.waitFor();
  await dialog.locator("#avatar-file").setInputFiles({ name: "face.png", mimeType: "image/png", buffer: makePng(600, 400) });
  await dialog.getByText("Picture updated.").waitFor();
  // Her own preview in the dialog: the 600×400 PNG became 256×256.
  const own = await loadedImage(dialog.locator(".settings-avatar img.avatar-img"), "Ana's own picture to load");
  assert.deepEqual([own.w, own.h], [256, 256]);
  assert.ok(own.src.startsWith(stack.info.s3Endpoint), `picture from the local S3: ${own.src}`);
  await axeCheck(pageA, "the settings dialog with a picture");
  await pageA.screenshot({ path: join(ARTIFACTS, "avatar-settings.png") });
  await pageA.keyboard.press("Escape");

  // Bo gets userUpdated: the avatar next to her message becomes the picture.
  const inMessages = messages(pageB).locator(".msg-gutter img.avatar-img");
  const seen = await loadedImage(inMessages.first(), "Ana's picture in Bo's message list");
  assert.deepEqual([seen.w, seen.h], [256, 256]);
  assert.ok(seen.src.startsWith(stack.info.s3Endpoint), `picture from the local S3: ${seen.src}`);
  // Decorative: her name is next to it.
  assert.equal(await inMessages.first().getAttribute("alt"), "");
  const inMembers = pageB.locator("aside.members button.member", { hasText: "Ana" }).locator("img.avatar-img");
  await loadedImage(inMembers, "Ana's picture in Bo's member list");
  await pageB.screenshot({ path: join(ARTIFACTS, "avatar-bo.png") });

  // Removing it: Bo is back to the initials.
  await pageA.getByRole("button", { name: "Settings", exact: true }).click();
  await dialog.getByRole("button", { name: "Remove picture" }).click();
  await dialog.getByText("Picture removed.").waitFor();
  await waitFor(async () => (await messages(pageB).locator(".msg-gutter img.avatar-img").count()) === 0, "Ana's picture to leave Bo's list");
  assert.equal((await messages(pageB).locator(".msg-gutter .avatar").first().textContent()).trim(), "A");
});

test("a file that is not an image is refused before upload", async () => {
  const dialog = pageA.getByRole("dialog", { name: "Settings", exact: true });
  await dialog.locator("#avatar-file").setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("hi") });
  await dialog.getByText("Choose an image file (PNG, JPEG or WebP).").waitFor();
  // An "image" the browser cannot decode.
  await dialog.locator("#avatar-file").setInputFiles({ name: "broken.png", mimeType: "image/png", buffer: Buffer.from("not a png") });
  await dialog.getByText(/could not be read/).waitFor();
});
