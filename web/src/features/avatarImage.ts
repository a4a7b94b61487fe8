// Profile pictures are cropped to a centred square and scaled to
// limits.avatarSide (256 px) in the browser before upload, so every picture
// is small (well under the 1 MB limit) and the same shape.
import { limits } from "../api/protocol.gen";

export interface CropRect {
  sx: number;
  sy: number;
  sw: number;
  sh: number;
}

// centerSquare is the largest centred square of a width×height image, in
// whole source pixels.
export function centerSquare(width: number, height: number): CropRect {
  const side = Math.max(1, Math.min(width, height));
  return { sx: Math.floor((width - side) / 2), sy: Math.floor((height - side) / 2), sw: side, sh: side };
}

// avatarOutputType keeps PNG for PNG sources (transparency) and makes JPEG
// of everything else (photos).
export function avatarOutputType(sourceType: string): "image/png" | "image/jpeg" {
  return sourceType === "image/png" ? "image/png" : "image/jpeg";
}

// resizeAvatar decodes an image file and draws its centred square onto a
// side×side canvas. It rejects when the browser cannot decode the file.
export async function resizeAvatar(file: Blob, side: number = limits.avatarSide): Promise<Blob> {
  const bitmap = await createImageBitmap(file);
  try {
    const { sx, sy, sw, sh } = centerSquare(bitmap.width, bitmap.height);
    const canvas = document.createElement("canvas");
    canvas.width = side;
    canvas.height = side;
    const ctx = canvas.getContext("2d");
    if (!ctx) throw new Error("no 2d canvas");
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(bitmap, sx, sy, sw, sh, 0, 0, side, side);
    const type = avatarOutputType(file.type);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, type, 0.9));
    if (!blob) throw new Error("canvas encoding failed");
    return blob;
  } finally {
    bitmap.close();
  }
}
