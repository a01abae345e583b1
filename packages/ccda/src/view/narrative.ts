/**
 * A section's narrative block (CDA R2 `<text>`, StrucDoc.Text: https://hl7.org/cda/stds/core/2.0.0/narrative.html)
 * as a small JSON tree of whitelisted elements, for a reader to render as its own elements.
 *
 * Nothing from the document reaches a reader as markup: only the tags below, a fixed set of
 * styles, list order and cell spans are kept; every other attribute (IDs, hrefs, event handlers,
 * style) is dropped. Links (`linkHtml`) become their text, images (`renderMultiMedia`) a
 * placeholder, so no external reference survives. Elements outside the narrative schema
 * (HTML some EHRs put there, `<b>`, `<div>`, `<script>`…) are mapped to their CDA equivalent
 * or replaced by their text; `<script>` and `<style>` lose their content too. Content marked
 * deleted by a revision (`revised="delete"`) is left out, as CDA asks.
 *
 * The tree is repaired where a renderer would otherwise build invalid markup: text between
 * table rows or list items is dropped, cells outside a row get one, rows directly in a table
 * get a body.
 */
import type { XmlElement } from '../xml.ts';

export type NarrativeTag =
  | 'paragraph'
  | 'content'
  | 'list'
  | 'item'
  | 'table'
  | 'caption'
  | 'thead'
  | 'tbody'
  | 'tfoot'
  | 'tr'
  | 'th'
  | 'td'
  | 'br'
  | 'sub'
  | 'sup'
  | 'footnote'
  | 'link'
  | 'media';

/** The CDA styleCode values kept (https://hl7.org/cda/stds/core/2.0.0/narrative.html#styleCode). */
export const NARRATIVE_STYLES = ['Bold', 'Italics', 'Underline', 'Emphasis', 'Lrule', 'Rrule', 'Toprule', 'Botrule', 'Arabic', 'LittleRoman', 'BigRoman', 'LittleAlpha', 'BigAlpha', 'Disc', 'Circle', 'Square'] as const;
export type NarrativeStyle = (typeof NARRATIVE_STYLES)[number];

export interface NarrativeElement {
  tag: NarrativeTag;
  styles?: NarrativeStyle[];
  /** list: numbered. */
  ordered?: boolean;
  /** th, td */
  colspan?: number;
  rowspan?: number;
  children: NarrativeNode[];
}
export type NarrativeNode = string | NarrativeElement;

/** Most elements kept from one narrative block; past it the rest becomes text. */
const MAX_ELEMENTS = 20_000;

const CDA: ReadonlyMap<string, NarrativeTag> = new Map(Object.entries({
  paragraph: 'paragraph',
  content: 'content',
  list: 'list',
  item: 'item',
  table: 'table',
  caption: 'caption',
  thead: 'thead',
  tbody: 'tbody',
  tfoot: 'tfoot',
  tr: 'tr',
  th: 'th',
  td: 'td',
  br: 'br',
  sub: 'sub',
  sup: 'sup',
  footnote: 'footnote',
  linkHtml: 'link',
  renderMultiMedia: 'media',
} satisfies Record<string, NarrativeTag>));

/** HTML found in the wild inside `<text>` (in or out of the v3 namespace), read as its CDA equivalent. */
const HTML: ReadonlyMap<string, { tag: NarrativeTag; styles?: NarrativeStyle[]; ordered?: boolean }> = new Map(Object.entries({
  p: { tag: 'paragraph' },
  div: { tag: 'paragraph' },
  span: { tag: 'content' },
  b: { tag: 'content', styles: ['Bold'] },
  strong: { tag: 'content', styles: ['Bold'] },
  i: { tag: 'content', styles: ['Italics'] },
  em: { tag: 'content', styles: ['Italics'] },
  u: { tag: 'content', styles: ['Underline'] },
  ul: { tag: 'list' },
  ol: { tag: 'list', ordered: true },
  li: { tag: 'item' },
  a: { tag: 'link' },
  img: { tag: 'media' },
} satisfies Record<string, { tag: NarrativeTag; styles?: NarrativeStyle[]; ordered?: boolean }>));

/** Elements whose content is never shown. */
const DROPPED = new Set(['script', 'style', 'col', 'colgroup', 'footnoteref', 'object', 'iframe', 'embed', 'head', 'meta', 'link', 'template', 'noscript']);

const STYLE_SET: ReadonlySet<string> = new Set(NARRATIVE_STYLES);

function styles(el: XmlElement): NarrativeStyle[] {
  const raw = el.attrs.get('styleCode');
  if (!raw) return [];
  return [...new Set(raw.split(/\s+/).filter((s): s is NarrativeStyle => STYLE_SET.has(s)))];
}

function span(v: string | undefined): number | undefined {
  if (!v || !/^\d{1,3}$/.test(v)) return undefined;
  const n = Number(v);
  return n > 1 && n <= 100 ? n : undefined;
}

/** Text with runs of white space as one space (as a browser would show it). */
function collapse(s: string): string {
  return s.replace(/\s+/g, ' ');
}

