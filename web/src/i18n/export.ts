// Export my data (Settings > Privacy): strings spread into each catalog.
export const exportEn = {
  "export.heading": "Privacy: your data",
  "export.help": "Download a copy of your data: your profile, every message you sent with its room and time, your reactions, poll votes, files, preferences, saved messages and scheduled items. We prepare one zip file; the link works for a day.",
  "export.request": "Export my data",
  "export.pending": "Your export is being prepared…",
  "export.ready": "Your export is ready ({size}, {messages} messages, {files} files). Download it before {until}.",
  "export.download": "Download export",
  "export.failed": "The export failed: {error}",
  "export.again": "Export again",
  "export.readyAnnounce": "Your data export is ready to download.",
  "export.byAdmin": "An administrator asked for this export.",
  "export.person": "Export data",
  "export.forPerson": "Export data of {name}",
  "export.downloadFor": "Download export of {name}",
  "export.preparing": "Preparing…",
};

export const exportDe: Record<keyof typeof exportEn, string> = {
  "export.heading": "Datenschutz: deine Daten",
  "export.help": "Lade eine Kopie deiner Daten herunter: dein Profil, jede Nachricht, die du gesendet hast, mit Raum und Zeit, deine Reaktionen, Umfrage-Stimmen, Dateien, Einstellungen, gespeicherten Nachrichten und geplanten Einträge. Wir erstellen eine ZIP-Datei; der Link gilt einen Tag.",
  "export.request": "Meine Daten exportieren",
  "export.pending": "Dein Export wird vorbereitet…",
  "export.ready": "Dein Export ist fertig ({size}, {messages} Nachrichten, {files} Dateien). Lade ihn bis {until} herunter.",
  "export.download": "Export herunterladen",
  "export.failed": "Der Export ist fehlgeschlagen: {error}",
  "export.again": "Erneut exportieren",
  "export.readyAnnounce": "Dein Datenexport kann heruntergeladen werden.",
  "export.byAdmin": "Eine Administratorin oder ein Administrator hat diesen Export angefordert.",
  "export.person": "Daten exportieren",
  "export.forPerson": "Daten exportieren: {name}",
  "export.downloadFor": "Export herunterladen: {name}",
  "export.preparing": "Wird vorbereitet…",
};
