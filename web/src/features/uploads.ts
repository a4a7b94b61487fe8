// The upload queue: each file the user attaches is hashed (SHA-256, Web
// Crypto), gets a ticket pinned to that hash (requestUpload's sha256: the
// storage refuses any other bytes at the ticket's URL), is PUT to the presigned URL with XMLHttpRequest (fetch
// cannot report upload progress), and becomes an attachment of the next
// message of its slot: the room's composer (slot = the room's id) or a
// thread's (slot = "roomId:parentSeq", threadKey). Sizes and counts are
// checked before asking the server.
import type { Attachment, Limits, UploadTicketFrame } from "../api/protocol.gen";
import { limits } from "../api/protocol.gen";
import { RequestError } from "../api/socket";
import type { MessageKey, Translate } from "../i18n";

export type UploadStatus = "uploading" | "done" | "error";

export interface Upload {
  id: string;
  roomId: string;
  // Which composer the file waits in: the room's id, or a thread's key.
  slot: string;
  name: string;
  size: number;
  type: string;
  status: UploadStatus;
  // Bytes sent so far (of size).
  loaded: number;
  error?: string;
  // The ticket's key, once the ticket was granted.
  key?: string;
  // The file's SHA-256 in base64, once hashed.
  sha256?: string;
  // In an end-to-end encrypted room: what was uploaded instead (the
  // ciphertext, as encrypted.bin) and so what the message names.
  wire?: { name: string; size: number; type: string };
}

// UploadEncryption: the e2ee engine's part of uploads (issue 19): in an
// encrypted room each file is encrypted before it is hashed and uploaded;
// bind tells the engine the object's key (its FileKey goes into the
// message's plaintext).
export interface UploadEncryption {
  active(roomId: string): boolean;
  encrypt(file: Blob, name: string, type: string): Promise<{ blob: Blob; bind(s3Key: string): void }>;
}

// The part of XMLHttpRequest the queue uses, so tests can fake it.
export type XhrLike = Pick<XMLHttpRequest, "open" | "setRequestHeader" | "send" | "abort" | "status" | "onload" | "onerror" | "onabort"> & {
  upload: Pick<XMLHttpRequestUpload, "onprogress">;
};

export interface UploadDeps {
  requestTicket(roomId: string, name: string, size: number, type: string, sha256: string): Promise<UploadTicketFrame>;
  // hash is the file's SHA-256 in base64 (default: Web Crypto's digest).
  hash?(file: Blob): Promise<string>;
  newXhr(): XhrLike;
  t(): Translate;
  onChange(): void;
  maxBytes?: number;
  maxFiles?: number;
  encryption?: UploadEncryption;
}

// sha256Base64 hashes the whole file in the browser (crypto.subtle has no
// streaming digest; files are at most the upload limit, 25 MB by default).
export async function sha256Base64(file: Blob): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", await file.arrayBuffer()));
  let bin = "";
  for (const b of digest) bin += String.fromCharCode(b);
  return btoa(bin);
}

// Headers the browser sets itself and refuses from scripts.
const FORBIDDEN_HEADERS = new Set(["content-length", "host", "connection"]);

// Types browsers often leave empty, by extension.
const TYPES_BY_EXTENSION: Record<string, string> = {
  md: "text/markdown",
  markdown: "text/markdown",
  csv: "text/csv",
  txt: "text/plain",
  json: "application/json",
  gz: "application/gzip",
  tgz: "application/gzip",
  tar: "application/x-tar",
  webp: "image/webp",
};

// mediaTypeOf is the file's type, guessed from its extension when the
// browser gives none.
export function mediaTypeOf(file: { name: string; type: string }): string {
  if (file.type) return file.type;
  const ext = /\.([a-z0-9]+)$/i.exec(file.name)?.[1]?.toLowerCase() ?? "";
  return TYPES_BY_EXTENSION[ext] ?? "application/octet-stream";
}

// megabytes states a limit in MB the way the server does ("25 MB").
export function megabytes(n: number): string {
  const mb = n / (1 << 20);
  return Number.isInteger(mb) ? `${mb} MB` : `${mb.toFixed(1)} MB`;
}

