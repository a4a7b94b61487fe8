// End-to-end: Zed deletes his account from the settings (typing DELETE);
// his window is signed out with the reason, he cannot sign in again, and
// Ann, who had a DM with him, sees "Deleted user" in the DM and in
// #general once the erasure (the SQS worker of make dev) has run, and a
// read-only notice in place of the DM's composer.
// Screenshots of the setting and of Ann's view; axe checks.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ARTIFACTS, startStack, waitFor } from "./stack.mjs";
import { axeCheck, messages, openPage, send, signUp } from "./helpers.mjs";

let stack;
const run = Date.now().toString(36);
const ann = { email: `ann-${run}@example.com`, name: "Ann", password: "correct horse 1" };
const zed = { email: `zed-${run}@example.com`, name: "Zed Quillfeather", password: "battery staple 2" };

before(async () => {
  stack = await startStack({ logName: "privacy-delete-stack.log" });
}, { timeout: 300_000 });

after(async () => {
  await stack?.stop();
});

const shoot = (page, name) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });

test("Zed deletes his account; he is signed out and cannot sign in; Ann sees Deleted user", async () => {
  const pageA = await openPage(stack);
  const pageZ = await openPage(stack);
  await signUp(stack, pageA, ann);
  await signUp(stack, pageZ, zed);
  await send(pageZ, `wombat hello ${run}`);
  await messages(pageA).getByText(`wombat hello ${run}`).waitFor();

  // A DM from Zed to Ann.
  await pageZ.locator("aside.members button.member", { hasText: "Ann" }).click();
  await pageZ.getByRole("heading", { name: /Ann/ }).waitFor();
  await send(pageZ, `wombat secret ${run}`);
  const dmLink = pageA.locator("nav.sidebar .room-link", { hasText: "Zed Quillfeather" });
  await dmLink.waitFor();

  // The setting: the button stays off until DELETE is typed.
  await pageZ.getByRole("button", { name: "Settings", exact: true }).click();
  const dialog = pageZ.getByRole("dialog", { name: "Settings", exact: true });
  const button = dialog.getByRole("button", { name: "Delete my account" });
  const confirm = dialog.getByLabel("Type DELETE to confirm");
  await confirm.scrollIntoViewIfNeeded();
  assert.equal(await button.isDisabled(), true);
  await confirm.fill("delete");
  assert.equal(await button.isDisabled(), true, "the button is on for a lowercase 'delete'");
  await confirm.fill("DELETE");
  await button.waitFor();
  assert.equal(await button.isDisabled(), false);
  await dialog.locator(".delete-account").screenshot({ path: join(ARTIFACTS, "privacy-delete-setting.png") });
  await axeCheck(pageZ, "the settings with account deletion");
  await button.click();
  await pageZ.getByText("You were signed out: your account has been deleted.").waitFor({ timeout: 15_000 });
  await shoot(pageZ, "privacy-delete-signed-out");

  // He cannot sign in again.
  await pageZ.getByLabel("Email").fill(zed.email);
  await pageZ.getByLabel("Password", { exact: true }).fill(zed.password);
  await pageZ.locator("form").getByRole("button", { name: "Sign in" }).click();
  await waitFor(async () => (await pageZ.locator(".error, [role=alert]").count()) > 0, "the sign-in to be refused");
  assert.equal(await pageZ.evaluate(() => window.backchannel?.status === "online"), false, "Zed is online again");
  await pageZ.getByRole("heading", { name: /#general/ }).waitFor({ state: "detached", timeout: 1000 }).catch(() => {});
  assert.equal(await pageZ.getByRole("heading", { name: /#general/ }).count(), 0, "Zed reached the chat");

  // Ann, online in #general, sees his message erased as it happens.
  await messages(pageA).getByText("Deleted user").first().waitFor({ timeout: 20_000 });
  await waitFor(async () => (await messages(pageA).getByText(`wombat hello ${run}`).count()) === 0, "Zed's text to leave Ann's screen");

  // A fresh load names the DM "Deleted user".
  await waitFor(async () => {
    await pageA.reload();
    await pageA.getByRole("heading", { name: /#general/ }).waitFor();
    return (await pageA.locator("nav.sidebar .room-link", { hasText: "Deleted user" }).count()) > 0;
  }, "Ann's DM to show Deleted user", 30_000);
  await messages(pageA).getByText("Deleted user").first().waitFor();
  assert.equal(await messages(pageA).getByText(`wombat hello ${run}`).count(), 0, "Zed's text is still shown in #general (erase policy)");
  await pageA.locator("nav.sidebar .room-link", { hasText: "Deleted user" }).click();
  await messages(pageA).getByText("Deleted user").first().waitFor();
  assert.equal(await messages(pageA).getByText(`wombat secret ${run}`).count(), 0, "Zed's DM text is still shown");
  // The DM is read-only: a notice in place of the composer.
  await pageA.getByRole("status").filter({ hasText: "They deleted their account: this conversation is read-only." }).waitFor();
  assert.equal(await pageA.locator(".composer").count(), 0, "the DM still offers a composer");
  await shoot(pageA, "privacy-delete-ann-sees-deleted-user");
  await axeCheck(pageA, "a DM with a deleted account");
});
