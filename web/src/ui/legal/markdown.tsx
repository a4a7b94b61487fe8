// A small Markdown renderer for the legal pages: headings (#, ##, ###),
// paragraphs, "-" lists, **bold**, `code` and [links](url). It builds
// Preact nodes, never HTML strings, so the text is escaped by construction;
// links are kept only when they are https, mailto or paths on this site.
import type { ComponentChildren, VNode } from "preact";

export function safeHref(url: string): string | null {
  const u = url.trim();
  if (/^https:\/\//i.test(u) || /^mailto:/i.test(u)) return u;
  if (u.startsWith("/") && !u.startsWith("//")) return u;
  if (u.startsWith("#")) return u;
  return null;
}

// inline renders **bold**, `code` and [text](url) within one line.
export function inline(text: string): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  const re = /\*\*([^*]+)\*\*|`([^`]+)`|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (m[1] !== undefined) out.push(<strong>{inline(m[1])}</strong>);
    else if (m[2] !== undefined) out.push(<code>{m[2]}</code>);
    else {
      const href = safeHref(m[4]);
      out.push(
        href ? (
          <a href={href} target={href.startsWith("/") || href.startsWith("#") ? undefined : "_blank"} rel="noopener noreferrer">
            {m[3]}
          </a>
        ) : (
          m[3]
        ),
      );
    }
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

// renderMarkdown turns the page into block nodes.
export function renderMarkdown(md: string): VNode[] {
  const blocks: VNode[] = [];
  let para: string[] = [];
  let list: string[] = [];
  const flush = () => {
    if (para.length) blocks.push(<p>{inline(para.join(" "))}</p>);
    if (list.length) blocks.push(<ul>{list.map((li) => <li>{inline(li)}</li>)}</ul>);
    para = [];
    list = [];
  };
  for (const raw of md.replace(/\r\n?/g, "\n").split("\n")) {
    const line = raw.trimEnd();
    const h = /^(#{1,3})\s+(.*)$/.exec(line);
    if (h) {
      flush();
      const level = h[1].length;
      const kids = inline(h[2]);
      blocks.push(level === 1 ? <h2>{kids}</h2> : level === 2 ? <h3>{kids}</h3> : <h4>{kids}</h4>);
      continue;
    }
    const li = /^\s*[-*]\s+(.*)$/.exec(line);
    if (li) {
      if (para.length) flush();
      list.push(li[1]);
      continue;
    }
    if (line.trim() === "") {
      flush();
      continue;
    }
    if (list.length && /^\s+/.test(raw)) {
      list[list.length - 1] += " " + line.trim();
      continue;
    }
    if (list.length) flush();
    para.push(line.trim());
  }
  flush();
  return blocks;
}
