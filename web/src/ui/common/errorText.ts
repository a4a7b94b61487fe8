// errorText: what went wrong, in words to show (the server's message for a
// refused request). Given the translator and language, a refusal that ends
// at a known time (forbidden with `until`: muted) is told in the reader's
// local time instead of the message's UTC timestamp.
import { RequestError } from "../../api/socket";
import type { Translate } from "../../i18n";
import { untilTime } from "./untilTime";

export function errorText(err: unknown, t?: Translate, lang?: string): string {
  if (err instanceof RequestError) return refusalText(err.code, err.message, err.until, t, lang);
  return err instanceof Error ? err.message : String(err);
}

// refusalText: a refusal's words from its code, message and until (see
// errorText); the message when there is no until or no translator.
export function refusalText(code: string, message: string, until: string | undefined, t?: Translate, lang?: string): string {
  if (code === "forbidden" && until && t && !Number.isNaN(Date.parse(until))) {
    return t("mod.mutedError", { time: untilTime(until, lang ?? "en") });
  }
  return message;
}
