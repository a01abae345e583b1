/**
 * Parsing of single search values: prefixes, escapes, dates, numbers, quantities, tokens,
 * references. Every function throws errors.badRequest naming the parameter on malformed input.
 * See https://hl7.org/fhir/R4/search.html#prefix and #escaping
 */
import { errors } from '../errors.ts';
import { parseReference } from '../reference.ts';
import type { DateValue, NumberValue, Prefix, QuantityValue, ReferenceValue, TokenValue } from './request.ts';
import { dateRange, decimalRange } from './values.ts';

const PREFIXES = new Set<Prefix>(['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap']);

export function bad(param: string, message: string): Error {
  return errors.badRequest(`Invalid value for search parameter '${param}': ${message}`, [param]);
}

/**
 * Splits on an unescaped separator and removes the escapes of `\,`, `\$`, `\|` and `\\`
 * (https://hl7.org/fhir/R4/search.html#escaping).
 */
export function splitEscaped(value: string, sep: ',' | '$' | '|', unescape = true): string[] {
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    if (ch === '\\' && i + 1 < value.length) {
      const next = value[i + 1] as string;
      current += unescape && (next === ',' || next === '$' || next === '|' || next === '\\') ? next : `${ch}${next}`;
      i++;
    } else if (ch === sep) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out;
}

/** Splits a prefix off a date / number / quantity value; eq when absent. */
export function splitPrefix(value: string): { prefix: Prefix; rest: string } {
  const head = value.slice(0, 2) as Prefix;
  if (PREFIXES.has(head) && value.length > 2) return { prefix: head, rest: value.slice(2) };
  return { prefix: 'eq', rest: value };
}

export function parseDateValue(param: string, value: string): DateValue {
  const { prefix, rest } = splitPrefix(value);
  // A '+' of a time-zone offset sent unencoded in a URL arrives as a space.
  const range = dateRange(rest.replace(/ (\d{2}:\d{2})$/, '+$1'));
  if (!range) throw bad(param, `'${value}' is not a date, dateTime or instant`);
  return { prefix, ...range };
}

export function parseNumberValue(param: string, value: string): NumberValue {
  const { prefix, rest } = splitPrefix(value);
  const range = decimalRange(rest);
  if (!range) throw bad(param, `'${value}' is not a number`);
  return { prefix, ...range };
}

/** `[prefix]number|system|code`, `[prefix]number||code` or `[prefix]number`. */
export function parseQuantityValue(param: string, value: string): QuantityValue {
  const parts = splitEscaped(value, '|');
  if (parts.length !== 1 && parts.length !== 3) throw bad(param, `'${value}' is not number|system|code`);
  const number = parseNumberValue(param, parts[0] ?? '');
  const system = parts[1] ?? '';
  const code = parts[2] ?? '';
  if (system && !code) throw bad(param, `'${value}' has a system but no code`);
  return { ...number, ...(system ? { system } : {}), ...(code ? { code } : {}) };
}

export function parseTokenValue(param: string, value: string): TokenValue {
  const parts = splitEscaped(value, '|');
  if (parts.length > 2) throw bad(param, `'${value}' has more than one unescaped '|'`);
  if (parts.length === 1) return { code: parts[0] as string };
  const [system, code] = parts as [string, string];
  if (!system && !code) throw bad(param, `'${value}' has neither system nor code`);
  if (!system) return { system: null, code };
  return code ? { system, code } : { system };
}

/**
 * `Type/id[/_history/v]`, `id`, or an absolute URL; an absolute URL on this server's base is
 * read as the relative reference it names. A bare id takes the `:Type` modifier's type, or the
 * parameter's only target type (https://hl7.org/fhir/R4/search.html#reference).
 */
export function parseReferenceValue(
  param: string,
  value: string,
  opts: { modifierType?: string | undefined; singleTarget?: string | undefined; baseUrl?: string | undefined },
): ReferenceValue {
  if (!value) throw bad(param, 'empty reference');
  const parsed = parseReference(value, opts.baseUrl);
  if (parsed) {
    if (opts.modifierType && parsed.type !== opts.modifierType) {
      throw bad(param, `'${value}' is not a ${opts.modifierType} as the modifier requires`);
    }
    return { type: parsed.type, id: parsed.id };
  }
  if (/^[A-Za-z0-9\-.]{1,64}$/.test(value)) {
    const type = opts.modifierType ?? opts.singleTarget;
    return { ...(type ? { type } : {}), id: value };
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(value)) return { url: value };
  throw bad(param, `'${value}' is not a reference`);
}
