// The shapes of bc-e2ee-v1 that cross the wire or the message plaintext
// (see docs/E2EE.md). Field names are binding: the server (internal/chat
// e2ee.go) and the other clients read them.

// Bytes is a byte array over a plain ArrayBuffer: what WebCrypto accepts.
export type Bytes = Uint8Array<ArrayBuffer>;

// EncryptedContent is a message's `encrypted` field, as the wire declares
// it (internal/chat e2ee.go, generated).
export type { EncryptedContent } from "../../api/protocol.gen";

// BackupKDF says how a passphrase becomes the backup secrets. The server
// stores it and hands it out without proof.
export interface BackupKDF {
  alg: "scrypt";
  n: number;
  r: number;
  p: number;
  salt: string;
}

// FileKey, inside a message's plaintext, opens one encrypted attachment.
export interface FileKey {
  key: string; // the S3 key of the encrypted object
  k: string; // b64 file key (32 bytes)
  iv: string; // b64 (12 bytes)
  name: string;
  type: string;
  size: number; // plaintext bytes
  sha256: string; // b64 of the plaintext's SHA-256
}

// MessageContent is the decrypted plaintext of a message. More fields may
// come later; unknown ones are kept.
export interface MessageContent {
  text: string;
  files?: FileKey[];
  [field: string]: unknown;
}

// MessageAad names what a message's ciphertext is bound to. The receiver
// builds it from the STORED senderId and clientId.
export interface MessageAad {
  roomId: string;
  epoch: number;
  senderUserId: string;
  senderDevice: string;
  clientId: string;
}

// CryptoFailure is what the e2ee functions throw for input that does not
// open: `reason` tells the engine what to show.
//   tampered  authentication failed (wrong key, changed ciphertext or aad)
//   malformed not base64url, wrong length, not the expected JSON
//   checksum  a decrypted file does not match its SHA-256
//   weak-kdf  backup parameters below (or far above) what we accept
export class CryptoFailure extends Error {
  constructor(
    readonly reason: "tampered" | "malformed" | "checksum" | "weak-kdf",
    message: string,
  ) {
    super(message);
    this.name = "CryptoFailure";
  }
}
