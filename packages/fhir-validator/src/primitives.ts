/**
 * Format checks for FHIR primitive values as they appear in JSON.
 * - JSON type: boolean as true/false, integer/decimal types as numbers, all others as strings
 *   (https://hl7.org/fhir/R4/json.html#primitive).
 * - Lexical form: the regex of each type from the StructureDefinitions (generated model), plus
 *   the checks regexes cannot express (https://hl7.org/fhir/R4/datatypes.html#primitive):
 *   real calendar dates, 32-bit integer range, base64 padding, uuid/oid forms in uri,
 *   string size (1 MB) and whitespace rules.
 * Diagnostics quote the value only for short coded/structured types, never for free text.
 */
import type { IssueCode, IssueList, Severity } from './issues.ts';

/** Where problems go: the issue list and the location of the value being checked. */
class Reporter {
  constructor(
    readonly issues: IssueList,
    readonly path: string,
  ) {}

  report(severity: Severity, code: IssueCode, message: string): void {
    this.issues.add(severity, code, message, this.path);
  }
}

const NUMBER_TYPES = new Set(['integer', 'positiveInt', 'unsignedInt', 'decimal']);
const INTEGER_TYPES = new Set(['integer', 'positiveInt', 'unsignedInt']);
/** Free-text types: their values may hold health data, so diagnostics never quote them. */
const TEXT_TYPES = new Set(['string', 'markdown', 'xhtml', 'base64Binary']);
const URI_TYPES = new Set(['uri', 'url', 'canonical', 'oid', 'uuid']);
const MAX_STRING = 1024 * 1024;
const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\x00-\x08\x0B\x0C\x0E-\x1F]/;
// \x0B is whitespace to Java's regex engine, whose semantics the HL7 validator has.
// eslint-disable-next-line no-control-regex
const JAVA_WS_ONLY = /^[ \t\n\x0B\f\r]+$/;
// eslint-disable-next-line no-control-regex
const EDGE_WS = /^[ \t\n\x0B\f\r]|[ \t\n\x0B\f\r]$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const OID = /^[0-2](\.(0|[1-9][0-9]*))+$/;
const ABSOLUTE_URI = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
// eslint-disable-next-line no-control-regex
const BASE64_WS = /[ \t\n\x0B\f\r]/g;

export function quote(value: string): string {
  return value.length > 60 ? `'${value.slice(0, 57)}...'` : `'${value}'`;
}

function expectedJsonType(type: string): 'boolean' | 'number' | 'string' {
  if (type === 'boolean') return 'boolean';
  return NUMBER_TYPES.has(type) ? 'number' : 'string';
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The regexes accept e.g. 2021-02-30; a date must also exist in the calendar. */
function isRealDate(value: string): boolean {
  if (value.length < 10) return true;
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8, 10));
  return day <= daysInMonth(year, month);
}

function describe(type: string, value: string): string {
  return TEXT_TYPES.has(type) ? '' : ` ${quote(value)}`;
}

/**
 * Checks one primitive value. `regex` is the type's compiled regex from the model.
 * Returns false when the value is unusable (wrong JSON type or bad format), so callers can
 * skip checks that depend on it (bindings).
 */
export function checkPrimitive(type: string, value: unknown, regex: RegExp | undefined, issues: IssueList, path: string): boolean {
  const expected = expectedJsonType(type);
  if (typeof value !== expected) {
    issues.add('error', 'structure', `Invalid JSON type for ${type}: expected a ${expected}, found ${Array.isArray(value) ? 'array' : typeof value}`, path);
    return false;
  }
  if (expected === 'boolean') return true;
  if (typeof value === 'number') return checkNumber(type, value, new Reporter(issues, path));
  return checkString(type, value as string, regex, new Reporter(issues, path));
}

