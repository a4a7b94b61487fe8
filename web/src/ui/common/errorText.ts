// errorText: what went wrong, in words to show (the server's message for a
// refused request).
import { RequestError } from "../../api/socket";

export function errorText(err: unknown): string {
  if (err instanceof RequestError) return err.message;
  return err instanceof Error ? err.message : String(err);
}