function plainText(el: XmlElement): string {
  const parts: string[] = [];
  const walk = (e: XmlElement): void => {
    if (DROPPED.has(e.name.toLowerCase())) return;
    for (const n of e.nodes) {
      if (typeof n === 'string') parts.push(n);
      else walk(n);
    }
  };
  walk(el);
  return collapse(parts.join(''));
}

/** Children a structural element may hold: only elements of these tags; loose text between them is dropped. */
const STRUCTURE: Partial<Record<NarrativeTag, ReadonlySet<NarrativeTag>>> = {
  table: new Set(['caption', 'thead', 'tbody', 'tfoot']),
  thead: new Set(['tr']),
  tbody: new Set(['tr']),
  tfoot: new Set(['tr']),
  tr: new Set(['th', 'td']),
  list: new Set(['caption', 'item']),
};

/** What a stray child of a structural element is wrapped in: a row in a table goes in a body, a cell outside a row gets one. */
const WRAP: Partial<Record<NarrativeTag, NarrativeTag>> = { table: 'tbody', thead: 'tr', tbody: 'tr', tfoot: 'tr', tr: 'td', list: 'item' };

function isBlank(n: NarrativeNode): boolean {
  return typeof n === 'string' && n.trim() === '';
}

/** Keeps a structural element's children valid: allowed tags as they are, runs of anything else wrapped, blank text dropped. */
function repair(tag: NarrativeTag, children: NarrativeNode[]): NarrativeNode[] {
  const allowed = STRUCTURE[tag];
  const wrap = WRAP[tag];
  if (!allowed || !wrap) return children;
  const out: NarrativeNode[] = [];
  const made = new Set<NarrativeElement>();
  for (const c of children) {
    if (isBlank(c)) continue;
    if (typeof c !== 'string' && allowed.has(c.tag)) {
      out.push(c);
      continue;
    }
    const last = out[out.length - 1];
    if (last && typeof last !== 'string' && made.has(last)) last.children.push(c);
    else {
      const w: NarrativeElement = { tag: wrap, children: [c] };
      made.add(w);
      out.push(w);
    }
  }
  for (const w of made) w.children = repair(w.tag, w.children);
  return out;
}

/** Converts one `<text>` element (or any narrative container) to narrative nodes. */
export function narrativeOf(text: XmlElement | undefined): NarrativeNode[] {
  if (!text) return [];
  let count = 0;
  const convert = (el: XmlElement): NarrativeNode[] => {
    const out: NarrativeNode[] = [];
    for (const n of el.nodes) {
      if (typeof n === 'string') {
        const s = collapse(n);
        if (s) out.push(s);
        continue;
      }
      out.push(...element(n));
    }
    // Adjacent strings merged, so the tree stays small.
    return out.reduce<NarrativeNode[]>((acc, n) => {
      const last = acc[acc.length - 1];
      if (typeof n === 'string' && typeof last === 'string') acc[acc.length - 1] = collapse(last + n);
      else acc.push(n);
      return acc;
    }, []);
  };
  const element = (el: XmlElement): NarrativeNode[] => {
    if (DROPPED.has(el.name.toLowerCase())) return [];
    if (el.attrs.get('revised') === 'delete') return [];
    // The narrative's own elements, also when an EHR wrote them in the XHTML namespace or none.
    const cda = CDA.get(el.name);
    const html = cda ? undefined : HTML.get(el.name.toLowerCase());
    const tag = cda ?? html?.tag;
    if (!tag || ++count > MAX_ELEMENTS) {
      const text = plainText(el);
      return text ? [text] : [];
    }
    if (tag === 'br') return [{ tag, children: [] }];
    // A link is its text (the address is not kept); an image a placeholder with its caption.
    if (tag === 'link') {
      const text = plainText(el).trim();
      return text ? [{ tag, children: [text] }] : [];
    }
    if (tag === 'media') {
      const caption = el.children.find((c) => c.name === 'caption');
      const text = caption ? plainText(caption).trim() : (el.attrs.get('alt') ?? '').trim();
      return [{ tag, children: text ? [collapse(text)] : [] }];
    }
    const node: NarrativeElement = { tag, children: repair(tag, convert(el)) };
    const st = [...(html?.styles ?? []), ...styles(el)];
    if (st.length > 0) node.styles = [...new Set(st)];
    if (tag === 'list' && (html?.ordered || el.attrs.get('listType') === 'ordered')) node.ordered = true;
    if (tag === 'th' || tag === 'td') {
      const colspan = span(el.attrs.get('colspan'));
      const rowspan = span(el.attrs.get('rowspan'));
      if (colspan) node.colspan = colspan;
      if (rowspan) node.rowspan = rowspan;
    }
    return [node];
  };
  const nodes = convert(text);
  // Leading and trailing white space of the block says nothing.
  while (nodes.length > 0 && isBlank(nodes[0] as NarrativeNode)) nodes.shift();
  while (nodes.length > 0 && isBlank(nodes[nodes.length - 1] as NarrativeNode)) nodes.pop();
  return nodes;
}
