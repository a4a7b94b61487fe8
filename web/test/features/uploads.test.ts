import { describe, expect, it } from "vitest";
import { UploadQueue, mediaTypeOf, megabytes, sha256Base64, type UploadEncryption, type XhrLike } from "../../src/features/uploads";
import { DownloadUrls } from "../../src/features/downloads";
import { RequestError } from "../../src/api/socket";
import { translator } from "../../src/i18n";
import { humanSize, displayBox } from "../../src/ui/common/fileinfo";
import { pastedName } from "../../src/ui/composer/Composer";
import type { DownloadUrlFrame, UploadTicketFrame } from "../../src/api/protocol.gen";

// FakeXhr records the request and lets the test play the storage: report
// progress, answer, fail.
class FakeXhr {
  static all: FakeXhr[] = [];
  upload: { onprogress: ((ev: ProgressEvent) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  status = 0;
  method = "";
  url = "";
  headers: Record<string, string> = {};
  body: Blob | null = null;
  aborted = false;
  constructor() {
    FakeXhr.all.push(this);
  }
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    if (name.toLowerCase() === "content-length") throw new Error("Refused to set unsafe header");
    this.headers[name] = value;
  }
  send(body: Blob) {
    this.body = body;
  }
  abort() {
    this.aborted = true;
    this.onabort?.();
  }
  progress(loaded: number) {
    this.upload.onprogress?.({ loaded, total: this.body?.size ?? 0, lengthComputable: true } as ProgressEvent);
  }
  respond(status: number) {
    this.status = status;
    this.onload?.();
  }
}

const flush = () => new Promise((r) => setTimeout(r, 0));

function file(name: string, size: number, type: string): File {
  return new File([new Uint8Array(size)], name, { type });
}

function setup(opts: { maxBytes?: number; maxFiles?: number; ticket?: (name: string, size: number, type: string) => Promise<UploadTicketFrame>; encryption?: UploadEncryption } = {}) {
  FakeXhr.all = [];
  const asked: { roomId: string; name: string; size: number; type: string; sha256?: string }[] = [];
  let changes = 0;
  const q = new UploadQueue({
    hash: async (f) => `sha-of-${f.size}`,
    requestTicket: (roomId, name, size, type, sha256) => {
      asked.push({ roomId, name, size, type, sha256 });
      return (
        opts.ticket?.(name, size, type) ??
        Promise.resolve({
          type: "uploadTicket",
          key: `rooms/${roomId}/me/f${asked.length}/${name}`,
          url: `http://s3.local/bucket/${name}?sig=1`,
          method: "PUT",
          headers: { "Content-Type": type, "Content-Length": String(size) },
          expiresAt: "2026-11-21T03:00:00Z",
        } satisfies UploadTicketFrame)
      );
    },
    newXhr: () => new FakeXhr() as unknown as XhrLike,
    t: () => translator("en"),
    onChange: () => changes++,
    maxBytes: opts.maxBytes,
    maxFiles: opts.maxFiles,
    encryption: opts.encryption,
  });
  return { q, asked, changes: () => changes };
}

describe("sha256Base64", () => {
  it("is the file's SHA-256 in base64, as x-amz-checksum-sha256 takes it", async () => {
    expect(await sha256Base64(new Blob([]))).toBe("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    expect(await sha256Base64(new Blob(["abc"]))).toBe("ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
  });
});

describe("UploadQueue", () => {
  it("asks for a ticket, PUTs the file with the ticket's Content-Type (not Content-Length) and reports progress", async () => {
    const { q, asked } = setup();
    const f = file("deploy.png", 1000, "image/png");
    q.add("general", [f]);
    expect(q.busy("general")).toBe(true);
    await flush();
    expect(asked).toEqual([{ roomId: "general", name: "deploy.png", size: 1000, type: "image/png", sha256: "sha-of-1000" }]);
    const xhr = FakeXhr.all[0];
    expect(xhr.method).toBe("PUT");
    expect(xhr.url).toBe("http://s3.local/bucket/deploy.png?sig=1");
    expect(xhr.headers).toEqual({ "Content-Type": "image/png" });
    expect(xhr.body).toBe(f);

    xhr.progress(250);
    expect(q.list("general")[0]).toMatchObject({ status: "uploading", loaded: 250 });
    expect(q.attachments("general")).toEqual([]);

    xhr.respond(200);
    expect(q.list("general")[0]).toMatchObject({ status: "done", loaded: 1000 });
    expect(q.busy("general")).toBe(false);
    expect(q.attachments("general")).toEqual([{ key: "rooms/general/me/f1/deploy.png", name: "deploy.png", size: 1000, type: "image/png", sha256: "sha-of-1000" }]);
    expect(q.list("random")).toEqual([]);
  });

  it("in an encrypted room uploads the ciphertext as encrypted.bin and binds its key", async () => {
    const bound: string[] = [];
    const sealed = new Blob([new Uint8Array(1016)], { type: "application/octet-stream" });
    const { q, asked } = setup({
      encryption: {
        active: (roomId) => roomId === "secret",
        encrypt: async (f, name, type) => {
          expect([f.size, name, type]).toEqual([1000, "plan.png", "image/png"]);
          return { blob: sealed, bind: (k) => bound.push(k) };
        },
      },
    });
    q.add("secret", [file("plan.png", 1000, "image/png")]);
    await flush();
    await flush();
    expect(asked).toEqual([{ roomId: "secret", name: "encrypted.bin", size: 1016, type: "application/octet-stream", sha256: "sha-of-1016" }]);
    expect(bound).toEqual(["rooms/secret/me/f1/encrypted.bin"]);
    const xhr = FakeXhr.all[0];
    expect(xhr.body).toBe(sealed);
    xhr.respond(200);
    // The composer still shows the file's own name; the message names the object.
    expect(q.list("secret")[0]).toMatchObject({ name: "plan.png", status: "done" });
    expect(q.attachments("secret")).toEqual([{ key: "rooms/secret/me/f1/encrypted.bin", name: "encrypted.bin", size: 1016, type: "application/octet-stream", sha256: "sha-of-1016" }]);
  });

  it("refuses a file over the limit before asking the server, naming the limit in MB", () => {
    const { q, asked } = setup({ maxBytes: 2 * 1024 * 1024 });
    const [u] = q.add("general", [file("big.bin", 2 * 1024 * 1024 + 1, "application/zip")]);
    expect(asked).toEqual([]);
    expect(u.status).toBe("error");
    expect(u.error).toBe("File is too large: the limit is 2 MB.");
    expect(FakeXhr.all).toEqual([]);
  });

  it("takes the deployment's limit from the state event", async () => {
    const { q, asked } = setup();
    q.setLimits({ maxTextBytes: 8192, files: true, maxUploadBytes: 1024 * 1024 });
    const [u] = q.add("general", [file("big.png", 1024 * 1024 + 1, "image/png")]);
    expect(u.status).toBe("error");
    expect(u.error).toBe("File is too large: the limit is 1 MB.");
    q.add("general", [file("fits.png", 1024 * 1024, "image/png")]);
    await flush();
    expect(asked.map((a) => a.name)).toEqual(["fits.png"]);
  });

  it("accepts a file of exactly the limit", async () => {
    const { q, asked } = setup({ maxBytes: 10 });
    q.add("general", [file("ok.txt", 10, "text/plain")]);
    await flush();
    expect(asked.length).toBe(1);
  });

  it("refuses more files than a message may carry", async () => {
    const { q, asked } = setup({ maxFiles: 2 });
    const added = q.add("general", [file("a.txt", 1, "text/plain"), file("b.txt", 1, "text/plain"), file("c.txt", 1, "text/plain")]);
    expect(added.map((u) => u.status)).toEqual(["uploading", "uploading", "error"]);
    expect(added[2].error).toBe("Too many files: at most 2 per message.");
    await flush();
    expect(asked.map((a) => a.name)).toEqual(["a.txt", "b.txt"]);
  });

  it("names a refused type by its extension and the allowed kinds in words, before asking", () => {
    const { q, asked } = setup();
    q.setLimits({ maxTextBytes: 4000, files: true, allowedUploadTypes: ["image/png", "image/jpeg", "application/pdf", "text/plain", "application/zip", "video/mp4"] });
    const [exe] = q.add("general", [file("setup.exe", 10, "application/x-msdownload")]);
    expect(exe.error).toBe(".exe files can't be shared. You can share images, PDFs, text files, archives (ZIP, TAR), and videos.");
    expect(asked).toEqual([]);
  });

  it("words the server's refusal of a type the same way", async () => {
    const msg = 'files of type "text/html" cannot be shared: allowed types are image/png, text/plain';
    const { q } = setup({ ticket: () => Promise.reject(new RequestError("invalid", msg)) });
    q.add("general", [file("page.html", 10, "text/html")]);
    await flush();
    expect(q.list("general")[0].error).toBe(".html files can't be shared.");
  });

  it("shows the server's message when it refuses the size", async () => {
    const msg = 'files of type "text/html" cannot be shared: allowed types are image/png, text/plain';
    const { q } = setup({
      ticket: (name) => Promise.reject(name.endsWith(".html") ? new RequestError("invalid", msg) : new RequestError("too_large", "file is too large: the limit is 1 MB (1048576 bytes)")),
    });
    q.add("general", [file("page.html", 10, "text/html"), file("x.zip", 10, "application/zip")]);
    await flush();
    const [html, zip] = q.list("general");
    expect(html).toMatchObject({ status: "error", error: ".html files can't be shared." });
    expect(zip).toMatchObject({ status: "error", error: "file is too large: the limit is 1 MB (1048576 bytes)" });
    expect(FakeXhr.all).toEqual([]);
    expect(q.busy("general")).toBe(false);
  });

  it("maps transport failures to its own words", async () => {
    const { q } = setup({ ticket: () => Promise.reject(new RequestError("offline", "not connected")) });
    q.add("general", [file("a.txt", 1, "text/plain")]);
    await flush();
    expect(q.list("general")[0].error).toBe(translator("en")("files.offline"));
  });

  it("reports a refused PUT and a network error", async () => {
    const { q } = setup();
    q.add("general", [file("a.txt", 5, "text/plain"), file("b.txt", 5, "text/plain")]);
    await flush();
    FakeXhr.all[0].respond(403);
    FakeXhr.all[1].onerror?.();
    const [a, b] = q.list("general");
    expect(a).toMatchObject({ status: "error", error: "Upload failed (HTTP 403)." });
    expect(b).toMatchObject({ status: "error", error: "Upload failed: network error." });
    expect(q.attachments("general")).toEqual([]);
  });

  it("cancels an upload in flight with abort and forgets it", async () => {
    const { q } = setup();
    const [u] = q.add("general", [file("a.txt", 5, "text/plain")]);
    await flush();
    const xhr = FakeXhr.all[0];
    q.remove(u.id);
    expect(xhr.aborted).toBe(true);
    expect(q.list("general")).toEqual([]);
    // A late answer does not bring it back.
    xhr.respond(200);
    expect(q.list("general")).toEqual([]);
  });

  it("clear aborts every upload in flight", async () => {
    const { q } = setup();
    q.add("general", [file("a.txt", 5, "text/plain")]);
    q.add("random", [file("b.txt", 5, "text/plain")]);
    await flush();
    q.clear();
    expect(FakeXhr.all.map((x) => x.aborted)).toEqual([true, true]);
    expect([...q.list("general"), ...q.list("random")]).toEqual([]);
  });

  it("does not upload a file removed while its ticket was being asked for", async () => {
    const { q } = setup();
    const [u] = q.add("general", [file("a.txt", 5, "text/plain")]);
    q.remove(u.id);
    await flush();
    expect(FakeXhr.all).toEqual([]);
  });

  it("hands the finished uploads to the message once, keeping failed ones on screen", async () => {
    const { q } = setup({ maxBytes: 100 });
    q.add("general", [file("a.txt", 5, "text/plain"), file("big.txt", 500, "text/plain")]);
    await flush();
    FakeXhr.all[0].respond(200);
    expect(q.takeAttachments("general").map((a) => a.name)).toEqual(["a.txt"]);
    expect(q.takeAttachments("general")).toEqual([]);
    expect(q.list("general").map((u) => u.name)).toEqual(["big.txt"]);
  });

  // A thread's composer has its own slot: its files ask for a ticket of
  // the room, but wait for (and go with) the thread's next reply only.
  it("keeps a thread's uploads apart from the room's composer", async () => {
    const { q, asked } = setup();
    q.add("general", [file("room.txt", 5, "text/plain")]);
    q.add("general", [file("thread.txt", 6, "text/plain")], "general:42");
    await flush();
    expect(asked.map((a) => a.roomId)).toEqual(["general", "general"]);
    expect(q.list("general").map((u) => u.name)).toEqual(["room.txt"]);
    expect(q.list("general:42").map((u) => u.name)).toEqual(["thread.txt"]);
    FakeXhr.all[1].respond(200);
    expect(q.busy("general")).toBe(true);
    expect(q.busy("general:42")).toBe(false);
    expect(q.takeAttachments("general:42").map((a) => a.name)).toEqual(["thread.txt"]);
    expect(q.list("general").map((u) => u.name)).toEqual(["room.txt"]);
  });

  it("guesses the type from the extension when the browser gives none", () => {
    expect(mediaTypeOf({ name: "notes.MD", type: "" })).toBe("text/markdown");
    expect(mediaTypeOf({ name: "a.png", type: "image/png" })).toBe("image/png");
    expect(mediaTypeOf({ name: "noext", type: "" })).toBe("application/octet-stream");
  });
});

describe("DownloadUrls", () => {
  it("caches a URL until shortly before it expires and asks once for concurrent callers", async () => {
    let now = Date.parse("2026-11-21T03:00:00Z");
    const asked: string[] = [];
    const urls = new DownloadUrls(
      (roomId, seq, key, thumb) => {
        asked.push(`${roomId} ${seq} ${key} ${thumb}`);
        return Promise.resolve({ type: "downloadUrl", key, thumb, url: `http://s3/${key}?n=${asked.length}`, expiresAt: "2026-11-21T03:10:00Z" } as DownloadUrlFrame);
      },
      () => now,
    );
    const [a, b] = await Promise.all([urls.get("r", 7, "k", true), urls.get("r", 7, "k", true)]);
    expect(a).toBe("http://s3/k?n=1");
    expect(b).toBe(a);
    expect(await urls.get("r", 7, "k", false)).toBe("http://s3/k?n=2"); // the original is another URL
    now += 8 * 60_000;
    expect(await urls.get("r", 7, "k", true)).toBe("http://s3/k?n=1");
    now += 90_000; // within a minute of expiry
    expect(await urls.get("r", 7, "k", true)).toBe("http://s3/k?n=3");
    urls.forget("k", true);
    expect(await urls.get("r", 7, "k", true)).toBe("http://s3/k?n=4");
    expect(asked[0]).toBe("r 7 k true"); // the message the file is attached to goes with the request
  });

  it("passes the server's refusal on and does not cache it", async () => {
    let n = 0;
    const urls = new DownloadUrls(() => (n++ === 0 ? Promise.reject(new RequestError("not_found", "no thumbnail (yet)")) : Promise.resolve({ type: "downloadUrl", key: "k", url: "http://s3/t", expiresAt: "2099-01-01T00:00:00Z" } as DownloadUrlFrame)));
    await expect(urls.get("r", 7, "k", true)).rejects.toMatchObject({ code: "not_found" });
    expect(await urls.get("r", 7, "k", true)).toBe("http://s3/t");
  });
});

describe("file presentation", () => {
  it("states sizes for people", () => {
    expect(humanSize(512)).toBe("512 B");
    expect(humanSize(1536)).toBe("1.5 KB");
    expect(humanSize(48 * 1024)).toBe("48 KB");
    expect(humanSize(25 * 1024 * 1024)).toBe("25 MB");
    expect(humanSize(1536, "de")).toBe("1,5 KB");
    expect(megabytes(26214400)).toBe("25 MB");
    expect(megabytes(1.5 * 1024 * 1024)).toBe("1.5 MB");
  });

  it("reserves an image's box within the thumbnail size without enlarging", () => {
    expect(displayBox(600, 400, 320)).toEqual({ width: 320, height: 213 });
    expect(displayBox(100, 50, 320)).toEqual({ width: 100, height: 50 });
    expect(displayBox(400, 1200, 320)).toEqual({ width: 107, height: 320 });
    expect(displayBox(undefined, 10, 320)).toBeNull();
  });

  it("names pasted images by time", () => {
    expect(pastedName("image/png", new Date(2026, 10, 21, 3, 4, 5))).toBe("pasted-image-20261121-030405.png");
    expect(pastedName("image/jpeg", new Date(2026, 0, 2, 13, 0, 0))).toBe("pasted-image-20260102-130000.jpg");
  });
});
