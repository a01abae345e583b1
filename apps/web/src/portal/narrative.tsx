import type { ReactNode } from 'react';

/**
 * A C-CDA section's narrative, as the server sends it: a tree of a few whitelisted elements and
 * text (see the server's document schema). Each element becomes a React element of our
 * choosing; text is text. Nothing from the document is ever inserted as markup, so the page
 * holds no script, handler, style or address from it, and the Content-Security-Policy stays
 * strict.
 */
export type NarrativeStyle = 'Bold' | 'Italics' | 'Underline' | 'Emphasis' | 'Lrule' | 'Rrule' | 'Toprule' | 'Botrule' | 'Arabic' | 'LittleRoman' | 'BigRoman' | 'LittleAlpha' | 'BigAlpha' | 'Disc' | 'Circle' | 'Square';

export interface NarrativeElement {
  tag: 'paragraph' | 'content' | 'list' | 'item' | 'table' | 'caption' | 'thead' | 'tbody' | 'tfoot' | 'tr' | 'th' | 'td' | 'br' | 'sub' | 'sup' | 'footnote' | 'link' | 'media';
  styles?: NarrativeStyle[];
  ordered?: boolean;
  colspan?: number;
  rowspan?: number;
  children: NarrativeNode[];
}
export type NarrativeNode = string | NarrativeElement;

/** Class names by style: a fixed table, so no class from the document reaches the page either. */
const STYLE_CLASS: Record<NarrativeStyle, string> = {
  Bold: 'n-bold',
  Italics: 'n-italic',
  Underline: 'n-underline',
  Emphasis: 'n-italic',
  Lrule: 'n-lrule',
  Rrule: 'n-rrule',
  Toprule: 'n-toprule',
  Botrule: 'n-botrule',
  Arabic: 'n-arabic',
  LittleRoman: 'n-little-roman',
  BigRoman: 'n-big-roman',
  LittleAlpha: 'n-little-alpha',
  BigAlpha: 'n-big-alpha',
  Disc: 'n-disc',
  Circle: 'n-circle',
  Square: 'n-square',
};

const classOf = (el: NarrativeElement): string | undefined => {
  const names = (el.styles ?? []).map((s) => STYLE_CLASS[s]).filter(Boolean);
  return names.length > 0 ? [...new Set(names)].join(' ') : undefined;
};

const textOf = (nodes: NarrativeNode[]): string => nodes.map((n) => (typeof n === 'string' ? n : textOf(n.children))).join('');

export interface NarrativeLabels {
  /** Accessible name of a table without a caption. */
  table: string;
  /** Said in place of an image the document refers to (not shown). */
  image: (caption: string) => string;
}

function render(nodes: NarrativeNode[], labels: NarrativeLabels): ReactNode[] {
  return nodes.map((n, i) => (typeof n === 'string' ? n : <Element key={i} el={n} labels={labels} />));
}

function Element({ el, labels }: { el: NarrativeElement; labels: NarrativeLabels }): ReactNode {
  const className = classOf(el);
  const kids = () => render(el.children, labels);
  switch (el.tag) {
    case 'paragraph':
      return <p className={className}>{kids()}</p>;
    case 'content':
      return <span className={className}>{kids()}</span>;
    case 'br':
      return <br />;
    case 'sub':
      return <sub>{kids()}</sub>;
    case 'sup':
      return <sup>{kids()}</sup>;
    case 'footnote':
      return <small className="n-footnote">({kids()})</small>;
    case 'link':
      // Only the link's words: the document's address is not kept, and nothing here goes elsewhere.
      return <span className="n-link">{kids()}</span>;
    case 'media':
      return <span className="n-media">{labels.image(textOf(el.children))}</span>;
    case 'caption':
      return <span className="n-caption">{kids()}</span>;
    case 'list': {
      const caption = el.children.find((c): c is NarrativeElement => typeof c !== 'string' && c.tag === 'caption');
      const items = el.children.filter((c) => c !== caption);
      const L = el.ordered ? 'ol' : 'ul';
      return (
        <>
          {caption && <p className="n-caption">{render(caption.children, labels)}</p>}
          <L className={className}>{render(items, labels)}</L>
        </>
      );
    }
    case 'item':
      return <li className={className}>{kids()}</li>;
    case 'table': {
      const caption = el.children.find((c): c is NarrativeElement => typeof c !== 'string' && c.tag === 'caption');
      const rest = el.children.filter((c) => c !== caption);
      const name = caption ? textOf(caption.children).trim() : '';
      // A wide table scrolls sideways inside its own box (phones), which takes the focus so that
      // keyboard users can scroll it too.
      return (
        <div className="n-table" role="group" aria-label={name || labels.table} tabIndex={0}>
          <table className={className}>
            {caption && <caption>{render(caption.children, labels)}</caption>}
            {render(rest, labels)}
          </table>
        </div>
      );
    }
    case 'thead':
      return <thead>{kids()}</thead>;
    case 'tbody':
      return <tbody>{kids()}</tbody>;
    case 'tfoot':
      return <tfoot>{kids()}</tfoot>;
    case 'tr':
      return <tr className={className}>{kids()}</tr>;
    case 'th':
      return (
        <th className={className} colSpan={el.colspan} rowSpan={el.rowspan}>
          {kids()}
        </th>
      );
    case 'td':
      return (
        <td className={className} colSpan={el.colspan} rowSpan={el.rowspan}>
          {kids()}
        </td>
      );
    default:
      return textOf(el.children);
  }
}

export function Narrative({ nodes, labels }: { nodes: NarrativeNode[]; labels: NarrativeLabels }) {
  // Loose text and inline elements at the top level go in paragraphs of their own.
  const blocks: ReactNode[] = [];
  let inline: NarrativeNode[] = [];
  const flush = () => {
    if (inline.some((n) => (typeof n === 'string' ? n.trim() !== '' : true))) blocks.push(<p key={`p${blocks.length}`}>{render(inline, labels)}</p>);
    inline = [];
  };
  for (const n of nodes) {
    if (typeof n !== 'string' && (n.tag === 'paragraph' || n.tag === 'list' || n.tag === 'table')) {
      flush();
      blocks.push(<Element key={`b${blocks.length}`} el={n} labels={labels} />);
    } else inline.push(n);
  }
  flush();
  return <div className="narrative">{blocks}</div>;
}
