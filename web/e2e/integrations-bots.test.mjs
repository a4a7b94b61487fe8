// End-to-end check of bot accounts (issue 16): an admin creates a bot in
// the admin console (its token shown once), adds it to a channel from the
// channel's settings; the test posts with the token over the HTTP API
// (make dev serves it under /api/) as a bot would; a member's browser
// shows the message with the BOT badge. A new token from the console
// makes the old one refused. Its own stack.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { waitFor } from "./stack.mjs";
import { SCREENS, addToGroup, axeCheck, createChannel, joinChannel, msgOf, signInAgain, startWithTwo } from "./helpers.mjs";

let stack;
const run = Date.now().toString(36);
const ann = { email: `ann-${run}@example.com`, name: "Ann Admin", password: "correct horse 1" };
const bob = { email: `bob-${run}@example.com`, name: "Bob Baker", password: "battery staple 2" };
const channel = `deploys-${run}`;
const botName = "Deploy bot";
let pageA, pageB, token;
const dir = SCREENS;

before(async () => {
  ({ stack, pageA, pageB } = await startWithTwo({ logName: "integrations-bots-stack.log" }, ann, bob));
  await addToGroup(stack, ann.email, "admins");
  await signInAgain(pageA, ann);
}, { timeout: 300_000 });

after(async () => {
  await stack?.stop();
});

// api calls the bot HTTP API as a bot would: curl -H "Authorization: Bearer …".
async function api(method, path, tok, body) {
  const res = await fetch(new URL(`api/v1/${path}`, stack.info.webUrl), {
    method,
    headers: { Authorization: `Bearer ${tok}`, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

test("an admin creates a bot and adds it to a channel; its HTTP post shows with the BOT badge", { timeout: 180_000 }, async () => {
  await createChannel(pageA, channel);
  await joinChannel(pageB, channel);

  await pageA.getByRole("button", { name: "Manage people" }).click();
  const people = pageA.getByRole("dialog", { name: "People" });
  await people.getByLabel("Bot name").fill(botName);
  await people.getByRole("button", { name: "Create bot" }).click();
  const tokenField = people.getByLabel("Token", { exact: true });
  await tokenField.waitFor();
  token = await tokenField.inputValue();
  assert.match(token, /^bcb_[A-Za-z0-9_-]{43}$/, "the token is shown once");
  await people.getByText(`Token for ${botName}: copy it now`).waitFor();
  await people.locator(".bots-list").getByText(botName).waitFor();
  await people.locator(".bots-admin").scrollIntoViewIfNeeded();
  await pageA.screenshot({ path: join(dir, "bots-admin-1280.png") });
  await axeCheck(pageA, "the admin console with a new bot's token");
  await people.getByRole("button", { name: "Close" }).click();

  // Not in any room yet: the bot is refused in the channel.
  const { status: before, body: refused } = await api("GET", "rooms", token);
  assert.equal(before, 200);
  assert.deepEqual(refused.rooms, [], "a new bot is in no room");

  await pageA.getByRole("button", { name: "Channel settings" }).click();
  const settings = pageA.getByRole("dialog", { name: "Channel settings" });
  await settings.getByLabel("Bot to add").selectOption({ label: botName });
  await settings.getByRole("button", { name: "Add bot" }).click();
  await settings.getByRole("button", { name: `Remove ${botName} from this room` }).waitFor();
  await pageA.screenshot({ path: join(dir, "bots-room-settings-1280.png") });
  await axeCheck(pageA, "the channel settings with its bot");
  await settings.getByRole("button", { name: "Close" }).click();

  const { status, body } = await api("GET", "rooms", token);
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.rooms.length, 1);
  const roomId = body.rooms[0].roomId;
  assert.equal(body.rooms[0].name, channel);

  const text = `deploy ${run} is green`;
  const posted = await api("POST", `rooms/${roomId}/messages`, token, { text });
  assert.equal(posted.status, 200, JSON.stringify(posted.body));
  const msg = msgOf(pageB, text);
  await msg.waitFor();
  await msg.locator(".bot-badge", { hasText: "BOT" }).waitFor();
  assert.equal(await msg.locator(".msg-name").innerText(), botName);
  // A reply in its thread and a reaction, as the bot.
  const reply = await api("POST", `rooms/${roomId}/messages/${posted.body.message.seq}/replies`, token, { text: "changelog attached" });
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  const react = await api("POST", `rooms/${roomId}/messages/${posted.body.message.seq}/reactions`, token, { emoji: "🚀" });
  assert.equal(react.status, 200, JSON.stringify(react.body));
  await msg.getByText("🚀").first().waitFor();
  await pageB.screenshot({ path: join(dir, "bots-message-1280.png") });
  await axeCheck(pageB, "a bot's message with its BOT badge");

  // #general: the bot was not added there.
  const outside = await api("POST", "rooms/general/messages", token, { text: "hello?" });
  assert.equal(outside.status, 403, JSON.stringify(outside.body));
  assert.equal(outside.body.error.code, "forbidden");
});

test("a new token from the console refuses the old one", { timeout: 120_000 }, async () => {
  pageA.once("dialog", (d) => void d.accept());
  await pageA.getByRole("button", { name: "Manage people" }).click();
  const people = pageA.getByRole("dialog", { name: "People" });
  await people.getByRole("button", { name: `New token for ${botName}` }).click();
  const tokenField = people.getByLabel("Token", { exact: true });
  const fresh = await waitFor(async () => {
    const v = await tokenField.inputValue();
    return v && v !== token ? v : null;
  }, "the new token");
  assert.equal((await api("GET", "rooms", token)).status, 401, "the old token is refused");
  assert.equal((await api("GET", "rooms", fresh)).status, 200, "the new token works");
  await people.getByRole("button", { name: "Close" }).click();
});
