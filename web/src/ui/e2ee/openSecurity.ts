// A way for any view (an undecryptable message, the Encrypt toggle) to ask
// the shell to show the encryption settings, or straight away the set-up or
// recovery dialog, without threading a callback through every screen in
// between (and without nesting a form in theirs). E2EEHost listens.
export type SecurityRequest = "section" | "setup" | "recover";
type Listener = (what: SecurityRequest) => void;
const listeners = new Set<Listener>();

export function openSecurity(what: SecurityRequest = "section"): void {
  for (const l of [...listeners]) l(what);
}

export function onOpenSecurity(l: Listener): () => void {
  listeners.add(l);
  return () => void listeners.delete(l);
}
