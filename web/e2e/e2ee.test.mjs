// End-to-end encrypted conversations (issue 19), on a stack of their own:
// two people and their browsers (each a device with its own keys).
// Ada (first browser) and Bob set up encryption with passphrases; Ada
// opens an encrypted DM with Bob and both read each other; Ada's second
// browser shows the history as "can't be decrypted" until she recovers with
// her passphrase, then reads it; a third browser of Ada's is verified from
// the first by comparing the three numbers on both screens, and reads the
// history too; Ada removes her second browser, which then cannot read what
// is sent after the room's key rotated; Bob resets his encryption and Ada
// sees the key change warning; a file goes through encrypted and comes
// back byte for byte; Bob's notification of an encrypted message has no
// preview. Screenshots: e2e/artifacts/e2ee-NN-*.png.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { ARTIFACTS, startStack, waitFor } from "./stack.mjs";
import { axeCheck, composer, messages, openPage, send, signUp as signUpOn } from "./helpers.mjs";
import { makePng } from "./png.mjs";

let stack;
const run = Date.now().toString(36);
const person = (name, password, passphrase) => ({ name, password, passphrase, email: `${name.toLowerCase()}-e2ee-${run}@example.com` });
const ada = person("Ada", "analytical engine 1", "notes on the analytical engine");
const bob = person("Bob", "difference engine 2", "bob keeps his secrets well");
// Scrypt (N=2^17) takes a second or two per derivation; a machine shared by
// several runs can take longer. UI waits for what it shows, never a sleep.
const SLOW = 90_000;

let a1, a2, a3, pb;
let dmId = "";

before(async () => {
  stack = await startStack({ logName: "stack-e2ee.log" });
}, { timeout: 300_000 });

after(async () => {
  await stack?.stop();
});

const shot = (page, name) => page.screenshot({ path: join(ARTIFACTS, `e2ee-${name}.png`) });

// Bob's page records the notifications it shows (through the service
// worker's registration, as the client does) with the permission granted.
function notificationRecorder() {
  const shown = [];
  window.__shown = shown;
  class GrantedNotification {
    static get permission() {
      return "granted";
    }
    static async requestPermission() {
      return "granted";
    }
  }
  window.Notification = GrantedNotification;
  const realShow = ServiceWorkerRegistration.prototype.showNotification;
  ServiceWorkerRegistration.prototype.showNotification = function (title, options = {}) {
    shown.push({ title, body: options.body ?? "", tag: options.tag ?? "" });
    return realShow.call(this, title, options).catch(() => {});
  };
  let hidden = false;
  Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (hidden ? "hidden" : "visible") });
  window.__setHidden = (h) => {
    hidden = h;
    document.dispatchEvent(new Event("visibilitychange"));
  };
}

async function signIn(page, who) {
  await page.goto(stack.info.webUrl);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password", { exact: true }).fill(who.password);
  await page.locator("form").getByRole("button", { name: "Sign in" }).click();
  // The room last open on any of her devices opens (the account keeps it).
  await page.locator("#room-title").waitFor();
  await waitFor(() => page.evaluate(() => window.backchannel?.status === "online"), `${who.name} online`);
}