function checkNumber(type: string, value: number, r: Reporter): boolean {
  if (!Number.isFinite(value)) {
    r.report('error', 'value', `Invalid ${type}: not a finite number`);
    return false;
  }
  if (!INTEGER_TYPES.has(type)) return true;
  if (!Number.isInteger(value) || value < INT_MIN || value > INT_MAX) {
    r.report('error', 'value', `Invalid ${type} '${value}': must be a 32-bit integer`);
    return false;
  }
  if (type === 'positiveInt' && value < 1) {
    r.report('error', 'value', `Invalid positiveInt '${value}': must be 1 or more`);
    return false;
  }
  if (type === 'unsignedInt' && value < 0) {
    r.report('error', 'value', `Invalid unsignedInt '${value}': must not be negative`);
    return false;
  }
  return true;
}

function checkString(type: string, value: string, regex: RegExp | undefined, r: Reporter): boolean {
  if (value.length === 0) {
    r.report('error', 'value', `Invalid ${type}: a primitive value must not be empty (use an extension, or omit the element)`);
    return false;
  }
  if (type === 'xhtml') return true; // checked by narrative.ts
  if (CONTROL_CHARS.test(value)) {
    r.report('warning', 'value', `The ${type} value contains control characters that cannot be represented in XML`);
  }
  if (type === 'string' || type === 'markdown') return checkText(type, value, r);
  if (type === 'base64Binary') return checkBase64(value, r);
  if (JAVA_WS_ONLY.test(value)) {
    r.report('error', 'value', `Invalid ${type}: the value is only whitespace`);
    return false;
  }
  if (regex && !regex.test(value)) {
    r.report('error', 'value', `Invalid ${type}${describe(type, value)}`);
    return false;
  }
  if ((type === 'date' || type === 'dateTime' || type === 'instant') && !isRealDate(value)) {
    r.report('error', 'value', `Invalid ${type}${describe(type, value)}: no such day`);
    return false;
  }
  if (URI_TYPES.has(type)) return checkUri(type, value, r);
  return true;
}

function checkText(type: string, value: string, r: Reporter): boolean {
  if (value.length > MAX_STRING) {
    r.report('error', 'too-long', `The ${type} value exceeds 1 MB (${value.length} characters)`);
    return false;
  }
  if (JAVA_WS_ONLY.test(value)) {
    r.report('warning', 'value', `The ${type} value is only whitespace`);
  } else if (type === 'string' && EDGE_WS.test(value)) {
    r.report('warning', 'value', 'The string value has leading or trailing whitespace');
  }
  return true;
}

function checkBase64(value: string, r: Reporter): boolean {
  const compact = value.replace(BASE64_WS, '');
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) {
    r.report('error', 'value', 'Invalid base64Binary: not valid base64 content');
    return false;
  }
  if (compact.length !== value.length) {
    r.report('warning', 'value', 'The base64Binary value contains whitespace');
  }
  return true;
}

function checkUri(type: string, value: string, r: Reporter): boolean {
  if (value.startsWith('oid:') || value.startsWith('uuid:')) {
    r.report('error', 'value', `Invalid ${type} ${quote(value)}: use the 'urn:${value.slice(0, value.indexOf(':'))}:' prefix`);
    return false;
  }
  if (value.startsWith('urn:uuid:')) {
    let uuid = value.slice(9);
    const hash = uuid.indexOf('#');
    if (hash >= 0) uuid = uuid.slice(0, hash);
    if (type === 'canonical' && uuid.includes('|')) uuid = uuid.slice(0, uuid.lastIndexOf('|'));
    if (!UUID.test(uuid)) {
      r.report('error', 'value', `Invalid ${type} ${quote(value)}: not a valid UUID`);
      return false;
    }
  } else if (value.startsWith('urn:oid:') && !OID.test(value.slice(8))) {
    r.report('error', 'value', `Invalid ${type} ${quote(value)}: not a valid OID`);
    return false;
  }
  // Newer HL7 validators make this an error, but R4's own examples (e.g. CapabilityStatement,
  // OperationDefinition) use relative canonicals, so for R4 it is a warning.
  if (type === 'canonical' && !value.startsWith('#') && !ABSOLUTE_URI.test(value)) {
    r.report('warning', 'value', `The canonical ${quote(value)} should be an absolute URL`);
  }
  return true;
}
