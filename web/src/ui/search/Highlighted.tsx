// A search result's snippet with the matched words in <mark>: text nodes
// only (Preact escapes them), never markup from the server.
import { highlightRuns } from "../../state/search";

export function Highlighted({ text, highlights }: { text: string; highlights: readonly (readonly number[])[] | undefined }) {
  return (
    <>
      {highlightRuns(text, highlights).map((r, i) => (r.mark ? <mark key={i}>{r.text}</mark> : r.text))}
    </>
  );
}
