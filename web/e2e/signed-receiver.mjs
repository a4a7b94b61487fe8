// A small local receiver for slash commands and outgoing webhooks (issue
// 16): it checks every request's signature as docs/INTEGRATIONS.md shows
// (HMAC-SHA256 over "timestamp.body", a 5-minute window, constant-time
// compare) with the secret registered for the request's path, records the
// verified requests (and the refused ones), and answers with what the
// test's reply function returns (JSON) or an empty 200.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";

export function verify(secret, headers, body) {
  const ts = headers["x-backchannel-timestamp"];
  const sig = headers["x-backchannel-signature"] ?? "";
  if (!secret || !ts || Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false;
  const want = Buffer.from("v1=" + createHmac("sha256", secret).update(`${ts}.${body}`).digest("hex"));
  return sig.split(",").some((s) => {
    const got = Buffer.from(s.trim());
    return got.length === want.length && timingSafeEqual(got, want);
  });
}

// startReceiver(reply) listens on 127.0.0.1; reply(path, payload, headers)
// returns the JSON answer (or undefined for an empty 200).
export async function startReceiver(reply = () => undefined) {
  const secrets = new Map();
  const requests = [];
  const refused = [];
  const waiters = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const path = new URL(req.url, "http://x").pathname;
      if (!verify(secrets.get(path), req.headers, body)) {
        refused.push({ path, body });
        res.writeHead(401).end("bad signature");
        return;
      }
      const payload = JSON.parse(body);
      requests.push({ path, payload, headers: req.headers });
      for (const w of [...waiters]) w();
      const answer = reply(path, payload, req.headers);
      if (answer === undefined) {
        res.writeHead(200).end();
        return;
      }
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify(answer));
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    url: (path) => base + path,
    setSecret: (path, secret) => secrets.set(path, secret),
    requests,
    refused,
    on: (path) => requests.filter((r) => r.path === path),
    // until resolves once a verified request matches pred (no sleeps).
    until(pred, timeout = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = requests.find(pred);
          if (!hit) return false;
          waiters.splice(waiters.indexOf(check), 1);
          clearTimeout(timer);
          resolve(hit);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(check), 1);
          reject(new Error(`receiver: no matching request in ${timeout} ms (${requests.length} verified, ${refused.length} refused)`));
        }, timeout);
        waiters.push(check);
        check();
      });
    },
    close: () => server.close(),
  };
}
