/**
 * The agreement texts are Markdown (headings, paragraphs, numbered and bulleted lists, block
 * quotes, **bold**). They are turned into plain data that the templates render with @for, never
 * into HTML strings: whatever a text contains is shown as text.
 */

export interface Inline {
  text: string;
  strong: boolean;
}

export type Block =
  | { kind: 'heading'; level: 1 | 2 | 3; inlines: Inline[] }
  | { kind: 'paragraph'; inlines: Inline[] }
  | { kind: 'quote'; inlines: Inline[] }
  | { kind: 'list'; ordered: boolean; start: number; items: Inline[][] };

/** `**bold**` and `__bold__` become strong runs; links keep their text; `code` its content. */
export function parseInline(source: string): Inline[] {
  const text = source.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/`([^`]*)`/g, '$1');
  const out: Inline[] = [];
  const re = /(\*\*|__)(.+?)\1/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) out.push({ text: text.slice(last, m.index), strong: false });
    out.push({ text: m[2]!, strong: true });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last), strong: false });
  return out.filter((i) => i.text.length > 0);
}

/** Blocks of a Markdown text, in order. */
export function parseMarkdown(source: string): Block[] {
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  let quote: string[] = [];
  let list: { ordered: boolean; start: number; items: string[] } | null = null;
  const flush = () => {
    if (paragraph.length) blocks.push({ kind: 'paragraph', inlines: parseInline(paragraph.join('')) });
    if (quote.length) blocks.push({ kind: 'quote', inlines: parseInline(quote.join('')) });
    if (list)
      blocks.push({ kind: 'list', ordered: list.ordered, start: list.start, items: list.items.map(parseInline) });
    paragraph = [];
    quote = [];
    list = null;
  };
  for (const raw of source.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trim();
    if (!line) {
      flush();
      continue;
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*$/.exec(line);
    if (heading) {
      flush();
      blocks.push({
        kind: 'heading',
        level: Math.min(heading[1]!.length, 3) as 1 | 2 | 3,
        inlines: parseInline(heading[2]!),
      });
      continue;
    }
    const quoted = /^>\s?(.*)$/.exec(line);
    if (quoted) {
      if (!quote.length) flush();
      quote.push(quoted[1]!);
      continue;
    }
    const ordered = /^(\d+)[.)、]\s+(.*)$/.exec(line);
    const bullet = /^[-*+]\s+(.*)$/.exec(line);
    if (ordered || bullet) {
      const isOrdered = !!ordered;
      if (!list || list.ordered !== isOrdered) {
        flush();
        list = { ordered: isOrdered, start: ordered ? Number(ordered[1]) : 1, items: [] };
      }
      list.items.push(ordered ? ordered[2]! : bullet![1]!);
      continue;
    }
    if (list) {
      // a continuation line of the last item
      list.items[list.items.length - 1] += line;
      continue;
    }
    if (quote.length) flush();
    paragraph.push(line);
  }
  flush();
  return blocks;
}

/** The text without Markdown marks, for a download (.txt) of the agreement. */
export function markdownToText(source: string): string {
  return parseMarkdown(source)
    .map((b) => {
      const join = (inlines: Inline[]) => inlines.map((i) => i.text).join('');
      switch (b.kind) {
        case 'heading':
          return join(b.inlines);
        case 'paragraph':
          return join(b.inlines);
        case 'quote':
          return join(b.inlines);
        case 'list':
          return b.items.map((item, i) => (b.ordered ? `${b.start + i}. ` : '· ') + join(item)).join('\n');
      }
    })
    .join('\n\n');
}
