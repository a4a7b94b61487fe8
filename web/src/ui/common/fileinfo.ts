// How files are presented: sizes for people, an icon per kind, and which
// types show as images.

// humanSize: "512 B", "48 KB", "1.5 MB" (decimal separator per language).
export function humanSize(n: number, lang = "en"): string {
  const units = ["B", "KB", "MB", "GB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const digits = i === 0 || v >= 10 ? 0 : 1;
  return `${v.toLocaleString(lang, { maximumFractionDigits: digits })} ${units[i]}`;
}

// The images the server serves inline (and browsers show).
const IMAGE_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);
// The images the thumbnail function can shrink.
const THUMBNAILED = new Set(["image/png", "image/jpeg", "image/gif"]);

export function isImage(type: string): boolean {
  return IMAGE_TYPES.has(type);
}

export function hasThumbnail(type: string): boolean {
  return THUMBNAILED.has(type);
}

// fileIcon is a glyph for the kind of file (decorative: the name and type
// are announced as text).
export function fileIcon(type: string): string {
  if (type.startsWith("image/")) return "🖼️";
  if (type.startsWith("audio/")) return "🎵";
  if (type.startsWith("video/")) return "🎬";
  if (type === "application/pdf") return "📕";
  if (/zip|gzip|tar|compressed/.test(type)) return "🗜️";
  if (/spreadsheet|excel|csv/.test(type)) return "📊";
  if (/presentation|powerpoint/.test(type)) return "📽️";
  if (/word|opendocument\.text/.test(type)) return "📝";
  if (type.startsWith("text/") || type === "application/json") return "📄";
  return "📎";
}

// displayBox scales an image's dimensions to fit in max×max, never
// enlarging, so its space is reserved before it loads.
export function displayBox(width: number | undefined, height: number | undefined, max: number): { width: number; height: number } | null {
  if (!width || !height) return null;
  const scale = Math.min(1, max / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}
