// usePagedList loads a list page by page (listChannels, listUsers): the
// first page on mount, the next one on more(), appended. loading is true
// while a page is on its way; cursor is where the next page starts (none:
// this was the last). A failed page goes to onError.
//
// With a query (a search box), the list reloads from the first page
// QUERY_PAUSE_MS after the query stops changing, and a reply for an older
// query is dropped.
import { useEffect, useRef, useState } from "preact/hooks";

export const QUERY_PAUSE_MS = 250;

export interface Page<T> {
  items: T[];
  cursor?: string;
}

export interface PagedList<T> {
  items: T[];
  cursor: string | undefined;
  loading: boolean;
  more(): Promise<void>;
}

export function usePagedList<T>(fetchPage: (cursor?: string, query?: string) => Promise<Page<T>>, onError: (err: unknown) => void, query = ""): PagedList<T> {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [loading, setLoading] = useState(true);
  const run = useRef(0);
  const first = useRef(true);
  const load = async (from: string | undefined, q: string) => {
    const mine = ++run.current;
    setLoading(true);
    try {
      const page = await fetchPage(from, q || undefined);
      if (mine !== run.current) return;
      setItems((old) => (from ? [...old, ...page.items] : page.items));
      setCursor(page.cursor);
    } catch (err) {
      if (mine === run.current) onError(err);
    } finally {
      if (mine === run.current) setLoading(false);
    }
  };
  const q = query.trim();
  useEffect(() => {
    if (first.current) {
      first.current = false;
      void load(undefined, q);
      return;
    }
    setLoading(true);
    const timer = setTimeout(() => void load(undefined, q), QUERY_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [q]);
  return { items, cursor, loading, more: () => load(cursor, q) };
}
