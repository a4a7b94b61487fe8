// useSubmit runs a form's action (or any one-shot request) and keeps what
// went wrong as text to show; busy is true while the action runs. An
// error stays until replaced: set another one (setError, fail) or clear it
// with setError(""). A refusal that ends at a known time (muted) is told
// in the reader's local time (errorText).
import { useContext, useState } from "preact/hooks";
import { errorText } from "./errorText";
import { AppContext, type AppCtx } from "./context";

export interface Submit {
  error: string;
  busy: boolean;
  // run awaits the action; a rejection becomes the error (it never rejects).
  run(action: () => Promise<unknown>): Promise<void>;
  // fail shows an error from elsewhere (a request of the same form).
  fail(err: unknown): void;
  // setError shows a message of our own (validation), or "" for none.
  setError(text: string): void;
}

export function useSubmit(): Submit {
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  // Inside the app, a refusal with an end (muted) is told in local time.
  const app = useContext(AppContext) as AppCtx | null; // null outside the app (tests)
  const fail = (err: unknown) => setError(errorText(err, app?.t, app?.prefs?.lang));
  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await action();
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, run, fail, setError };
}
