// How strong a passphrase looks: a rough estimate from its length and the
// kinds of characters in it, lowered for repeats and well-known passwords.
// Only a hint for the person choosing one (the rule itself is ≥ 10
// characters; the backup's scrypt makes each guess expensive).
export const MIN_PASSPHRASE = 10;

export type Strength = "short" | "weak" | "fair" | "strong";

const COMMON = ["password", "passwort", "123456", "qwerty", "azerty", "letmein", "welcome", "iloveyou", "admin", "backchannel", "abc123", "111111", "000000"];

// chars counts user-perceived characters after NFKC (what the backup uses).
export function chars(p: string): number {
  return [...p.normalize("NFKC")].length;
}

export function strength(passphrase: string): Strength {
  const p = passphrase.normalize("NFKC");
  const n = chars(p);
  if (n < MIN_PASSPHRASE) return "short";
  let pool = 0;
  if (/\p{Ll}/u.test(p)) pool += 26;
  if (/\p{Lu}/u.test(p)) pool += 26;
  if (/\p{N}/u.test(p)) pool += 10;
  if (/\s/u.test(p)) pool += 1;
  if (/[^\p{L}\p{N}\s]/u.test(p)) pool += 33;
  if (/[^\p{ASCII}]/u.test(p)) pool += 40;
  let effective = n;
  const lower = p.toLowerCase();
  for (const c of COMMON) if (lower.includes(c)) effective -= c.length - 1;
  // Few distinct characters (aaaaaaaaaa, abababab…) say little.
  const distinct = new Set(lower).size;
  if (distinct < n / 2) effective = Math.min(effective, distinct * 2);
  const bits = Math.max(0, effective) * Math.log2(Math.max(pool, 2));
  return bits < 50 ? "weak" : bits < 75 ? "fair" : "strong";
}
