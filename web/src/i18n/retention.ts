// Retention (issue 15): strings spread into each catalog.
export const retentionEn = {
  "retention.notice": "{days, plural, one {Messages older than a day are removed} other {Messages older than # days are removed}}",
  "retention.room": "Keep messages",
  "retention.default": "Workspace default ({label})",
  "retention.forever": "Forever",
  "retention.days": "{days, plural, one {# day} other {# days}}",
  "retention.save": "Save retention",
  "retention.saved": "Retention saved.",
  "retention.roomHint": "Older messages and their files are removed automatically.",
  "retention.workspace": "Message retention",
  "retention.workspaceHint": "Rooms without their own setting remove messages older than this. 0 keeps them forever.",
  "retention.workspaceDays": "Days to keep messages (0: forever)",
};

export const retentionDe: Record<keyof typeof retentionEn, string> = {
  "retention.notice": "{days, plural, one {Nachrichten, die älter als einen Tag sind, werden gelöscht} other {Nachrichten, die älter als # Tage sind, werden gelöscht}}",
  "retention.room": "Nachrichten behalten",
  "retention.default": "Standard des Arbeitsbereichs ({label})",
  "retention.forever": "Für immer",
  "retention.days": "{days, plural, one {# Tag} other {# Tage}}",
  "retention.save": "Aufbewahrung speichern",
  "retention.saved": "Aufbewahrung gespeichert.",
  "retention.roomHint": "Ältere Nachrichten und ihre Dateien werden automatisch gelöscht.",
  "retention.workspace": "Aufbewahrung von Nachrichten",
  "retention.workspaceHint": "Räume ohne eigene Einstellung löschen Nachrichten, die älter sind. 0 behält sie für immer.",
  "retention.workspaceDays": "Tage, die Nachrichten behalten werden (0: für immer)",
};
