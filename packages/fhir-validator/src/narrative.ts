/**
 * Checks for Narrative.div (type xhtml), i.e. txt-1 and txt-2 of
 * https://hl7.org/fhir/R4/narrative.html#Narrative: well-formed XML, root `div` in the XHTML
 * namespace, only the HTML 4.0 formatting elements and attributes FHIR allows, no active
 * content (script, event handlers, javascript: URLs), no DOCTYPE or non-XML entities (there is
 * no DTD, see https://hl7.org/fhir/R4/json.html#xhtml), and some non-whitespace content.
 * The element/attribute lists are the union of the R4 txt-1 XPath and the HL7 Java validator's
 * lists, so that anything either accepts is accepted.
 */
import { SaxesParser, type SaxesTagNS } from 'saxes';

export const XHTML_NS = 'http://www.w3.org/1999/xhtml';

export interface NarrativeProblem {
  code: 'invalid' | 'security' | 'invariant';
  message: string;
}

const ALLOWED_ELEMENTS = new Set([
  'a', 'abbr', 'acronym', 'address', 'area', 'b', 'bdo', 'big', 'blockquote', 'br', 'caption', 'cite', 'code',
  'col', 'colgroup', 'dd', 'dfn', 'div', 'dl', 'dt', 'em', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'i', 'img',
  'kbd', 'li', 'map', 'ol', 'p', 'pre', 'q', 'samp', 'small', 'span', 'strong', 'sub', 'sup', 'table', 'tbody',
  'td', 'tfoot', 'th', 'thead', 'tr', 'tt', 'ul', 'var',
]);

const ALLOWED_ATTRIBUTES = new Set([
  'abbr', 'accesskey', 'align', 'alt', 'axis', 'bgcolor', 'border', 'cellhalign', 'cellpadding', 'cellspacing',
  'cellvalign', 'char', 'charoff', 'charset', 'cite', 'class', 'colspan', 'compact', 'coords', 'dir', 'frame',
  'headers', 'height', 'href', 'hreflang', 'hspace', 'id', 'ismap', 'lang', 'longdesc', 'name', 'nohref',
  'nowrap', 'rel', 'rev', 'rowspan', 'rules', 'scope', 'shape', 'span', 'src', 'start', 'style', 'summary',
  'tabindex', 'title', 'type', 'usemap', 'valign', 'value', 'vspace', 'width', 'xml:lang', 'xml:space',
]);

/** Elements that the HTML content model forbids inside <p> (flagged by the HL7 validator). */
const BLOCK_ELEMENTS = new Set(['div', 'blockquote', 'table', 'ol', 'ul', 'p']);

/** Elements that are not just disallowed but carry active or external content. */
const ACTIVE_ELEMENTS = new Set([
  'script', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'form', 'input', 'button', 'base',
  'link', 'meta', 'style', 'svg', 'math', 'head', 'body', 'html',
]);

const URL_ATTRIBUTES = new Set(['href', 'src', 'longdesc', 'cite', 'usemap']);

/** Browsers ignore ASCII whitespace and control characters inside a scheme ("java\tscript:"). */
function urlScheme(value: string): string {
  // eslint-disable-next-line no-control-regex
  const compact = value.replace(/[\x00-\x20]+/g, '').toLowerCase();
  const colon = compact.indexOf(':');
  return colon > 0 ? compact.slice(0, colon) : '';
}

const ACTIVE_SCHEMES = new Set(['javascript', 'vbscript', 'livescript']);

