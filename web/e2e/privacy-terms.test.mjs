// End-to-end: terms, privacy policy and community guidelines (issue 15).
// The stack publishes terms version 1 (TERMS_VERSION). Ann cannot create
// an account without ticking the box (unticked at first); the bundled
// pages open in the app; once she ticks it her first connection records
// the acceptance and she chats. A new version (POST /dev/terms, as a
// deployment with another termsVersion) asks again on her next sign-in
// with a dialog nothing else gets past. The report dialog links the
// community guidelines.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ARTIFACTS, confirmationCode, startStack, waitFor } from "./stack.mjs";
import { axeCheck, msgOf, openPage, send } from "./helpers.mjs";

let stack;
let page;
const run = Date.now().toString(36);
const ann = { email: `ann-${run}@example.com`, name: "Ann", password: "correct horse 1" };
const bo = { email: `bo-${run}@example.com`, name: "Bo", password: "correct horse 2" };

// signUpTicking is helpers.signUp with the terms' box ticked.
async function signUpTicking(p, who) {
  await p.goto(stack.info.webUrl);
  await p.getByRole("button", { name: "Create account" }).click();
  await p.getByLabel("Display name").fill(who.name);
  await p.getByLabel("Email").fill(who.email);
  await p.getByLabel("Password").fill(who.password);
  await p.getByRole("checkbox", { name: /I have read and accept the/ }).check();
  await p.locator("form").getByRole("button", { name: "Create account" }).click();
  await p.getByLabel("Confirmation code").fill(await confirmationCode(stack.info, who.email));
  await p.getByRole("button", { name: "Confirm" }).click();
  await p.getByRole("heading", { name: /#general/ }).waitFor();
  await waitFor(() => p.evaluate(() => window.backchannel?.status === "online"), `${who.name} online`);
}

before(async () => {
  stack = await startStack({ env: { TERMS_VERSION: "1" }, logName: "privacy-terms-stack.log" });
  page = await openPage(stack);
}, { timeout: 300_000 });

after(async () => {
  await stack?.stop();
});

const shot = (name) => page.screenshot({ path: join(ARTIFACTS, `privacy-terms-${name}.png`) });

test("sign-up requires ticking the terms; the tick is recorded on the first connection", async () => {
  await page.goto(stack.info.webUrl);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByLabel("Display name").fill(ann.name);
  await page.getByLabel("Email").fill(ann.email);
  await page.getByLabel("Password").fill(ann.password);
  const box = page.getByRole("checkbox", { name: /I have read and accept the/ });
  assert.equal(await box.isChecked(), false, "the box starts unticked");

  // The bundled terms open in the app, rendered.
  await page.getByRole("link", { name: "Terms of Service" }).click();
  const tos = page.getByRole("dialog", { name: "Terms of Service" });
  await tos.getByRole("heading", { name: "Your account" }).waitFor();
  assert.match(await tos.innerText(), /operator of this workspace must replace it/);
  await shot("terms-page");
  await tos.getByRole("button", { name: "Close" }).click();
  await tos.waitFor({ state: "detached" });

  // Without the tick: refused, no account made.
  await page.locator("form").getByRole("button", { name: "Create account" }).click();
  await page.getByRole("alert").filter({ hasText: "To create an account, accept" }).waitFor();
  assert.equal(await page.getByLabel("Confirmation code").count(), 0, "no confirmation step without the tick");
  await axeCheck(page, "sign-up with the terms");
  await shot("signup-refused");

  await box.check();
  await page.locator("form").getByRole("button", { name: "Create account" }).click();
  await page.getByLabel("Confirmation code").fill(await confirmationCode(stack.info, ann.email));
  await page.getByRole("button", { name: "Confirm" }).click();
  await page.getByRole("heading", { name: /#general/ }).waitFor();
  await waitFor(() => page.evaluate(() => window.backchannel?.status === "online"), "Ann online");
  // The server took the tick: no dialog, and sending works.
  await send(page, `hello ${run}`);
  await msgOf(page, `hello ${run}`).waitFor();
  assert.equal(await page.getByRole("dialog", { name: /terms/i }).count(), 0);
});

test("a new version asks again on the next sign-in, and blocks until accepted", async () => {
  const res = await fetch(new URL("dev/terms?version=2", stack.info.webUrl), { method: "POST" });
  assert.equal(res.status, 200);
  await page.reload(); // the next sign-in of this browser (the session is remembered for the tab)
  const gate = page.getByRole("dialog", { name: "The terms have changed" });
  await gate.waitFor();
  assert.match(await gate.innerText(), /version 2/);
  const accept = gate.getByRole("button", { name: "Accept and continue" });
  assert.equal(await accept.isDisabled(), true, "accepting needs the tick");
  await axeCheck(page, "the terms dialog");
  await shot("new-version");
  await gate.getByRole("checkbox", { name: /I have read and accept/ }).check();
  await accept.click();
  await gate.waitFor({ state: "detached" });
  await send(page, `after v2 ${run}`);
  await msgOf(page, `after v2 ${run}`).waitFor();
  await shot("accepted");
});

test("the report dialog links the community guidelines", async () => {
  // Bo signs up under version 2: his tick is recorded, he is not asked again.
  const pageB = await openPage(stack);
  await signUpTicking(pageB, bo);
  await send(pageB, `claim ${run}`);
  await msgOf(pageB, `claim ${run}`).waitFor();
  assert.equal(await pageB.getByRole("dialog", { name: /terms/i }).count(), 0);

  const msg = msgOf(page, `claim ${run}`);
  await msg.waitFor();
  await msg.hover();
  await msg.getByRole("button", { name: "Report" }).click();
  const dialog = page.getByRole("dialog", { name: "Report message" });
  await dialog.getByRole("link", { name: "Community Guidelines" }).click();
  const guidelines = page.getByRole("dialog", { name: "Community Guidelines" });
  await guidelines.getByRole("heading", { name: "Be respectful" }).waitFor();
  await shot("guidelines");
  await guidelines.getByRole("button", { name: "Close" }).click();
  await guidelines.waitFor({ state: "detached" });
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await dialog.waitFor({ state: "detached" });
});