// openSecurity opens Settings at the encryption section and answers it.
async function openSecurity(page) {
  await page.getByRole("button", { name: "Settings", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Settings", exact: true });
  await dialog.waitFor();
  const section = dialog.locator('[data-testid="e2ee-section"]');
  await section.scrollIntoViewIfNeeded();
  // The engine finds out where this device stands first.
  await waitFor(async () => (await section.getAttribute("data-status")) !== "loading", "the encryption status", SLOW);
  return { dialog, section };
}

const closeDialog = (dialog) => dialog.locator(".dialog-close").first().click();

async function choosePassphrase(page, title, passphrase, submitName) {
  const dialog = page.getByRole("dialog", { name: title });
  await dialog.locator('[data-testid="e2ee-passphrase"]').fill(passphrase);
  await dialog.locator('[data-testid="e2ee-passphrase-again"]').fill(passphrase);
  const submit = dialog.locator('[data-testid="e2ee-setup-submit"]');
  if (submitName) assert.equal((await submit.textContent()).trim(), submitName);
  await submit.click();
  await dialog.waitFor({ state: "detached", timeout: SLOW });
}

async function setUp(page, who) {
  const { dialog, section } = await openSecurity(page);
  assert.equal(await section.getAttribute("data-status"), "off");
  await section.locator('[data-testid="e2ee-setup"]').click();
  await choosePassphrase(page, "Set up encryption", who.passphrase, "Set up encryption");
  await waitFor(async () => (await section.getAttribute("data-status")) === "ready", `${who.name}'s encryption to be ready`, SLOW);
  await section.getByText("Encryption is set up on this device.").waitFor();
  return { dialog, section };
}

const dmLink = (page) => page.locator('nav.sidebar .room-link:has([data-testid="e2ee-lock"])');
const undecryptable = (page) => messages(page).locator('[data-testid="e2ee-undecryptable"]');
const readable = (page, text) => messages(page).locator("article.msg:not(.pending) .msg-text", { hasText: text });

async function openDm(page) {
  await dmLink(page).first().waitFor({ timeout: SLOW });
  await dmLink(page).first().click();
  await page.locator("#room-title [data-testid='e2ee-lock']").waitFor();
}

test("set up with passphrases; an encrypted DM, read both ways, marked everywhere", async () => {
  a1 = await openPage(stack);
  pb = await openPage(stack, { setup: (ctx) => ctx.addInitScript(notificationRecorder) });
  await signUpOn(stack, a1, ada);
  await signUpOn(stack, pb, bob);

  // Before set-up the Encrypt toggle is off, with the way to set up.
  await a1.getByRole("button", { name: "New direct message" }).click();
  let picker = a1.getByRole("dialog", { name: "New direct message" });
  await picker.getByRole("checkbox", { name: /^Bob @[a-z0-9._-]+$/ }).check();
  const toggle = picker.locator('[data-testid="e2ee-toggle"]');
  await waitFor(async () => (await picker.locator("#e2ee-toggle-why").textContent()).includes("Set up encryption first"), "the toggle's reason", SLOW);
  assert.equal(await toggle.isDisabled(), true);
  await shot(a1, "01-toggle-off");
  await picker.getByRole("button", { name: "Cancel" }).click();

  // Ada sets up: a weak or mistyped passphrase is refused first.
  const { dialog, section } = await openSecurity(a1);
  await section.locator('[data-testid="e2ee-setup"]').click();
  const setup = a1.getByRole("dialog", { name: "Set up encryption" });
  await setup.locator('[data-testid="e2ee-passphrase"]').fill("too short");
  await setup.locator('[data-testid="e2ee-passphrase-again"]').fill("too short");
  await setup.locator('[data-testid="e2ee-setup-submit"]').click();
  await setup.getByRole("alert").getByText("At least 10 characters (9 so far).").waitFor();
  await setup.locator('[data-testid="e2ee-passphrase"]').fill(ada.passphrase);
  await setup.locator('[data-testid="e2ee-passphrase-again"]').fill(ada.passphrase + "!");
  await setup.getByText("The two passphrases differ.").first().waitFor();
  await axeCheck(a1, "the set-up dialog");
  await shot(a1, "02-setup-dialog");
  await setup.locator('[data-testid="e2ee-passphrase-again"]').fill(ada.passphrase);
  await setup.locator('[data-testid="e2ee-setup-submit"]').click();
  await setup.waitFor({ state: "detached", timeout: SLOW });
  await waitFor(async () => (await section.getAttribute("data-status")) === "ready", "Ada's encryption to be ready", SLOW);
  const devices = section.locator('[data-testid="e2ee-devices"]');
  await devices.getByText("This device").waitFor();
  await axeCheck(a1, "the encryption section, set up");
  await section.screenshot({ path: join(ARTIFACTS, "e2ee-03-security-ready.png") });
  await closeDialog(dialog);

  const bobs = await setUp(pb, bob);
  await closeDialog(bobs.dialog);

  // Ada starts the encrypted DM.
  await a1.getByRole("button", { name: "New direct message" }).click();
  picker = a1.getByRole("dialog", { name: "New direct message" });
  await picker.getByRole("checkbox", { name: /^Bob @[a-z0-9._-]+$/ }).check();
  await waitFor(() => picker.locator('[data-testid="e2ee-toggle"]').isEnabled(), "the toggle to be offered");
  await picker.locator('[data-testid="e2ee-toggle"]').check();
  await shot(a1, "04-toggle-on");
  await picker.getByRole("button", { name: "Start conversation" }).click();
  await picker.waitFor({ state: "detached" });
  await a1.locator("#room-title [data-testid='e2ee-lock']").waitFor();
  dmId = await a1.locator("nav.sidebar .room-link.active").getAttribute("data-room");
  assert.ok(dmId, "the encrypted DM's id");
  assert.equal(await a1.locator(`nav.sidebar [data-room="${dmId}"] [data-testid="e2ee-lock"]`).count(), 1, "the sidebar row's lock");
  assert.equal(await composer(a1).getAttribute("placeholder"), "Encrypted message to Bob");
  assert.equal(await a1.locator(".composer .poll-btn").count(), 0, "no polls in an encrypted room");
  assert.equal(await a1.locator(".composer .send-later").count(), 0, "no scheduling in an encrypted room");

  await send(a1, "hello Bob, only you can read this");
  await readable(a1, "hello Bob, only you can read this").waitFor({ timeout: SLOW });

  await openDm(pb);
  await readable(pb, "hello Bob, only you can read this").waitFor({ timeout: SLOW });
  await send(pb, "and only you can read my answer");
  await readable(a1, "and only you can read my answer").waitFor({ timeout: SLOW });
  await axeCheck(a1, "an encrypted DM");
  await shot(a1, "05-dm-both-ways");

  // The safety number from the room header: the same on both screens.
  await a1.locator("#room-title [data-testid='e2ee-lock']").click();
  const safetyA = a1.getByRole("dialog", { name: "Safety number with Bob" });
  await safetyA.locator('[data-testid="e2ee-safety"]').waitFor();
  await pb.locator("#room-title [data-testid='e2ee-lock']").click();
  const safetyB = pb.getByRole("dialog", { name: "Safety number with Ada" });
  await safetyB.locator('[data-testid="e2ee-safety"]').waitFor();
  const numberA = (await safetyA.locator('[data-testid="e2ee-safety"]').innerText()).replace(/\s+/g, " ").trim();
  const numberB = (await safetyB.locator('[data-testid="e2ee-safety"]').innerText()).replace(/\s+/g, " ").trim();
  assert.match(numberA, /^(\d{5} ){11}\d{5}$/);
  assert.equal(numberA, numberB, "both screens show one safety number");
  await axeCheck(a1, "the safety number dialog");
  await shot(a1, "06-safety-number");
  await safetyA.locator('[data-testid="e2ee-mark-verified"]').click();
  await safetyA.getByText("You verified Bob.").waitFor();
  await closeDialog(safetyA);
  await closeDialog(safetyB);

  // The search says plainly that it does not look in here.
  await a1.getByRole("button", { name: "Search messages" }).click();
  const search = a1.locator("dialog[open].search-dialog");
  await search.getByText("Encrypted conversations are not searched.").waitFor();
  await a1.locator("#search-input").fill("hello");
  await search.locator(".search-status").filter({ hasText: /result|Nothing found/ }).waitFor();
  assert.equal(await search.locator(".search-results li", { hasText: "only you can read" }).count(), 0, "no hit from the encrypted DM");
  await closeDialog(search);
});

test("a second browser cannot read the history until Ada recovers with her passphrase", async () => {
  a2 = await openPage(stack);
  await signIn(a2, ada);
  await openDm(a2);
  await undecryptable(a2).first().waitFor({ timeout: SLOW });
  assert.match(await undecryptable(a2).first().innerText(), /This message can't be decrypted on this device\. Recover your keys with your passphrase, or verify this device from another one\./);
  assert.equal(await readable(a2, "only you can read this").count(), 0);
  await axeCheck(a2, "undecryptable messages");
  await shot(a2, "07-undecryptable");

  // From the message, to the settings, to recovery. A wrong passphrase first.
  await undecryptable(a2).first().getByRole("button", { name: "Open encryption settings" }).click();
  const security = a2.getByRole("dialog", { name: "Encryption" });
  await security.locator('[data-testid="e2ee-section"][data-status="recovery-needed"]').waitFor({ timeout: SLOW });
  await security.locator('[data-testid="e2ee-recover"]').click();
  const recover = a2.getByRole("dialog", { name: "Recover your keys" });
  await recover.locator('[data-testid="e2ee-passphrase"]').fill("not the passphrase at all");
  await recover.locator('[data-testid="e2ee-recover-submit"]').click();
  await recover.getByRole("alert").waitFor({ timeout: SLOW });
  assert.match(await recover.getByRole("alert").innerText(), /passphrase/i);
  await shot(a2, "08-recover-wrong");
  await recover.locator('[data-testid="e2ee-passphrase"]').fill(ada.passphrase);
  await recover.locator('[data-testid="e2ee-recover-submit"]').click();
  await recover.waitFor({ state: "detached", timeout: SLOW });
  await security.locator('[data-testid="e2ee-section"][data-status="ready"]').waitFor({ timeout: SLOW });
  await closeDialog(security);
  await readable(a2, "hello Bob, only you can read this").waitFor({ timeout: SLOW });
  await readable(a2, "and only you can read my answer").waitFor({ timeout: SLOW });
  assert.equal(await undecryptable(a2).count(), 0, "the whole history reads after recovery");
  await shot(a2, "09-recovered");
});

test("a third browser is verified from the first by the same three numbers on both screens", async () => {
  a3 = await openPage(stack);
  await signIn(a3, ada);
  const mine = await openSecurity(a3);
  await waitFor(async () => (await mine.section.getAttribute("data-status")) === "recovery-needed", "the third browser to need recovery", SLOW);
  const newId = await mine.section.locator(".e2ee-device", { hasText: "This device" }).getAttribute("data-device");
  await closeDialog(mine.dialog);

  // From the first browser: its devices list offers to verify the new one.
  const first = await openSecurity(a1);
  const row = first.section.locator(`.e2ee-device[data-device="${newId}"]`);
  await row.waitFor({ timeout: SLOW });
  assert.match(await row.innerText(), /Not verified/);
  await row.locator('[data-testid="e2ee-verify"]').click();

  // The new browser is asked wherever it is; it accepts.
  const incoming = a3.getByRole("dialog", { name: "Verify a device" });
  await incoming.locator('[data-testid="e2ee-verify-accept"]').waitFor({ timeout: SLOW });
  await incoming.locator('[data-testid="e2ee-verify-accept"]').click();
  const sas1 = a1.locator('[data-testid="e2ee-sas"]');
  const sas3 = a3.locator('[data-testid="e2ee-sas"]');
  await sas1.waitFor({ timeout: SLOW });
  await sas3.waitFor({ timeout: SLOW });
  const n1 = (await sas1.innerText()).replace(/\s+/g, " ").trim();
  const n3 = (await sas3.innerText()).replace(/\s+/g, " ").trim();
  assert.match(n1, /^\d{4} \d{4} \d{4}$/);
  assert.equal(n1, n3, "the same three numbers on both screens");
  await axeCheck(a3, "the verification numbers");
  await shot(a1, "10-sas-first");
  await shot(a3, "11-sas-new");
  await a1.locator('[data-testid="e2ee-sas-match"]').click();
  await a3.locator('[data-testid="e2ee-sas-match"]').click();
  await a1.locator('[data-testid="e2ee-verify-done"]').waitFor({ timeout: SLOW });
  await a3.locator('[data-testid="e2ee-verify-done"]').waitFor({ timeout: SLOW });
  await shot(a3, "12-sas-done");
  await a1.locator('[data-testid="e2ee-verify-done"]').locator("xpath=ancestor::dialog").locator(".dialog-close").click();
  await a3.locator('[data-testid="e2ee-verify-done"]').locator("xpath=ancestor::dialog").locator(".dialog-close").click();
  await row.getByText("Verified", { exact: true }).waitFor({ timeout: SLOW });
  await closeDialog(first.dialog);

  // The verified browser reads the history (the backup came with it).
  await openDm(a3);
  await readable(a3, "hello Bob, only you can read this").waitFor({ timeout: SLOW });
});

test("a removed browser cannot read what is sent after the key rotated", async () => {
  const its = await openSecurity(a2);
  const removedId = await its.section.locator(".e2ee-device", { hasText: "This device" }).getAttribute("data-device");
  await closeDialog(its.dialog);
  const seenBefore = await messages(a2).locator("article.msg").count();

  const { dialog, section } = await openSecurity(a1);
  const row = section.locator(`.e2ee-device[data-device="${removedId}"]`);
  await row.locator('[data-testid="e2ee-device-remove"]').click();
  const confirm = a1.getByRole("dialog", { name: /^Remove .* \(ID [A-Z0-9 ]+\)\?$/ });
  await confirm.getByText("cannot read").waitFor();
  await shot(a1, "13-remove-confirm");
  await confirm.getByRole("button", { name: "Remove" }).click();
  await row.waitFor({ state: "detached", timeout: SLOW });
  await closeDialog(dialog);

  await send(pb, "after the rotation");
  await readable(a1, "after the rotation").waitFor({ timeout: SLOW });
  await readable(a3, "after the rotation").waitFor({ timeout: SLOW });
  // The removed browser gets the message but cannot open it.
  await waitFor(async () => (await messages(a2).locator("article.msg").count()) > seenBefore, "the new message on the removed browser", SLOW);
  const last = messages(a2).locator("article.msg").last();
  await last.locator('[data-testid="e2ee-undecryptable"]').waitFor({ timeout: SLOW });
  assert.equal(await readable(a2, "after the rotation").count(), 0, "the removed browser read a message sent after it was removed");
  await shot(a2, "14-removed-cannot-read");
});

test("Bob resets his encryption: Ada is warned that his key changed", async () => {
  const { dialog, section } = await openSecurity(pb);
  await section.locator('[data-testid="e2ee-reset"]').click();
  const reset = pb.getByRole("dialog", { name: "Reset encryption" });
  await reset.getByRole("alert").getByText(/can no longer be read/).waitFor();
  await shot(pb, "15-reset-warning");
  await choosePassphrase(pb, "Reset encryption", "bob starts over with new keys", "Reset and lose old messages");
  await waitFor(async () => (await section.getAttribute("data-status")) === "ready", "Bob's encryption after the reset", SLOW);
  await closeDialog(dialog);

  const warning = a1.locator('[data-testid="e2ee-key-warning"]');
  await warning.waitFor({ timeout: SLOW });
  // Ada had verified Bob: the loud form, and nothing goes to him until she decides.
  assert.match(await warning.innerText(), /Bob's security key changed/);
  assert.equal(await warning.getAttribute("role"), "alert");
  await axeCheck(a1, "the key change warning");
  await shot(a1, "16-key-warning");
  await warning.locator('[data-testid="e2ee-accept-key"]').click();
  await warning.waitFor({ state: "detached" });
  await send(a1, "welcome back, Bob");
  await readable(pb, "welcome back, Bob").waitFor({ timeout: SLOW });
});

test("a file goes through encrypted and comes back byte for byte; an image shows inline", async () => {
  const bytes = Buffer.from(`the plans, ${run}\n`.repeat(200));
  await a1.locator("#composer-file").setInputFiles([
    { name: "secret-plans.txt", mimeType: "text/plain", buffer: bytes },
    { name: "diagram.png", mimeType: "image/png", buffer: makePng(64, 48) },
  ]);
  await waitFor(() => a1.locator(".composer .send").isEnabled(), "the uploads to finish", SLOW);
  await composer(a1).fill("two files");
  await composer(a1).press("Enter");

  const card = pb.locator('[data-testid="e2ee-file"]', { hasText: "secret-plans.txt" });
  await card.waitFor({ timeout: SLOW });
  assert.equal(await messages(pb).getByText("encrypted.bin").count(), 0, "the server's name never shows");
  const img = pb.locator('[data-testid="e2ee-image"] img[alt="diagram.png"]');
  await img.waitFor({ timeout: SLOW });
  await waitFor(() => img.evaluate((el) => el.complete && el.naturalWidth === 64), "the decrypted image to load", SLOW);
  const [download] = await Promise.all([pb.waitForEvent("download"), card.click()]);
  assert.equal(download.suggestedFilename(), "secret-plans.txt");
  const got = readFileSync(await download.path());
  assert.ok(got.equals(bytes), "the downloaded file equals what was sent");
  await axeCheck(pb, "encrypted files");
  await shot(pb, "17-files");
});

test("the notification of an encrypted message has no preview", async () => {
  // Bob is in another room, with the tab hidden.
  await pb.locator('nav.sidebar .room-link[data-room="general"]').click();
  await pb.evaluate(() => window.__setHidden(true));
  const before = await pb.evaluate(() => window.__shown.length);
  await send(a1, "nobody else may see this line");
  const note = await waitFor(async () => {
    const all = await pb.evaluate(() => window.__shown);
    return all.length > before && all.at(-1);
  }, "Bob's notification", SLOW);
  assert.equal(note.body, "New encrypted message");
  assert.ok(!JSON.stringify(note).includes("nobody else may see"), `no preview: ${JSON.stringify(note)}`);
  await pb.evaluate(() => window.__setHidden(false));
});
