// End-to-end check of slash commands (issue 16): Ann, owner of #ops,
// registers /echo in the channel settings ("Commands & outgoing webhooks")
// against a small receiver this test starts, which verifies every
// request's signature (HMAC-SHA256 over timestamp.body, 5-minute window)
// with the secret the dialog showed once. Bob types /ec, picks /echo from
// the suggestions (Tab), sends it and sees the reply marked "Only visible to
// you" (Ann does not); then a /echo room reply reaches both as the
// command. Axe and screenshots. Its own stack.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS, startStack } from "./stack.mjs";
import { axeCheck, composer, createChannel, joinChannel, msgOf, openPage, signUp } from "./helpers.mjs";

let stack, receiver, receiverURL;
let secret = "";
const requests = [];
const refused = [];
const run = Date.now().toString(36);
const ann = { email: `ann-${run}@example.com`, name: "Ann Archer", password: "correct horse 1" };
const bob = { email: `bob-${run}@example.com`, name: "Bob Baker", password: "battery staple 2" };
let pageA, pageB;
const dir = join(ARTIFACTS, "screens");

// verify is the receiver's check, as docs/INTEGRATIONS.md shows it.
function verify(headers, body) {
  const ts = headers["x-backchannel-timestamp"];
  const sig = headers["x-backchannel-signature"] ?? "";
  if (!ts || Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false;
  const want = Buffer.from("v1=" + createHmac("sha256", secret).update(`${ts}.${body}`).digest("hex"));
  return sig.split(",").some((s) => {
    const got = Buffer.from(s.trim());
    return got.length === want.length && timingSafeEqual(got, want);
  });
}

before(async () => {
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      if (!verify(req.headers, body)) {
        refused.push(body);
        res.writeHead(401).end("bad signature");
        return;
      }
      const p = JSON.parse(body);
      requests.push(p);
      const room = p.text.startsWith("all ");
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ text: `echo: ${room ? p.text.slice(4) : p.text} (from ${p.userName})`, visibility: room ? "room" : "ephemeral" }));
    });
  });
  await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
  receiverURL = `http://127.0.0.1:${receiver.address().port}/echo`;
  stack = await startStack({ logName: "integrations-commands-stack.log" });
  pageA = await openPage(stack);
  pageB = await openPage(stack);
  await signUp(stack, pageA, ann);
  await signUp(stack, pageB, bob);
  mkdirSync(dir, { recursive: true });
  await createChannel(pageA, "ops");
  await joinChannel(pageB, "ops");
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
  await section.getByLabel("URL").first().fill(receiverURL);
  await section.getByLabel("Description").fill("Repeats what you say");
  await section.getByRole("button", { name: "Add command" }).click();
  const secretBox = section.getByLabel("Signing secret for /echo");
  await secretBox.waitFor();
  secret = await secretBox.inputValue();
  assert.match(secret, /^bcsec_[0-9a-f]{64}$/);
  await section.locator(".integration-row", { hasText: "/echo" }).waitFor();
  await dialog.evaluate((el) => el.querySelector(".integrations")?.scrollIntoView());
  await pageA.screenshot({ path: join(dir, "integrations-commands-settings-1280.png") });
  await axeCheck(pageA, "the channel settings with commands and outgoing webhooks");
  await pageA.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });

  // Bob's composer offers /echo (the room's commands are read again when a
  // "/" starts the text).
  await composer(pageB).fill("/ec");
  const hint = pageB.locator(".command-hints button", { hasText: "/echo" });
  await hint.waitFor();
  await composer(pageB).press("Tab"); // Tab completes the first suggestion
  assert.equal(await composer(pageB).inputValue(), "/echo ");
  await composer(pageB).pressSequentially("hello there");
  await composer(pageB).press("Enter");
  const reply = pageB.locator(".ephemeral-reply", { hasText: "echo: hello there (from" });
  await reply.waitFor();
  assert.match(await reply.textContent(), /Only visible to you/);
  assert.equal(requests.length, 1);
  assert.equal(requests[0].command, "/echo");
  assert.equal(requests[0].text, "hello there");
  assert.equal(refused.length, 0);
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