// KINDS name groups of media types for people, in the order listed.
const KINDS: [MessageKey, (type: string) => boolean][] = [
  ["files.kind.images", (x) => x.startsWith("image/")],
  ["files.kind.pdf", (x) => x === "application/pdf"],
  ["files.kind.documents", (x) => /msword|wordprocessing|opendocument\.text|rtf/.test(x)],
  ["files.kind.spreadsheets", (x) => /ms-excel|spreadsheet|text\/csv/.test(x)],
  ["files.kind.presentations", (x) => /powerpoint|presentation/.test(x)],
  ["files.kind.text", (x) => x.startsWith("text/") || x === "application/json"],
  ["files.kind.archives", (x) => /zip|gzip|x-tar|x-7z|x-rar/.test(x)],
  ["files.kind.audio", (x) => x.startsWith("audio/")],
  ["files.kind.video", (x) => x.startsWith("video/")],
];

// kindsInWords: "images, PDFs, … and videos" for a list of media types.
export function kindsInWords(types: string[], t: Translate): string {
  const names: string[] = [];
  for (const [key, match] of KINDS) if (types.some(match)) names.push(t(key));
  if (types.some((x) => !KINDS.some(([, match]) => match(x)))) names.push(t("files.kind.other"));
  if (names.length === 0) return "";
  const lang = (typeof document !== "undefined" && document.documentElement.lang) || "en";
  return new Intl.ListFormat(lang, { type: "conjunction" }).format(names);
}

let nextId = 1;

export class UploadQueue {
  private items: Upload[] = [];
  private xhrs = new Map<string, XhrLike>();
  private maxBytes: number;
  // The deployment's allowed types (from the state event), if it said.
  private allowed: string[] | null = null;
  private readonly maxFiles: number;

  constructor(private readonly deps: UploadDeps) {
    this.maxBytes = deps.maxBytes ?? limits.defaultMaxUploadBytes;
    this.maxFiles = deps.maxFiles ?? limits.maxAttachments;
  }

  // setLimits takes the deployment's upload limit from the state event, so
  // a file over a smaller MAX_UPLOAD_BYTES is refused before it is sent.
  setLimits(l: Limits): void {
    if (l.maxUploadBytes && l.maxUploadBytes > 0) this.maxBytes = l.maxUploadBytes;
    if (l.allowedUploadTypes && l.allowedUploadTypes.length > 0) this.allowed = l.allowedUploadTypes;
  }

  // refusedType: why a file of this type cannot be shared, in words
  // (".exe files can't be shared. You can share images, PDFs and …").
  refusedType(name: string, type: string): string {
    const t = this.deps.t();
    const ext = /(\.[a-z0-9]{1,10})$/i.exec(name)?.[1]?.toLowerCase();
    const what = ext ? t("files.refusedExt", { ext }) : t("files.refusedKind", { type });
    const kinds = kindsInWords(this.allowed ?? [], t);
    return kinds ? `${what} ${t("files.allowedKinds", { kinds })}` : what;
  }

  // list is a slot's uploads (a room's: slot is its id) in the order they
  // were added.
  list(slot: string): Upload[] {
    return this.items.filter((u) => u.slot === slot);
  }

  busy(slot: string): boolean {
    return this.list(slot).some((u) => u.status === "uploading");
  }

  // attachments are the slot's finished uploads, as sendMessage names them.
  attachments(slot: string): Attachment[] {
    return this.list(slot)
      .filter((u) => u.status === "done" && u.key)
      .map((u) => ({ key: u.key!, name: u.wire?.name ?? u.name, size: u.wire?.size ?? u.size, type: u.wire?.type ?? u.type, ...(u.sha256 ? { sha256: u.sha256 } : {}) }));
  }

  // add starts uploading files to a room, for the composer of slot (the
  // room's own by default); each one is checked first.
  add(roomId: string, files: File[], slot: string = roomId): Upload[] {
    const t = this.deps.t();
    const added: Upload[] = [];
    for (const file of files) {
      const u: Upload = { id: `u${nextId++}`, roomId, slot, name: file.name, size: file.size, type: mediaTypeOf(file), status: "uploading", loaded: 0 };
      const kept = this.list(slot).filter((x) => x.status !== "error").length;
      if (file.size > this.maxBytes) {
        u.status = "error";
        u.error = t("files.tooLarge", { limit: megabytes(this.maxBytes) });
      } else if (file.size === 0) {
        u.status = "error";
        u.error = t("files.empty");
      } else if (this.allowed && !this.allowed.includes(u.type.split(";")[0].trim().toLowerCase())) {
        u.status = "error";
        u.error = this.refusedType(file.name, u.type);
      } else if (kept >= this.maxFiles) {
        u.status = "error";
        u.error = t("files.tooMany", { n: this.maxFiles });
      }
      this.items.push(u);
      added.push(u);
      if (u.status === "uploading") void this.start(u, file);
    }
    this.deps.onChange();
    return added;
  }

