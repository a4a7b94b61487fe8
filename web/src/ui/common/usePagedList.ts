// usePagedList loads a list page by page (listChannels, listUsers): the
// first page on mount, the next one on more(), appended. loading is true
// while a page is on its way; cursor is where the next page starts (none:
// this was the last). A failed page goes to onError.
import { useEffect, useState } from "preact/hooks";

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

export function usePagedList<T>(fetchPage: (cursor?: string) => Promise<Page<T>>, onError: (err: unknown) => void): PagedList<T> {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | undefined>();
  const [loading, setLoading] = useState(true);
  const load = async (from?: string) => {
    setLoading(true);
    try {
      const page = await fetchPage(from);
      setItems((old) => (from ? [...old, ...page.items] : page.items));
      setCursor(page.cursor);
    } catch (err) {
      onError(err);
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => void load(), []);
  return { items, cursor, loading, more: () => load(cursor) };
}
