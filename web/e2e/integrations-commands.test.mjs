// End-to-end check of slash commands (issue 16): Ann, owner of #ops,
// registers /echo in the channel settings ("Commands & outgoing webhooks")
// against a small receiver this test starts (signed-receiver.mjs), which
// verifies every request's signature (HMAC-SHA256 over timestamp.body,
// 5-minute window) with the secret the dialog showed once. Bob types /ec,
// picks /echo from the suggestions (Tab), sends it and sees the reply
// marked "Only visible to you" (Ann does not); then a /echo room reply
// reaches both as the command. Ada, a workspace admin, registers /status
// for the whole workspace in the People dialog ("Slash commands"); Bob
// gets it in every room's suggestions (a listbox: arrows move the
// selection, Escape closes, Enter picks), runs it in #general, its
// receiver answers later through the payload's responseUrl (both see it),
// and it is gone once Ada deletes it. Axe and screenshots. Its own stack.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { SCREENS, axeCheck, composer, msgOf, openPage, signUpAdmin, startWithTwo } from "./helpers.mjs";
import { startReceiver } from "./signed-receiver.mjs";

let stack, receiver;
const run = Date.now().toString(36);
const ann = { email: `ann-${run}@example.com`, name: "Ann Archer", password: "correct horse 1" };
const bob = { email: `bob-${run}@example.com`, name: "Bob Baker", password: "battery staple 2" };
const ada = { email: `ada-${run}@example.com`, name: "Ada Admin", password: "lovelace rules 3" };
let pageA, pageB, pageC;
const dir = SCREENS;

before(async () => {
  receiver = await startReceiver((path, p) => {
    if (path === "/status") return { text: `status: all green in ${p.roomId}`, visibility: "ephemeral" };
    const room = p.text.startsWith("all ");
    return { text: `echo: ${room ? p.text.slice(4) : p.text} (from ${p.userName})`, visibility: room ? "room" : "ephemeral" };
  });
  ({ stack, pageA, pageB } = await startWithTwo({ logName: "integrations-commands-stack.log" }, ann, bob, "ops"));
  pageC = await openPage(stack);
  await signUpAdmin(stack, pageC, ada);
}, { timeout: 300_000 });

after(async () => {
  await stack?.stop();
  receiver?.close();
});

test("Ann registers /echo in the channel settings; Bob runs it and sees the reply only he can see; a room reply reaches both", { timeout: 180_000 }, async () => {
  await pageA.getByRole("button", { name: "Channel settings" }).click();
  const dialog = pageA.getByRole("dialog", { name: "Channel settings" });
  const section = dialog.getByRole("region", { name: "Commands & outgoing webhooks" });
  await section.waitFor();
  await section.getByLabel("Command", { exact: true }).fill("/echo");
  await section.getByLabel("URL").first().fill(receiver.url("/echo"));
  await section.getByLabel("Description").fill("Repeats what you say");
  await section.getByRole("button", { name: "Add command" }).click();
  const secretBox = section.getByLabel("Signing secret for /echo");
  await secretBox.waitFor();
  const secret = await secretBox.inputValue();
  assert.match(secret, /^bcsec_[0-9a-f]{64}$/);
  receiver.setSecret("/echo", secret);
  await section.locator(".integration-row", { hasText: "/echo" }).waitFor();
  await dialog.evaluate((el) => el.querySelector(".integrations")?.scrollIntoView());
  await pageA.screenshot({ path: join(dir, "integrations-commands-settings-1280.png") });
  await axeCheck(pageA, "the channel settings with commands and outgoing webhooks");
  await pageA.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });

  // Bob's composer offers /echo (the room's commands are read again when a
  // "/" starts the text).
  await composer(pageB).fill("/ec");
  const hint = pageB.getByRole("listbox", { name: "Commands" }).getByRole("option", { name: /\/echo/ });
  await hint.waitFor();
  await composer(pageB).press("Tab"); // Tab completes the first suggestion
  assert.equal(await composer(pageB).inputValue(), "/echo ");
  await composer(pageB).pressSequentially("hello there");
  await composer(pageB).press("Enter");
  const reply = pageB.locator(".ephemeral-reply", { hasText: "echo: hello there (from" });
  await reply.waitFor();
  assert.match(await reply.textContent(), /Only visible to you/);
  assert.equal(receiver.on("/echo").length, 1);
  assert.equal(receiver.on("/echo")[0].payload.command, "/echo");
  assert.equal(receiver.on("/echo")[0].payload.text, "hello there");
  assert.equal(receiver.refused.length, 0);
  await pageB.screenshot({ path: join(dir, "integrations-commands-ephemeral-1280.png") });
  await axeCheck(pageB, "the room with an ephemeral command reply");
  assert.equal(await pageA.locator(".ephemeral-reply").count(), 0);
  assert.equal(await msgOf(pageA, "hello there").count(), 0);

  // A room reply: stored, and both see it from /echo.
  await composer(pageB).fill("/echo all deployed");
  await composer(pageB).press("Enter");
  try {
    await msgOf(pageA, "echo: deployed").waitFor();
  } catch (err) {
    await pageA.screenshot({ path: join(dir, "integrations-commands-fail-a.png") });
    await pageB.screenshot({ path: join(dir, "integrations-commands-fail-b.png") });
    throw err;
  }
  await msgOf(pageB, "echo: deployed").waitFor();
  assert.match(await msgOf(pageA, "echo: deployed").textContent(), /\/echo/);
  // A /text that is no command is an ordinary message.
  await composer(pageB).fill("/nope not a command");
  await composer(pageB).press("Enter");
  await msgOf(pageA, "/nope not a command").waitFor();
});

