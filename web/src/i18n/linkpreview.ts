// Link previews: strings spread into each catalog.
export const linkPreviewEn = {
  "preview.list": "Link previews",
  "preview.remove": "Remove preview of {site}",
  "preview.removed": "Preview removed",
} as const;

export const linkPreviewDe: Record<keyof typeof linkPreviewEn, string> = {
  "preview.list": "Link-Vorschauen",
  "preview.remove": "Vorschau von {site} entfernen",
  "preview.removed": "Vorschau entfernt",
};
