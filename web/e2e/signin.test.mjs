// End-to-end: sign-in beyond the password. Ann enrols an authenticator app
// in Settings (the QR code and the key), signs out, and signs in again
// answering the SOFTWARE_TOKEN_MFA challenge with a code this test computes
// (RFC 6238) as her phone would. Fed signs in with the local identity
// provider through the hosted domain stand-in (authorization code + PKCE)
// and lands in the chat with the pool's own tokens.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { join } from "node:path";
import { ARTIFACTS, startStack, waitFor } from "./stack.mjs";
import { axeCheck, openPage, signUp } from "./helpers.mjs";

let stack;
const run = Date.now().toString(36);
const ann = { email: `ann-${run}@example.com`, name: "Ann", password: "correct horse 1" };

before(async () => {
  stack = await startStack({ logName: "signin-stack.log" });
}, { timeout: 300_000 });

after(async () => {
  await stack?.stop();
});

// totp is RFC 6238: HMAC-SHA1 over the 30 s step, 6 digits.
function totp(secret, at = Date.now()) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secret.replace(/=+$/, "").toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = createHmac("sha1", key).update(msg).digest();
  const off = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(off) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

async function online(page, who) {
  await page.getByRole("heading", { name: /#general/ }).waitFor();
  await waitFor(() => page.evaluate(() => window.backchannel?.status === "online"), `${who} online`);
}

test("the test's TOTP is RFC 6238's", () => {
  // Appendix B, SHA-1, secret "12345678901234567890" (base32 below): the last 6 of the 8 digits.
  const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
  assert.equal(totp(secret, 59_000), "287082");
  assert.equal(totp(secret, 1111111109_000), "081804");
  assert.equal(totp(secret, 2000000000_000), "279037");
});

test("Ann enrols an authenticator app, signs out, and signs in with its code", async () => {
  const page = await openPage(stack);
  await signUp(stack, page, ann);
  await page.getByRole("button", { name: "Settings", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Settings", exact: true });
  await dialog.getByRole("button", { name: "Set up an authenticator app" }).click();
  await dialog.getByRole("img", { name: "QR code for your authenticator app" }).waitFor();
  const uri = await dialog.getByTestId("totp-uri").textContent();
  assert.match(uri, /^otpauth:\/\/totp\/Backchannel:ann-[^?]+\?secret=[A-Z2-7]+&issuer=Backchannel/);
  const secret = new URL(uri).searchParams.get("secret");
  assert.equal((await dialog.getByTestId("totp-secret").textContent()).replace(/ /g, ""), secret);
  // The QR code is drawn: a path of dark modules on a white square.
  assert.ok((await dialog.locator("svg.totp-qr path").getAttribute("d")).length > 1000, "the QR code has modules");
  await axeCheck(page, "two-step sign-in set-up in Settings");
  await dialog.getByRole("button", { name: "Turn on" }).scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(ARTIFACTS, "signin-mfa-setup.png") });

  await dialog.getByLabel("Code from the app").fill(totp(secret));
  await dialog.getByRole("button", { name: "Turn on" }).click();
  await dialog.getByText("Two-step sign-in is on.").waitFor();
  await dialog.getByRole("button", { name: "Turn off two-step sign-in" }).waitFor();
  await page.locator("dialog[open] .dialog-close").click();

  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await page.getByLabel("Email").fill(ann.email);
  await page.getByLabel("Password", { exact: true }).fill(ann.password);
  await page.locator("form").getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Enter your authenticator code" }).waitFor();
  await axeCheck(page, "the authenticator code at sign-in");
  await page.screenshot({ path: join(ARTIFACTS, "signin-mfa-challenge.png") });

  // A wrong code is refused, and the right one still goes through.
  const right = totp(secret);
  await page.getByLabel("Authenticator code").fill(String((Number(right) + 500_000) % 1_000_000).padStart(6, "0"));
  await page.getByRole("button", { name: "Verify" }).click();
  await page.getByRole("alert").waitFor();
  await page.getByLabel("Authenticator code").fill(totp(secret));
  await page.getByRole("button", { name: "Verify" }).click();
  await online(page, "Ann");
  await page.context().close();
});

test("Fed signs in with the local provider (authorization code + PKCE) and lands in the chat", async () => {
  const page = await openPage(stack);
  await page.goto(stack.info.webUrl);
  const button = page.getByRole("button", { name: "Sign in with the local provider" });
  await button.waitFor();
  await axeCheck(page, "the sign-in screen with a provider button");
  await button.click();

  // The provider's page, on the hosted domain stand-in.
  await page.waitForURL((u) => u.href.startsWith(stack.info.hostedDomain));
  const authorize = new URL(page.url());
  assert.equal(authorize.pathname, "/oauth2/authorize");
  assert.equal(authorize.searchParams.get("code_challenge_method"), "S256");
  assert.equal(authorize.searchParams.get("identity_provider"), "LocalIdP");
  assert.equal(authorize.searchParams.get("redirect_uri"), stack.info.webUrl);
  const email = `fed-${run}@example.com`;
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Name").fill("Fed");
  await page.getByRole("button", { name: "Continue" }).click();

  await page.waitForURL((u) => u.href.startsWith(stack.info.webUrl));
  await online(page, "Fed");
  // The code does not stay in the address bar; the tokens are the pool's.
  assert.equal(new URL(page.url()).search, "");
  const claims = await page.evaluate(() => {
    const raw = sessionStorage.getItem("backchannel.session");
    const part = JSON.parse(raw).idToken.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(part));
  });
  assert.equal(claims.email, email);
  assert.equal(claims.aud, stack.info.clientId);
  assert.equal(claims.iss, stack.info.issuer);
  await page.screenshot({ path: join(ARTIFACTS, "signin-provider.png") });
  await page.context().close();
});