  // remove cancels an upload in flight (or forgets a finished or failed one).
  remove(id: string): void {
    const xhr = this.xhrs.get(id);
    this.xhrs.delete(id);
    this.items = this.items.filter((u) => u.id !== id);
    xhr?.abort();
    this.deps.onChange();
  }

  // clear cancels and forgets every upload (on sign-out).
  clear(): void {
    const running = [...this.xhrs.values()];
    this.xhrs.clear();
    this.items = [];
    for (const xhr of running) xhr.abort();
    this.deps.onChange();
  }

  // takeAttachments removes the slot's finished uploads and returns them
  // (when their message is sent); failed ones stay on screen.
  takeAttachments(slot: string): Attachment[] {
    const out = this.attachments(slot);
    this.items = this.items.filter((u) => !(u.slot === slot && u.status === "done"));
    this.deps.onChange();
    return out;
  }

  private update(id: string, patch: Partial<Upload>): void {
    let changed = false;
    this.items = this.items.map((u) => {
      if (u.id !== id) return u;
      changed = true;
      return { ...u, ...patch };
    });
    if (changed) this.deps.onChange();
  }

  private alive(id: string): boolean {
    return this.items.some((u) => u.id === id);
  }

  private async start(u: Upload, file: Blob): Promise<void> {
    let ticket: UploadTicketFrame;
    let sha256: string;
    let bind: ((s3Key: string) => void) | undefined;
    const enc = this.deps.encryption;
    try {
      if (enc?.active(u.roomId)) {
        const sealed = await enc.encrypt(file, u.name, u.type);
        file = sealed.blob;
        bind = sealed.bind;
        const wire = { name: "encrypted.bin", size: sealed.blob.size, type: "application/octet-stream" };
        u = { ...u, wire };
        this.update(u.id, { wire });
      }
      sha256 = await (this.deps.hash ?? sha256Base64)(file);
    } catch {
      this.update(u.id, { status: "error", error: this.deps.t()("files.failed") });
      return;
    }
    if (!this.alive(u.id)) return; // removed while hashing
    this.update(u.id, { sha256 });
    try {
      ticket = await this.deps.requestTicket(u.roomId, u.wire?.name ?? u.name, u.wire?.size ?? u.size, u.wire?.type ?? u.type, sha256);
    } catch (err) {
      this.update(u.id, { status: "error", error: this.ticketError(err, u) });
      return;
    }
    if (!this.alive(u.id)) return; // removed while asking
    bind?.(ticket.key);
    this.update(u.id, { key: ticket.key });
    const xhr = this.deps.newXhr();
    this.xhrs.set(u.id, xhr);
    xhr.open(ticket.method || "PUT", ticket.url);
    for (const [name, value] of Object.entries(ticket.headers ?? {})) {
      if (!FORBIDDEN_HEADERS.has(name.toLowerCase())) xhr.setRequestHeader(name, value);
    }
    xhr.upload.onprogress = (ev) => {
      if (this.xhrs.get(u.id) === xhr) this.update(u.id, { loaded: Math.min(u.size, ev.loaded) });
    };
    const finish = (patch: Partial<Upload>) => {
      if (this.xhrs.get(u.id) !== xhr) return; // cancelled
      this.xhrs.delete(u.id);
      this.update(u.id, patch);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) finish({ status: "done", loaded: u.size });
      else finish({ status: "error", error: this.deps.t()("files.putFailed", { status: xhr.status }) });
    };
    xhr.onerror = () => finish({ status: "error", error: this.deps.t()("files.network") });
    xhr.onabort = () => finish({ status: "error", error: this.deps.t()("files.cancelled") });
    xhr.send(file);
  }

  // ticketError: the server's own words for what it refuses (too large,
  // the type not allowed, with the allowed types), ours for the rest.
  private ticketError(err: unknown, u: Upload): string {
    const t = this.deps.t();
    if (err instanceof RequestError) {
      if (err.code === "invalid" && /cannot be shared/.test(err.message)) return this.refusedType(u.name, u.type);
      if (err.code === "too_large" || err.code === "invalid" || err.code === "forbidden") return err.message;
      if (err.code === "rate_limited") return t("files.rateLimited");
      if (err.code === "offline" || err.code === "timeout") return t("files.offline");
    }
    return t("files.failed");
  }
}
