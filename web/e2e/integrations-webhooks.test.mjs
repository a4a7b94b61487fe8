// End-to-end check of incoming webhooks (issue 16): the owner of a channel
// creates a webhook in its settings and sees its URL once; a POST to that
// URL (make dev serves the HTTP API under /hooks/ on its web server, as
// the deployment's HTTP API would) reaches a member's browser as a message
// from the integration, with the APP badge; a wrong secret is refused and,
// once the owner revokes the webhook, its URL is refused too. Its own stack.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { SCREENS, axeCheck, createChannel, joinChannel, msgOf, startWithTwo } from "./helpers.mjs";

let stack;
const run = Date.now().toString(36);
const ann = { email: `ann-${run}@example.com`, name: "Ann Archer", password: "correct horse 1" };
const bob = { email: `bob-${run}@example.com`, name: "Bob Baker", password: "battery staple 2" };
const channel = `deploys-${run}`;
let pageA, pageB, hookURL;
const dir = SCREENS;

before(async () => {
  ({ stack, pageA, pageB } = await startWithTwo({ logName: "integrations-webhooks-stack.log" }, ann, bob));
}, { timeout: 300_000 });

after(async () => {
  await stack?.stop();
});

async function post(url, body, contentType = "application/json") {
  const res = await fetch(url, { method: "POST", headers: { "Content-Type": contentType }, body });
  const text = await res.text();
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/, `POST answered ${text}`);
  return { status: res.status, body: JSON.parse(text) };
}

test("the owner creates a webhook and sees its URL once", { timeout: 120_000 }, async () => {
  await createChannel(pageA, channel);
  await joinChannel(pageB, channel);
  await pageA.getByRole("button", { name: "Channel settings" }).click();
  const dialog = pageA.getByRole("dialog", { name: "Channel settings" });
  await dialog.getByRole("heading", { name: "Webhooks", exact: true }).waitFor();
  await dialog.getByText("No webhooks yet.").waitFor();
  await dialog.getByLabel("Shown as").fill("CI");
  await dialog.getByRole("button", { name: "Create webhook" }).click();
  const url = dialog.getByTestId("webhook-url");
  await url.waitFor();
  hookURL = (await url.textContent()).trim();
  assert.match(hookURL, new RegExp(`^${stack.info.webUrl.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}hooks/c_[\\w-]+\\.wh_[\\w-]+/[\\w-]{43}$`));
  await dialog.getByRole("list", { name: "Webhooks of this room" }).getByText("CI", { exact: true }).waitFor();
  await dialog.getByRole("heading", { name: "Webhooks", exact: true }).scrollIntoViewIfNeeded();
  await pageA.screenshot({ path: join(dir, "webhooks-created-1280.png") });
  await axeCheck(pageA, "the channel settings with a new webhook");
  await dialog.getByRole("button", { name: "Done" }).click();
  assert.equal(await dialog.getByTestId("webhook-url").count(), 0, "the URL is hidden once done");
  await dialog.getByRole("button", { name: "Close" }).click();
  // Bob is a member, not an owner: no webhooks section for him.
  const settings = pageB.getByRole("button", { name: "Channel settings" });
  if (await settings.count()) {
    await settings.click();
    const his = pageB.getByRole("dialog", { name: "Channel settings" });
    assert.equal(await his.getByRole("heading", { name: "Webhooks" }).count(), 0, "a member sees no webhooks section");
    await his.getByRole("button", { name: "Close" }).click();
  }
});

test("a POST to the webhook reaches a member's browser as the integration", { timeout: 120_000 }, async () => {
  const text = `Build **#${run}** passed`;
  const res = await post(hookURL, JSON.stringify({ text, username: "Jenkins", attachments: [{ url: "https://ci.example.com/build/7", title: "Pipeline" }] }));
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(res.body.ok, true);
  const msg = msgOf(pageB, `#${run} passed`);
  await msg.waitFor();
  await msg.getByTestId("integration-badge").waitFor();
  assert.equal((await msg.locator(".msg-name").textContent()).trim(), "Jenkins");
  assert.equal((await msg.getByTestId("integration-badge").textContent()).trim(), "APP");
  assert.equal(await msg.locator("strong").textContent(), `#${run}`, "the text is Markdown");
  assert.equal(await msg.locator('a[href="https://ci.example.com/build/7"]').count(), 1, "the attachment is a link");
  await msgOf(pageA, `#${run} passed`).getByTestId("integration-badge").waitFor();
  await pageB.screenshot({ path: join(dir, "webhooks-message-1280.png") });
  await axeCheck(pageB, "a webhook's message in the room");
});

test("bad bodies, a wrong secret and a revoked webhook are refused with JSON errors", { timeout: 120_000 }, async () => {
  let res = await post(hookURL, "text=hi", "text/plain");
  assert.equal(res.status, 415);
  assert.equal(res.body.error.code, "unsupported_media_type");
  res = await post(hookURL, "{");
  assert.equal(res.status, 400);
  assert.equal(res.body.error.code, "invalid");
  const wrong = hookURL.replace(/[\w-]{43}$/, "A".repeat(43));
  res = await post(wrong, JSON.stringify({ text: "sneaky" }));
  assert.equal(res.status, 401);
  assert.equal(res.body.error.code, "unauthorized");

  await pageA.getByRole("button", { name: "Channel settings" }).click();
  const dialog = pageA.getByRole("dialog", { name: "Channel settings" });
  await dialog.getByRole("button", { name: "Revoke CI" }).click();
  const confirm = pageA.getByRole("dialog", { name: "Revoke CI" });
  await confirm.getByRole("button", { name: "Revoke", exact: true }).click();
  await dialog.getByText(/^revoked /).waitFor();
  res = await post(hookURL, JSON.stringify({ text: "after revoke" }));
  assert.equal(res.status, 404);
  assert.equal(res.body.error.code, "revoked");
  await dialog.getByRole("button", { name: "Close" }).click();
  // Its messages stay.
  await msgOf(pageB, `#${run} passed`).waitFor();
  assert.equal(await msgOf(pageB, "sneaky").count(), 0);
});
