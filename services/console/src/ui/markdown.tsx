import type { ComponentChildren } from 'preact';

/**
 * `**strong**`, `_em_` or `*em*`, `` `code` ``: the inline markdown people write in entries and comments.
 * As CommonMark has it, underscores inside a word stay literal: `raw_data_v2.csv` is a file name, not emphasis.
 */
const INLINE = /(\*\*[^*]+\*\*|`[^`]+`|(?<![\p{L}\p{N}])_[^_\s][^_]*_(?![\p{L}\p{N}])|\*[^*\s][^*]*\*)/u;

function inline(text: string, decorate: (plain: string) => ComponentChildren): ComponentChildren[] {
  // split() with one capturing group: the marked parts are at the odd indexes, the plain text between them.
  return text.split(INLINE).map((part, index) => {
    if (index % 2 === 0) return <span key={index}>{decorate(part)}</span>;
    if (part.startsWith('**')) return <strong key={index}>{part.slice(2, -2)}</strong>;
    if (part.startsWith('`')) return <code key={index}>{part.slice(1, -1)}</code>;
    return <em key={index}>{part.slice(1, -1)}</em>;
  });
}

/**
 * The markdown of logbook entries, descriptions and comments, as elements (never as HTML, so nothing a
 * person writes runs in someone else's browser): headings, bullet lists, paragraphs and the inline marks.
 * Headings start at level 3: they sit inside a page that has its own.
 */
export function Markdown({ text, decorate = (plain) => plain }: { text: string; decorate?: (plain: string) => ComponentChildren }) {
  const blocks: ComponentChildren[] = [];
  let list: string[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length) blocks.push(<p key={blocks.length}>{inline(paragraph.join(' '), decorate)}</p>);
    if (list.length)
      blocks.push(
        <ul key={blocks.length}>
          {list.map((item, index) => (
            <li key={index}>{inline(item, decorate)}</li>
          ))}
        </ul>,
      );
    paragraph = [];
    list = [];
  };
  for (const line of text.split('\n')) {
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const item = /^\s*[-*]\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      const level = Math.min(6, heading[1].length + 2);
      const Tag = `h${level}` as 'h3';
      blocks.push(<Tag key={blocks.length}>{inline(heading[2], decorate)}</Tag>);
    } else if (item) {
      if (paragraph.length) flush();
      list.push(item[1]);
    } else if (line.trim() === '') {
      flush();
    } else {
      if (list.length) flush();
      paragraph.push(line.trim());
    }
  }
  flush();
  return <div class="markdown">{blocks}</div>;
}
