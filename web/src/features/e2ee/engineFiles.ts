// Files of encrypted rooms: each is encrypted under its own key before the
// upload (the object is "encrypted.bin", application/octet-stream), its
// FileKey travels in the message's plaintext, and downloads are decrypted
// (and checked against the SHA-256) here.
import { decryptFile, encryptFile, type FileKey } from "./crypto";
import type { Core } from "./engineCore";

export const ENCRYPTED_NAME = "encrypted.bin";
export const ENCRYPTED_TYPE = "application/octet-stream";

export interface EncryptedUpload {
  blob: Blob; // the ciphertext to upload
  // bind: the upload's S3 key, once its ticket was granted.
  bind(s3Key: string): void;
}

export class Files {
  private byKey = new Map<string, FileKey>();
  private urls = new Map<string, string>();

  constructor(private readonly core: Core) {}

  reset(): void {
    this.byKey.clear();
    for (const u of this.urls.values()) URL.revokeObjectURL?.(u);
    this.urls.clear();
  }

  active(roomId: string): boolean {
    return !!this.core.deps.state().rooms[roomId]?.encrypted;
  }

  async encrypt(file: Blob, name: string, type: string): Promise<EncryptedUpload> {
    const plain = new Uint8Array(await file.arrayBuffer());
    const e = await encryptFile(plain);
    const partial = { k: e.key, iv: e.iv, sha256: e.sha256, name, type, size: plain.length };
    return {
      blob: new Blob([e.ct], { type: ENCRYPTED_TYPE }),
      bind: (s3Key: string) => {
        this.byKey.set(s3Key, { key: s3Key, ...partial });
      },
    };
  }

  fileKeyOf(s3Key: string): FileKey | undefined {
    return this.byKey.get(s3Key);
  }

  async open(roomId: string, seq: number, fk: FileKey): Promise<Blob> {
    const { downloadUrl, fetchBytes } = this.core.deps;
    if (!downloadUrl) throw new Error("downloads are not available");
    const url = await downloadUrl(roomId, seq, fk.key);
    const ct = fetchBytes ? await fetchBytes(url) : new Uint8Array(await (await fetch(url)).arrayBuffer());
    const plain = await decryptFile(ct, fk.k, fk.iv, fk.sha256);
    return new Blob([plain], { type: fk.type || "application/octet-stream" });
  }

  async url(roomId: string, seq: number, fk: FileKey): Promise<string> {
    const hit = this.urls.get(fk.key);
    if (hit) return hit;
    const blob = await this.open(roomId, seq, fk);
    const u = this.core.deps.createObjectUrl ? this.core.deps.createObjectUrl(blob) : URL.createObjectURL(blob);
    this.urls.set(fk.key, u);
    return u;
  }
}
