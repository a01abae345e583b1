/**
 * Safe XML parsing into a small namespace-aware tree, with saxes (strict, non-validating,
 * never fetches external entities).
 *
 * Hostile input is refused before it can cost anything:
 * - any DOCTYPE is an error (`ccda-doctype-forbidden`): C-CDA never needs one (the CDA R2
 *   schema is W3C XML Schema), and refusing it rules out XXE and entity expansion
 *   ("billion laughs") whatever the parser would otherwise do with internal subsets;
 * - the byte size is checked before decoding, depth and element count while parsing.
 */
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { CcdaError } from './errors.ts';

export const NS_V3 = 'urn:hl7-org:v3';
export const NS_SDTC = 'urn:hl7-org:sdtc';
export const NS_XSI = 'http://www.w3.org/2001/XMLSchema-instance';

export interface XmlLimits {
  /** bytes (UTF-8 when given a string); default 20 MB */
  maxBytes?: number;
  /** element nesting depth; default 256 (real C-CDA stays under 40) */
  maxDepth?: number;
  /** total elements; default 2,000,000 */
  maxElements?: number;
}

export const DEFAULT_LIMITS: Required<XmlLimits> = { maxBytes: 20 * 1024 * 1024, maxDepth: 256, maxElements: 2_000_000 };

export interface XmlElement {
  /** namespace URI, '' when none */
  readonly ns: string;
  /** local name */
  readonly name: string;
  /** unqualified attributes by local name; namespaced ones as `{uri}local` */
  readonly attrs: ReadonlyMap<string, string>;
  readonly children: XmlElement[];
  /** mixed content in document order (text and elements) */
  readonly nodes: (XmlElement | string)[];
  readonly line: number;
}

interface MutableElement extends XmlElement {
  readonly attrs: Map<string, string>;
}

/** Decodes bytes, honouring a BOM or the XML declaration's encoding (UTF-8, UTF-16, Latin-1). */
function decode(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 200));
  const declared = /^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1]?.toLowerCase();
  let label = 'utf-8';
  if (declared && ['iso-8859-1', 'latin1', 'latin-1', 'windows-1252', 'cp1252', 'us-ascii', 'ascii'].includes(declared)) label = 'windows-1252';
  else if (declared && declared !== 'utf-8' && declared !== 'utf8') throw new CcdaError('ccda-not-xml', `Unsupported XML encoding '${declared.slice(0, 40)}'`);
  try {
    return new TextDecoder(label, { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new CcdaError('ccda-not-xml', `The document is not valid ${label === 'utf-8' ? 'UTF-8' : label}`);
  }
}

/**
 * Parses an XML document. Throws CcdaError: `ccda-too-large`, `ccda-doctype-forbidden`,
 * `ccda-not-xml` (with line and column).
 */
export function parseXml(input: string | Uint8Array, limits: XmlLimits = {}): XmlElement {
  const lim = { ...DEFAULT_LIMITS, ...limits };
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > lim.maxBytes) throw new CcdaError('ccda-too-large', `The document is ${size} bytes; the limit is ${lim.maxBytes}`);
  const text = typeof input === 'string' ? input : decode(input);

  const parser = new SaxesParser({
    xmlns: true,
    position: true,
    // Several EHRs use xsi: or sdtc: without declaring them (see the shared-data README). These
    // two prefixes are unambiguous in CDA, so we bind them instead of rejecting the document.
    resolvePrefix: (prefix: string) => (prefix === 'xsi' ? NS_XSI : prefix === 'sdtc' ? NS_SDTC : undefined),
  });
  const stack: MutableElement[] = [];
  let root: MutableElement | undefined;
  let count = 0;
  let failure: CcdaError | undefined;
  const fail = (err: CcdaError): never => {
    failure ??= err;
    throw err;
  };

  parser.on('doctype', () => {
    fail(new CcdaError('ccda-doctype-forbidden', 'DOCTYPE declarations are not accepted in C-CDA documents', parser.line, parser.column));
  });
  parser.on('error', (err: Error) => {
    fail(new CcdaError('ccda-not-xml', `Not well-formed XML: ${err.message}`, parser.line, parser.column));
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    count += 1;
    if (count > lim.maxElements) fail(new CcdaError('ccda-too-large', `More than ${lim.maxElements} elements`, parser.line, parser.column));
    if (stack.length >= lim.maxDepth) fail(new CcdaError('ccda-too-large', `Elements nested deeper than ${lim.maxDepth}`, parser.line, parser.column));
    const attrs = new Map<string, string>();
    for (const a of Object.values(tag.attributes)) {
      if (a.prefix === 'xmlns' || a.name === 'xmlns') continue;
      attrs.set(a.uri ? `{${a.uri}}${a.local}` : a.local, a.value);
    }
    const el: MutableElement = { ns: tag.uri, name: tag.local, attrs, children: [], nodes: [], line: parser.line };
    const parent = stack[stack.length - 1];
    if (parent) {
      parent.children.push(el);
      parent.nodes.push(el);
    } else {
      root = el;
    }
    stack.push(el);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  const addText = (t: string): void => {
    const parent = stack[stack.length - 1];
    if (parent && t) parent.nodes.push(t);
  };
  parser.on('text', addText);
  parser.on('cdata', addText);

  try {
    parser.write(text).close();
  } catch (err) {
    if (failure) throw failure;
    if (err instanceof CcdaError) throw err;
    throw new CcdaError('ccda-not-xml', `Not well-formed XML: ${err instanceof Error ? err.message : String(err)}`, parser.line, parser.column);
  }
  if (failure) throw failure;
  if (!root) throw new CcdaError('ccda-not-xml', 'The document has no root element');
  return root;
}

/** Unqualified attribute value, or undefined when absent. */
export function attr(el: XmlElement | undefined, name: string): string | undefined {
  return el?.attrs.get(name);
}

/** Local part of xsi:type (e.g. "PQ" for xsi:type="v3:PQ"). */
export function xsiType(el: XmlElement | undefined): string | undefined {
  const v = el?.attrs.get(`{${NS_XSI}}type`);
  if (v === undefined) return undefined;
  const i = v.indexOf(':');
  return i >= 0 ? v.slice(i + 1) : v;
}

/** First child in the HL7 v3 namespace with that local name. */
export function child(el: XmlElement | undefined, name: string, ns = NS_V3): XmlElement | undefined {
  return el?.children.find((c) => c.name === name && c.ns === ns);
}

/** All children in the HL7 v3 namespace with that local name. */
export function children(el: XmlElement | undefined, name: string, ns = NS_V3): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name && c.ns === ns) : [];
}

/** Follows a path of v3 child names, taking the first match at each step. */
export function path(el: XmlElement | undefined, ...names: string[]): XmlElement | undefined {
  let cur = el;
  for (const n of names) cur = child(cur, n);
  return cur;
}

/** Concatenated text of the element and its descendants, whitespace collapsed. */
export function textContent(el: XmlElement | undefined): string {
  if (!el) return '';
  const parts: string[] = [];
  const walk = (e: XmlElement): void => {
    for (const n of e.nodes) {
      if (typeof n === 'string') parts.push(n);
      else walk(n);
    }
  };
  walk(el);
  return parts.join('').replace(/\s+/g, ' ').trim();
}

/** Every descendant element (depth first), for building ID indexes of the narrative. */
export function* descendants(el: XmlElement): Generator<XmlElement> {
  for (const c of el.children) {
    yield c;
    yield* descendants(c);
  }
}
