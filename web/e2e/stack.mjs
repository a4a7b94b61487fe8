// Starts the local stack (scripts/dev) once for the e2e run, and Chromium.
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, openSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const WEB_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const ROOT = resolve(WEB_DIR, "..");
export const ARTIFACTS = join(WEB_DIR, "e2e", "artifacts");

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// waitFor polls fn until it returns a truthy value, failing after timeoutMs.
export async function waitFor(fn, what, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ""}`);
    await sleep(200);
  }
}

// startStack builds and starts scripts/dev; env adds to its environment
// (e.g. MAX_UPLOAD_BYTES for a smaller upload limit); its log goes to
// e2e/artifacts/<logName>.
export async function startStack({ env = {}, logName = "stack.log", browserArgs = [] } = {}) {
  mkdirSync(ARTIFACTS, { recursive: true });
  if (!existsSync(join(WEB_DIR, "dist", "index.html"))) throw new Error("web/dist is missing: build the web client first (make web-build)");
  const tmp = mkdtempSync(join(tmpdir(), "backchannel-e2e-"));
  const bin = join(tmp, "dev");
  execFileSync("go", ["build", "-o", bin, "./scripts/dev"], { cwd: ROOT, stdio: "inherit" });
  const readyFile = join(tmp, "ready.json");
  const log = openSync(join(ARTIFACTS, logName), "w");
  const proc = spawn(bin, ["--port", "0", "--demo-port", "0", "--web", join(WEB_DIR, "dist"), "--ready-file", readyFile], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", log, log] });
  let exited = null;
  proc.on("exit", (code) => (exited = code));
  const info = await waitFor(
    () => {
      if (exited !== null) throw new Error(`scripts/dev exited with ${exited} (see e2e/artifacts/stack.log)`);
      return existsSync(readyFile) && JSON.parse(readFileSync(readyFile, "utf8"));
    },
    "the local stack (scripts/dev --ready-file)",
    240_000,
  );
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", ...browserArgs],
    // Playwright gives every launch a fresh temporary user-data-dir itself
    // (it refuses --user-data-dir in args).
  });
  return {
    info,
    browser,
    async stop() {
      await browser.close().catch(() => {});
      if (exited === null) {
        proc.kill("SIGTERM");
        await waitFor(() => exited !== null, "scripts/dev to stop", 20_000).catch(() => proc.kill("SIGKILL"));
      }
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

// confirmationCode reads the code cognito-local "sent" to email: from the
// user pool's database file (saved before SignUp answers), else from its log.
// The log alone is not enough: cognito-local's logger (sonic-boom) counts
// the characters it queued against the bytes it wrote, so the box-drawing
// characters of every delivery leave it short and, from about the fourth
// sign-up on, a delivery sits unwritten until more output comes.
export async function confirmationCode(info, email) {
  const file = join(info.logDir, "cognito-local.log");
  return waitFor(
    () => {
      const stored = codeInPoolDb(info, email);
      if (stored) return stored;
      const text = readFileSync(file, "utf8").replace(/\x1b\[[0-9;]*m/g, "");
      const at = text.lastIndexOf(`Destination: ${email}`);
      if (at < 0) return null;
      return /Code:\s+(\d+)/.exec(text.slice(at))?.[1];
    },
    `the confirmation code for ${email}`,
  );
}

// codeInPoolDb finds email's pending confirmation code in cognito-local's
// pool file (<data dir>/cognito/.cognito/db/<pool id>.json).
function codeInPoolDb(info, email) {
  const db = join(dirname(info.logDir), "cognito", ".cognito", "db", `${info.userPoolId}.json`);
  if (!existsSync(db)) return null;
  const users = Object.values(JSON.parse(readFileSync(db, "utf8")).Users ?? {});
  const user = users.find((u) => u.Attributes?.some((a) => a.Name === "email" && a.Value === email));
  return user?.ConfirmationCode ?? null;
}
