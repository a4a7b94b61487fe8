// End-to-end: usage analytics (issue 16). Ada (an admin) and Bo chat in
// #general, Ada shares a file in a new channel; the admin dashboard shows
// the charts and the per-room numbers of exactly that activity (the
// stream consumer counts it through make dev's stream poller), the CSV
// download is a real .csv file with the same numbers; a room's name shows
// that room's days, charts and CSV. Screenshots (desktop
// and 360 px, light and dark) and axe checks.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS, startStack, waitFor } from "./stack.mjs";
import { axeCheck, composer, createChannel, openPage, send, signUp, signUpAdmin } from "./helpers.mjs";
import { makePng } from "./png.mjs";

let stack;
const run = Date.now().toString(36);
const ada = { email: `ada-${run}@example.com`, name: "Ada", password: "correct horse 1" };
const bo = { email: `bo-${run}@example.com`, name: "Bo", password: "battery staple 2" };
const channel = `design-${run}`;

before(async () => {
  stack = await startStack({ logName: "analytics-stack.log" });
}, { timeout: 300_000 });

after(async () => {
  await stack?.stop();
});

// bars reads the messages chart: the last bar's day, the sum of its
// values and the sum of all but the last two bars'.
async function bars(dialog) {
  const rects = dialog.locator("svg").first().locator("rect.chart-bar");
  const values = await rects.evaluateAll((rs) => rs.map((r) => Number(r.getAttribute("data-value"))));
  const sum = (xs) => xs.reduce((a, b) => a + b, 0);
  return { last: await rects.last().getAttribute("data-day"), sum: sum(values), early: sum(values.slice(0, -2)) };
}

const shoot = (page, name) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });

// cells reads a rooms-table row's numbers.
async function cells(row) {
  return {
    messages: (await row.locator('[data-col="messages"]').textContent()).trim(),
    active: (await row.locator('[data-col="active"]').textContent()).trim(),
    files: (await row.locator('[data-col="files"]').textContent()).trim(),
  };
}

