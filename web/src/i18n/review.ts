// The message review hook (issue 16): strings spread into each catalog.
export const reviewEn = {
  "review.rejected": "Not sent: {reason}",
  "review.draftKept": "Your text is back in the box below: change it and send again.",
  "review.dismiss": "Dismiss",
};

export const reviewDe: Record<keyof typeof reviewEn, string> = {
  "review.rejected": "Nicht gesendet: {reason}",
  "review.draftKept": "Dein Text steht wieder im Eingabefeld: ändere ihn und sende ihn erneut.",
  "review.dismiss": "Schließen",
};