test("Ada registers /status for the workspace in the People dialog; Bob picks it from every room's suggestions with the keyboard; deleted, it is gone", { timeout: 180_000 }, async () => {
  await pageC.getByRole("button", { name: "Manage people" }).click();
  const people = pageC.getByRole("dialog", { name: "People" });
  const section = people.getByRole("region", { name: "Slash commands" });
  await section.waitFor();
  await section.getByLabel("Command", { exact: true }).fill("status");
  await section.getByLabel("URL").fill(receiver.url("/status"));
  await section.getByLabel("Description").fill("How things are");
  await section.getByRole("button", { name: "Add command" }).click();
  const secretBox = section.getByLabel("Signing secret for /status");
  await secretBox.waitFor();
  const secret = await secretBox.inputValue();
  assert.match(secret, /^bcsec_[0-9a-f]{64}$/);
  receiver.setSecret("/status", secret);
  const row = section.locator(".integration-row", { hasText: "/status" });
  await row.waitFor();
  assert.match(await row.textContent(), /\/status/);
  await section.evaluate((el) => el.scrollIntoView());
  await pageC.screenshot({ path: join(dir, "integrations-commands-workspace-1280.png") });
  await axeCheck(pageC, "the People dialog with the workspace's slash commands");

  // Bob, in #ops: both /echo (the room's) and /status (the workspace's).
  const box = composer(pageB);
  const list = pageB.getByRole("listbox", { name: "Commands" });
  const selected = () => list.locator('[role=option][aria-selected="true"]').textContent();
  await box.fill("/");
  await list.getByRole("option", { name: /\/status/ }).waitFor();
  assert.equal(await list.getByRole("option").count(), 2);
  assert.equal(await box.getAttribute("aria-controls"), "command-list");
  assert.equal(await box.getAttribute("aria-activedescendant"), "command-opt-0");
  assert.match(await selected(), /\/echo/);
  await box.press("ArrowDown");
  assert.equal(await box.getAttribute("aria-activedescendant"), "command-opt-1");
  assert.match(await selected(), /\/status/);
  await box.press("ArrowDown"); // wraps around
  assert.match(await selected(), /\/echo/);
  await box.press("ArrowUp");
  assert.match(await selected(), /\/status/);
  await pageB.screenshot({ path: join(dir, "integrations-commands-suggestions-1280.png") });
  await axeCheck(pageB, "the composer's command suggestions");
  await box.press("Escape");
  await list.waitFor({ state: "detached" });
  assert.equal(await box.getAttribute("aria-activedescendant"), null);
  assert.equal(await box.inputValue(), "/");
  await box.pressSequentially("s"); // typing opens them again
  await list.getByRole("option", { name: /\/status/ }).waitFor();
  await box.press("Enter"); // Enter picks, it does not send
  assert.equal(await box.inputValue(), "/status ");
  await list.waitFor({ state: "detached" });

  // In #general too (a workspace command is offered in every room).
  await box.fill("");
  await pageB.locator("nav.sidebar .room-link", { hasText: "general" }).click();
  await pageB.getByRole("heading", { name: /#general/ }).waitFor();
  await box.fill("/st");
  await list.getByRole("option", { name: /\/status/ }).waitFor();
  await box.press("Tab");
  assert.equal(await box.inputValue(), "/status ");
  await box.press("Enter");
  const reply = pageB.locator(".ephemeral-reply", { hasText: "status: all green in" });
  await reply.waitFor();
  const got = receiver.on("/status");
  assert.equal(got.length, 1);
  assert.equal(got[0].payload.command, "/status");
  assert.equal(got[0].payload.userName, "Bob Baker");
  assert.equal(receiver.refused.length, 0);

  // A delayed answer: the receiver POSTs to the payload's responseUrl (the
  // web server's /api/, the HTTP API stand-in); both see it from /status.
  const responseUrl = got[0].payload.responseUrl;
  assert.match(responseUrl, /\/api\/v1\/commands\/respond\/[\w-]+\.[\w-]+$/);
  const res = await fetch(responseUrl, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text: "status: the deploy finished", visibility: "room" }) });
  assert.equal(res.status, 201, await res.clone().text());
  await msgOf(pageB, "status: the deploy finished").waitFor();
  assert.match(await msgOf(pageB, "status: the deploy finished").textContent(), /\/status/);
  await msgOf(pageC, "status: the deploy finished").waitFor();

  // Ada deletes it; Bob's next "/" no longer offers it.
  await section.getByRole("button", { name: "Delete /status" }).click();
  await row.waitFor({ state: "detached" });
  await section.getByText("None yet.").waitFor();
  // (the room's list is read again when a "/" starts the text; #general
  // has no other command, so the suggestions close).
  await box.fill("");
  await box.fill("/");
  await list.waitFor({ state: "detached" });
  assert.equal(await box.inputValue(), "/");
});
