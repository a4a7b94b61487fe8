// widget-tti: the support widget's time to interactive on a throttled
// connection. Headless Chromium (the e2e's browser) opens the demo site
// that embeds the widget, with the cache off and the network throttled
// through the DevTools protocol (Network.emulateNetworkConditions), and
// reads the time from navigation start until the widget is interactive:
// its config is loaded and the launcher is rendered (the widget's
// performance mark "backchannel-widget-ready"), then checks the launcher
// takes a click. Prints the median and every run, in ms.
//
//	node scripts/widget-tti/tti.mjs [--url http://127.0.0.1:8081/] [--runs 5] [--presets "Slow 4G,Fast 3G"]
//
// Without --url it starts the local stack itself (as the e2e tests do,
// scripts/dev with free ports) and measures its demo site. `make widget-tti`.
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const WEB = join(ROOT, "web");
const { chromium } = createRequire(join(WEB, "package.json"))("playwright-core");

// Chrome DevTools' presets (bytes/s, ms), as DevTools and Puppeteer define
// them: "Slow 4G" is, since crbug.com/342406608, the conditions DevTools
// used to call "Fast 3G" (Lighthouse's mobile throttling); both are kept
// by name. "Slow 3G" and "none" for comparison.
export const PRESETS = {
  "Slow 4G": { latency: 150 * 3.75, downloadThroughput: ((1.6 * 1000 * 1000) / 8) * 0.9, uploadThroughput: ((750 * 1000) / 8) * 0.9 },
  "Fast 3G": { latency: 150 * 3.75, downloadThroughput: ((1.6 * 1000 * 1000) / 8) * 0.9, uploadThroughput: ((750 * 1000) / 8) * 0.9 },
  "Slow 3G": { latency: 400 * 5, downloadThroughput: ((500 * 1000) / 8) * 0.8, uploadThroughput: ((500 * 1000) / 8) * 0.8 },
  none: { latency: 0, downloadThroughput: -1, uploadThroughput: -1 },
};

const { values: args } = parseArgs({
  options: {
    url: { type: "string" },
    runs: { type: "string", default: "5" },
    presets: { type: "string", default: "Slow 4G,Fast 3G" },
  },
});

async function measure(browser, url, preset) {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  await cdp.send("Network.emulateNetworkConditions", { offline: false, ...PRESETS[preset] });
  try {
    await page.goto(url, { waitUntil: "commit", timeout: 120_000 });
    await page.waitForFunction(() => performance.getEntriesByName("backchannel-widget-ready").length > 0, null, { timeout: 120_000, polling: 20 });
    const ms = await page.evaluate(() => performance.getEntriesByName("backchannel-widget-ready")[0].startTime);
    // Interactive means it takes the click: the panel opens.
    await page.getByRole("button", { name: /open chat|chat öffnen/i }).click({ timeout: 10_000 });
    await page.getByRole("dialog").waitFor({ timeout: 10_000 });
    return Math.round(ms);
  } finally {
    await ctx.close();
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : Math.round((s[s.length / 2 - 1] + s[s.length / 2]) / 2);
};

async function main() {
  const runs = Number(args.runs);
  const presets = args.presets.split(",").map((p) => p.trim());
  for (const p of presets) if (!PRESETS[p]) throw new Error(`unknown preset ${p}; known: ${Object.keys(PRESETS).join(", ")}`);
  let stack = null;
  let browser;
  let url = args.url;
  if (!url) {
    const { startStack } = await import(pathToFileURL(join(WEB, "e2e", "stack.mjs")).href);
    stack = await startStack({ logName: "widget-tti-stack.log" });
    browser = stack.browser;
    url = stack.info.demoUrl;
    if (!url) throw new Error("the stack's ready file names no demoUrl (scripts/dev too old?)");
  } else {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
    });
  }
  try {
    console.log(`widget-tti: ${url}, ${runs} cold loads per preset (cache off), phone viewport`);
    for (const p of presets) {
      const times = [];
      for (let i = 0; i < runs; i++) times.push(await measure(browser, url, p));
      const c = PRESETS[p];
      const cond = c.latency ? `${c.latency} ms RTT, ${Math.round((c.downloadThroughput * 8) / 1000)} kbit/s down` : "unthrottled";
      console.log(`widget-tti: ${p.padEnd(8)} median ${median(times)} ms  (runs: ${times.join(", ")} ms; ${cond})`);
    }
  } finally {
    if (stack) await stack.stop();
    else await browser.close();
  }
}

main().catch((err) => {
  console.error("widget-tti:", err.message ?? err);
  process.exit(1);
});