test("an admin sees the day's activity in the dashboard and downloads it as CSV", async () => {
  const pageA = await openPage(stack);
  await signUpAdmin(stack, pageA, ada);

  const pageB = await openPage(stack);
  await signUp(stack, pageB, bo);
  await send(pageA, `morning ${run}`);
  await send(pageB, `hi Ada ${run}`);
  await send(pageA, `coffee? ${run}`);
  await pageA.locator(".messages").getByText(`coffee? ${run}`).waitFor();

  await createChannel(pageA, channel);
  const png = makePng(120, 80);
  await pageA.locator("#composer-file").setInputFiles({ name: "sketch.png", mimeType: "image/png", buffer: png });
  await pageA.locator(".upload-chip[data-upload-status=done]").waitFor();
  await composer(pageA).fill(`the sketch ${run}`);
  await composer(pageA).press("Enter");
  await pageA.locator('.messages img[alt="sketch.png"]').waitFor();

  await pageA.getByRole("button", { name: "Usage analytics" }).click();
  const dialog = pageA.getByRole("dialog", { name: "Usage analytics" });
  await dialog.locator("[data-range]").waitFor();
  const general = dialog.locator('tr[data-room="general"]');
  const design = dialog.locator("table[data-table=rooms] tr", { hasText: `#${channel}` });
  // The stream consumer counts asynchronously: pick the period again until
  // the numbers are in (state, not time).
  await waitFor(
    async () => {
      if ((await general.count()) && (await design.count())) {
        const g = await cells(general);
        const d = await cells(design);
        if (g.messages === "3" && g.active === "2" && d.messages === "1" && d.files === "1") return true;
      }
      await dialog.getByLabel("Last 7 days").check();
      await dialog.getByLabel("Last 30 days").check();
      await pageA.waitForTimeout(300);
      return false;
    },
    "the rooms table to show the seeded activity",
  );
  assert.deepEqual(await cells(general), { messages: "3", active: "2", files: "0" });
  assert.deepEqual(await cells(design), { messages: "1", active: "1", files: "1" });
  assert.equal((await dialog.locator('[data-figure="messages"] .figure-value').textContent()).trim(), "4");
  assert.equal((await dialog.locator('[data-figure="active"] .figure-value').textContent()).trim(), "2");
  assert.match(await dialog.locator('[data-figure="cost"] .figure-value').textContent(), /\$0\.0000\d\d|\$0\.000\d+/);

  // Two charts, each an accessible image with a title, and 30 bars.
  const charts = dialog.getByRole("img");
  assert.equal(await charts.count(), 2);
  assert.ok(await dialog.getByRole("img", { name: /Messages per day/ }).isVisible());
  assert.equal(await dialog.locator("svg").first().locator("rect.chart-bar").count(), 30);
  // The bars are the range's days, the last one its end (today by the
  // browser's clock when the period was picked). The 4 messages are in the
  // last bar, or in the last two if the sends or the picking crossed
  // midnight UTC: never in any other.
  assert.deepEqual(await bars(dialog), { last: (await dialog.locator("[data-range]").getAttribute("data-range")).split("..")[1], sum: 4, early: 0 });

  await shoot(pageA, "analytics-desktop-light");
  await dialog.locator("table[data-table=rooms]").scrollIntoViewIfNeeded();
  await shoot(pageA, "analytics-rooms-desktop-light");
  await axeCheck(pageA, "the analytics dashboard");
  await dialog.getByText("Every day as a table").click();
  await axeCheck(pageA, "the analytics dashboard with its day table");

  const [download] = await Promise.all([pageA.waitForEvent("download"), dialog.getByRole("button", { name: "Download CSV" }).click()]);
  assert.match(download.suggestedFilename(), /^backchannel-analytics-\d{4}-\d\d-\d\d-to-\d{4}-\d\d-\d\d\.csv$/);
  const csv = readFileSync(await download.path(), "utf8");
  const lines = csv.trimEnd().split("\r\n");
  assert.equal(lines[0], "kind,day,room_id,room_name,messages,active_people,new_members,files,file_bytes,connections,connection_minutes,estimated_cost_usd");
  assert.equal(lines.filter((l) => l.startsWith("day,")).length, 30);
  const general_ = lines.find((l) => l.startsWith("room,") && l.includes(",general,general,")).split(",");
  assert.deepEqual(general_.slice(4, 9), ["3", "2", "2", "0", "0"]); // messages, active, new members (Ada, Bo), files, bytes
  const design_ = lines.find((l) => l.includes(`,${channel},`)).split(",");
  assert.deepEqual(design_.slice(4, 9), ["1", "1", "1", "1", String(png.length)]);
  const total = lines.at(-1).split(",");
  assert.equal(total[0], "total");
  assert.equal(total[4], "4");
  assert.equal(total[5], "2");

  // Drill down: the channel's name in the rooms table shows its own days
  // (the picker follows), and the CSV is that room's.
  const designId = await design.getAttribute("data-room");
  await design.getByRole("button", { name: `#${channel}` }).click();
  await dialog.locator(`[data-room-shown="${designId}"]`).waitFor();
  assert.equal(await dialog.getByLabel("Room", { exact: true }).inputValue(), designId);
  assert.equal((await dialog.locator('[data-figure="messages"] .figure-value').textContent()).trim(), "1");
  assert.equal((await dialog.locator('[data-figure="files"] .figure-value').textContent()).trim(), "1");
  assert.ok(await dialog.getByRole("img", { name: new RegExp(`Messages per day: #${channel}`) }).isVisible());
  assert.equal((await bars(dialog)).sum, 1);
  assert.equal(await dialog.locator("table[data-table=rooms] tbody tr").count(), 1);
  await dialog.locator(".analytics-head").scrollIntoViewIfNeeded();
  await shoot(pageA, "analytics-room-desktop-light");
  await axeCheck(pageA, "the analytics dashboard of one room");
  const [roomDownload] = await Promise.all([pageA.waitForEvent("download"), dialog.getByRole("button", { name: "Download CSV" }).click()]);
  assert.ok(roomDownload.suggestedFilename().endsWith(`-${designId}.csv`), roomDownload.suggestedFilename());
  const roomLines = readFileSync(await roomDownload.path(), "utf8").trimEnd().split("\r\n");
  const roomDays = roomLines.filter((l) => l.startsWith("day,"));
  assert.equal(roomDays.length, 30);
  assert.ok(roomDays.every((l) => l.split(",")[2] === designId && l.split(",")[3] === channel), roomDays[0]);
  const roomTotal = roomLines.at(-1).split(",");
  assert.deepEqual([roomTotal[0], roomTotal[2], roomTotal[4], roomTotal[7], roomTotal[8], roomTotal[9]], ["total", designId, "1", "1", String(png.length), ""]);
  assert.equal(roomLines.filter((l) => l.startsWith("room,")).length, 1);

  // Back to every room with the picker.
  await dialog.getByLabel("Room", { exact: true }).selectOption("");
  await dialog.locator('[data-room-shown=""]').waitFor();
  assert.equal((await dialog.locator('[data-figure="messages"] .figure-value').textContent()).trim(), "4");

  // 360 px wide, dark.
  await pageA.setViewportSize({ width: 360, height: 740 });
  await pageA.emulateMedia({ colorScheme: "dark" });
  await shoot(pageA, "analytics-360-dark");
  await axeCheck(pageA, "the analytics dashboard at 360 px, dark");
});
