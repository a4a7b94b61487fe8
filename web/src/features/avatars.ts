// Profile pictures: short-lived URLs cached per user until shortly before
// they expire (one request per user at a time), and the upload of a new
// picture: ticket, PUT with progress, then updateProfile.
import type { AvatarUrlFrame, UploadTicketFrame } from "../api/protocol.gen";
import type { Chat } from "../state/chat";
import { resizeAvatar } from "./avatarImage";
import { sha256Base64 } from "./uploads";

// A URL closer than this to its expiry is asked for again.
const EXPIRY_MARGIN_MS = 60_000;
// After a failure (no picture, offline) the same picture is not asked for
// again for this long, so a list of many messages does not retry each.
const FAILURE_BACKOFF_MS = 30_000;

interface Entry {
  url: string; // "" after a failure
  until: number;
}

export class AvatarUrls {
  private cache = new Map<string, Entry>();
  private inFlight = new Map<string, Promise<string>>();

  constructor(
    private readonly ask: (userId: string) => Promise<AvatarUrlFrame>,
    private readonly now: () => number = Date.now,
  ) {}

  // get resolves with a URL of the user's picture named avatarKey (a new
  // key is a new picture, asked for anew); it rejects when there is none.
  get(userId: string, avatarKey: string): Promise<string> {
    const id = `${userId}\n${avatarKey}`;
    const hit = this.cache.get(id);
    if (hit && hit.until > this.now()) return hit.url ? Promise.resolve(hit.url) : Promise.reject(new Error("no picture"));
    const running = this.inFlight.get(id);
    if (running) return running;
    const p = this.ask(userId)
      .then(
        (r) => {
          const expiresAt = Date.parse(r.expiresAt);
          this.cache.set(id, { url: r.url, until: (Number.isNaN(expiresAt) ? this.now() : expiresAt) - EXPIRY_MARGIN_MS });
          return r.url;
        },
        (err: unknown) => {
          this.cache.set(id, { url: "", until: this.now() + FAILURE_BACKOFF_MS });
          throw err;
        },
      )
      .finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, p);
    return p;
  }

  // forget drops a URL that failed to load, so the next get asks again.
  forget(userId: string, avatarKey: string): void {
    this.cache.delete(`${userId}\n${avatarKey}`);
  }

  clear(): void {
    this.cache.clear();
  }
}

// putWithProgress PUTs body to a ticket's URL with its signed headers,
// reporting the fraction sent. It rejects with the HTTP status on failure.
export function putWithProgress(ticket: UploadTicketFrame, body: Blob, onProgress: (fraction: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(ticket.method || "PUT", ticket.url);
    for (const [name, value] of Object.entries(ticket.headers ?? {})) {
      // The browser sets Content-Length itself and refuses it from scripts.
      if (name.toLowerCase() !== "content-length" && name.toLowerCase() !== "host") xhr.setRequestHeader(name, value);
    }
    xhr.upload.onprogress = (ev) => ev.lengthComputable && onProgress(ev.loaded / ev.total);
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve() : reject(new PutError(xhr.status)));
    xhr.onerror = () => reject(new PutError(0));
    xhr.send(body);
  });
}

export class PutError extends Error {
  constructor(readonly status: number) {
    super(status ? `upload failed (HTTP ${status})` : "upload failed: network error");
  }
}

// uploadAvatar crops and scales the picture, uploads it with a ticket
// and sets it on the profile. It rejects with what went wrong: the
// browser could not read the image, the server's refusal, the upload's
// HTTP status.
export async function uploadAvatar(chat: Pick<Chat, "request">, file: Blob, onProgress: (fraction: number) => void): Promise<void> {
  const picture = await resizeAvatar(file);
  // Pinned like a message's file: the storage accepts only these bytes.
  const sha256 = await sha256Base64(picture);
  const ticket = (await chat.request({ action: "requestAvatarUpload", size: picture.size, type: picture.type, sha256 })) as UploadTicketFrame;
  await putWithProgress(ticket, picture, onProgress);
  await chat.request({ action: "updateProfile", avatarKey: ticket.key });
}

export async function removeAvatar(chat: Pick<Chat, "request">): Promise<void> {
  await chat.request({ action: "updateProfile", avatarKey: "" });
}
