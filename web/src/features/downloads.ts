// Presigned download URLs, cached until shortly before they expire and
// asked for once however many components want the same file at once.
import type { DownloadUrlFrame } from "../api/protocol.gen";

// A URL closer than this to its expiry is asked for again, so an image
// still has time to load from it.
const EXPIRY_MARGIN_MS = 60_000;

interface Entry {
  url: string;
  expiresAt: number;
}

export class DownloadUrls {
  private cache = new Map<string, Entry>();
  private inFlight = new Map<string, Promise<string>>();

  constructor(
    private readonly ask: (roomId: string, seq: number, key: string, thumb: boolean, versionId?: string) => Promise<DownloadUrlFrame>,
    private readonly now: () => number = Date.now,
  ) {}

  // get resolves with a URL for the file (or its thumbnail); it rejects
  // with the server's error (not_found: no thumbnail yet). versionId is the
  // attachment's: the original is served as the server checked it at send.
  // seq is the message it is attached to (a file lives as long as its
  // message: the server refuses it once the message is deleted or expired).
  get(roomId: string, seq: number, key: string, thumb: boolean, versionId?: string): Promise<string> {
    const id = `${thumb ? "t" : "f"}:${key}`;
    const hit = this.fresh(key, thumb);
    if (hit) return Promise.resolve(hit);
    const running = this.inFlight.get(id);
    if (running) return running;
    const p = this.ask(roomId, seq, key, thumb, thumb ? undefined : versionId)
      .then((r) => {
        const expiresAt = Date.parse(r.expiresAt);
        this.cache.set(id, { url: r.url, expiresAt: Number.isNaN(expiresAt) ? this.now() : expiresAt });
        return r.url;
      })
      .finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, p);
    return p;
  }

  // fresh is the cached URL when it is still good, else null.
  fresh(key: string, thumb: boolean): string | null {
    const hit = this.cache.get(`${thumb ? "t" : "f"}:${key}`);
    return hit && hit.expiresAt - this.now() > EXPIRY_MARGIN_MS ? hit.url : null;
  }

  // forget drops a URL that failed to load, so the next get asks again.
  forget(key: string, thumb: boolean): void {
    this.cache.delete(`${thumb ? "t" : "f"}:${key}`);
  }
}
