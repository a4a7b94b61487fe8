// The terms gate (docs/ARCHITECTURE.md "Terms and guidelines"): what the
// server says of the terms (state.terms, the terms event), whether the
// person must accept them before anything else, and acceptTerms. A tick at
// sign-up is remembered for that email and version, and sent once the
// first connection says acceptance is required; a new version asks again
// (the blocking dialog, ui/legal/TermsDialog).
import type { TermsState } from "../api/protocol.gen";
import type { ServerFrame } from "../state/types";
import type { ChatFeature } from "../state/chat";

const pendingKey = (email: string) => `backchannel.termsTicked.${email.trim().toLowerCase()}`;

// rememberTick records that the person ticked the box for version at sign-up.
export function rememberTick(email: string, version: string): void {
  localStorage.setItem(pendingKey(email), version);
}

export interface TermsDeps {
  request(p: { action: "acceptTerms"; version: string }): Promise<ServerFrame>;
  email(): string;
  onChange(): void;
  // onAccepted runs when a required acceptance went through: what the
  // server refused meanwhile (the threads list) is asked again.
  onAccepted?(): void;
}

export class TermsGate implements ChatFeature {
  terms: TermsState | null = null;
  private sending = false;

  constructor(private readonly deps: TermsDeps) {}

  // required: the person must accept terms.version before anything else.
  get required(): boolean {
    return !!this.terms?.required;
  }

  onEvent(ev: ServerFrame): void {
    if (ev.type === "state") {
      this.terms = ev.terms ?? null;
      this.deps.onChange();
      this.acceptTick();
    } else if (ev.type === "terms") {
      const was = this.required;
      this.terms = { version: ev.version, accepted: ev.accepted, acceptedAt: ev.acceptedAt, required: ev.required };
      this.deps.onChange();
      if (was && !ev.required) this.deps.onAccepted?.();
    }
  }

  onStop(): void {
    this.terms = null;
  }

  // accept sends acceptTerms for the version shown; the reply updates the gate.
  async accept(version: string): Promise<void> {
    await this.deps.request({ action: "acceptTerms", version }); // the reply reaches onEvent too
  }

  // acceptTick: the box ticked at sign-up, for the version now required.
  private acceptTick(): void {
    const email = this.deps.email();
    if (!this.required || !email || this.sending) return;
    const ticked = localStorage.getItem(pendingKey(email));
    if (!ticked || ticked !== this.terms?.version) return;
    this.sending = true;
    void this.accept(ticked)
      .then(() => localStorage.removeItem(pendingKey(email)))
      .catch(() => {}) // the dialog asks instead
      .finally(() => (this.sending = false));
  }
}
