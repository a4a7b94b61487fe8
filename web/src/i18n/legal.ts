// Terms, privacy policy and community guidelines (issue 15): strings
// spread into each catalog.
export const legalEn = {
  "legal.terms": "Terms of Service",
  "legal.privacy": "Privacy Policy",
  "legal.guidelines": "Community Guidelines",
  "legal.signUpAccept": "I have read and accept the",
  "legal.mustAccept": "To create an account, accept the Terms of Service, the Privacy Policy and the Community Guidelines.",
  "legal.acceptTitle": "Accept the terms to continue",
  "legal.acceptBody": "Before you use this workspace, please read and accept its terms (version {version}).",
  "legal.updatedTitle": "The terms have changed",
  "legal.updatedBody": "This workspace published a new version of its terms (version {version}). Please read and accept it to continue.",
  "legal.acceptLabel": "I have read and accept the Terms of Service, the Privacy Policy and the Community Guidelines",
  "legal.accept": "Accept and continue",
  "legal.signOut": "Sign out",
  "legal.loadFailed": "This page could not be loaded. Open it directly:",
  "mod.reportTitle": "Report message",
  "mod.reportGuidelines": "What is and isn't allowed here:",
} as const;

export const legalDe: Record<keyof typeof legalEn, string> = {
  "legal.terms": "Nutzungsbedingungen",
  "legal.privacy": "Datenschutzerklärung",
  "legal.guidelines": "Community-Richtlinien",
  "legal.signUpAccept": "Ich habe gelesen und akzeptiere die",
  "legal.mustAccept": "Um ein Konto anzulegen, akzeptiere die Nutzungsbedingungen, die Datenschutzerklärung und die Community-Richtlinien.",
  "legal.acceptTitle": "Bedingungen akzeptieren, um fortzufahren",
  "legal.acceptBody": "Bevor du diesen Arbeitsbereich nutzt, lies und akzeptiere bitte seine Bedingungen (Version {version}).",
  "legal.updatedTitle": "Die Bedingungen haben sich geändert",
  "legal.updatedBody": "Dieser Arbeitsbereich hat eine neue Version seiner Bedingungen veröffentlicht (Version {version}). Bitte lies und akzeptiere sie, um fortzufahren.",
  "legal.acceptLabel": "Ich habe die Nutzungsbedingungen, die Datenschutzerklärung und die Community-Richtlinien gelesen und akzeptiere sie",
  "legal.accept": "Akzeptieren und fortfahren",
  "legal.signOut": "Abmelden",
  "legal.loadFailed": "Diese Seite konnte nicht geladen werden. Direkt öffnen:",
  "mod.reportTitle": "Nachricht melden",
  "mod.reportGuidelines": "Was hier erlaubt ist und was nicht:",
};