/** Validates one Narrative.div value; returns the problems found (empty when valid). */
export function checkNarrativeDiv(div: string): NarrativeProblem[] {
  const problems: NarrativeProblem[] = [];
  const parser = new SaxesParser({ xmlns: true, position: false });
  const stack: string[] = [];
  let paragraphDepth = 0;
  let hasContent = false;
  let root = true;

  parser.on('doctype', () => problems.push({ code: 'security', message: 'Narrative must not contain a DOCTYPE declaration' }));
  parser.on('processinginstruction', (pi) => problems.push({ code: 'invalid', message: `Narrative must not contain processing instructions ('${pi.target}')` }));
  parser.on('text', (text) => {
    if (text.trim().length > 0) hasContent = true;
  });
  parser.on('cdata', (text) => {
    if (text.trim().length > 0) hasContent = true;
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    checkElement(tag, root, paragraphDepth > 0, problems);
    if (tag.local === 'img' && tag.attributes.src) hasContent = true;
    root = false;
    stack.push(tag.local);
    if (tag.local === 'p') paragraphDepth++;
  });
  parser.on('closetag', () => {
    if (stack.pop() === 'p') paragraphDepth--;
  });

  try {
    parser.write(div).close();
  } catch (err) {
    const message = err instanceof Error ? err.message.replace(/^undefined:/, '').trim() : 'parse error';
    problems.push({ code: 'invalid', message: `Narrative is not well-formed XHTML: ${message}` });
    return problems;
  }
  if (!hasContent) {
    problems.push({ code: 'invariant', message: 'Constraint failed: txt-2: The narrative SHALL have some non-whitespace content' });
  }
  return problems;
}

function checkElement(tag: SaxesTagNS, isRoot: boolean, inParagraph: boolean, problems: NarrativeProblem[]): void {
  const name = tag.local;
  if (isRoot) {
    if (name !== 'div') problems.push({ code: 'invalid', message: `Narrative root element must be 'div', not '${tag.name}'` });
    if (tag.uri !== XHTML_NS) {
      problems.push({ code: 'invalid', message: `Narrative must be in the XHTML namespace '${XHTML_NS}' (found '${tag.uri || 'none'}')` });
    }
  } else if (tag.uri !== XHTML_NS) {
    problems.push({ code: 'invalid', message: `Element '${tag.name}' is not in the XHTML namespace` });
  }
  if (ACTIVE_ELEMENTS.has(name.toLowerCase())) {
    problems.push({ code: 'security', message: `Narrative must not contain a '${name}' element` });
  } else if (!ALLOWED_ELEMENTS.has(name)) {
    problems.push({ code: 'invariant', message: `Constraint failed: txt-1: element '${name}' is not allowed in narrative` });
  }
  if (inParagraph && BLOCK_ELEMENTS.has(name)) {
    problems.push({ code: 'invalid', message: `Element '${name}' is not allowed inside a paragraph` });
  }
  for (const attr of Object.values(tag.attributes)) {
    checkAttribute(name, attr.name, attr.value, problems);
  }
}

function checkAttribute(element: string, name: string, value: string, problems: NarrativeProblem[]): void {
  const lower = name.toLowerCase();
  if (lower === 'xmlns' || lower.startsWith('xmlns:')) {
    return; // the namespace itself is checked on the elements
  }
  if (lower.startsWith('on')) {
    problems.push({ code: 'security', message: `Event handler attribute '${name}' is not allowed on '${element}'` });
    return;
  }
  if (!ALLOWED_ATTRIBUTES.has(name)) {
    problems.push({ code: 'invariant', message: `Constraint failed: txt-1: attribute '${name}' is not allowed on '${element}'` });
    return;
  }
  if (URL_ATTRIBUTES.has(lower) && ACTIVE_SCHEMES.has(urlScheme(value))) {
    problems.push({ code: 'security', message: `Active content URL (${urlScheme(value)}:) is not allowed in '${element}@${name}'` });
  } else if (lower === 'href' && element === 'a' && value.trim() === '') {
    problems.push({ code: 'invalid', message: "Narrative link 'a@href' must not be empty" });
  } else if (lower === 'style' && /javascript:|vbscript:|expression\s*\(/i.test(value)) {
    problems.push({ code: 'security', message: `Style attribute on '${element}' must not contain script` });
  }
}
