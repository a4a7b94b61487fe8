// GIFs and emoji shortcodes (issue 14): strings spread into each catalog.
export const gifsEn = {
  "gifs.open": "Send a GIF",
  "gifs.title": "GIFs",
  "gifs.search": "Search GIFs",
  "gifs.trending": "Trending",
  "gifs.none": "No GIFs found.",
  "gifs.loading": "Loading…",
  "gifs.more": "More GIFs",
  "gifs.failed": "GIFs could not be loaded: {error}",
  "gifs.untitled": "GIF",
  "gifs.send": "Send GIF: {title}",
  "gifs.poweredBy": "Via {provider}",
  "gifs.alt": "GIF: {title}",
  "composer.emojiSuggestions": "Emoji suggestions",
};

export const gifsDe: Record<keyof typeof gifsEn, string> = {
  "gifs.open": "GIF senden",
  "gifs.title": "GIFs",
  "gifs.search": "GIFs suchen",
  "gifs.trending": "Angesagt",
  "gifs.none": "Keine GIFs gefunden.",
  "gifs.loading": "Wird geladen …",
  "gifs.more": "Weitere GIFs",
  "gifs.failed": "GIFs konnten nicht geladen werden: {error}",
  "gifs.untitled": "GIF",
  "gifs.send": "GIF senden: {title}",
  "gifs.poweredBy": "Über {provider}",
  "gifs.alt": "GIF: {title}",
  "composer.emojiSuggestions": "Emoji-Vorschläge",
};
