import { getSearchRegistry } from '@kennebec/fhir';
import type { TokenKey } from '@kennebec/fhir-store';

/**
 * Criteria of conditional writes (https://hl7.org/fhir/R4/http.html#cond-update).
 *
 * Two conditional writes with the same criteria must not both find nothing and both create:
 * each takes a transaction-scoped advisory lock on its criteria key before searching, so the
 * second waits for the first to commit and then finds what it wrote.
 */
export function criteriaKey(type: string, params: readonly (readonly [string, string])[]): string {
  return `${type}?${[...params].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join('&')}`;
}

/**
 * The one token the criteria name, when they are exactly `param=system|code` (the usual
 * business-identifier key, e.g. `Patient?identifier=urn:oid:1.2|MRN-1`): such criteria can be
 * resolved together with others in one index lookup that matches exactly what the search would.
 * Anything else (several parameters, modifiers, alternatives, a missing system) is undefined.
 *
 * The value is read as the search parser reads a token (https://hl7.org/fhir/R4/search.html#escaping:
 * `\,`, `\|`, `\$` and `\\` are escapes), without building a whole search request: this runs
 * for every resource of every ingested message. A test holds it to the parser's results.
 */
export function singleTokenCriteria(type: string, params: readonly (readonly [string, string])[]): TokenKey | undefined {
  const [only] = params;
  if (params.length !== 1 || !only) return undefined;
  const [name, value] = only;
  if (!PLAIN_NAME.test(name) || name === '_id' || name === '_lastUpdated') return undefined;
  const def = getSearchRegistry().get(type, name);
  if (!def?.supported || def.type !== 'token') return undefined;
  const alternatives = splitUnescaped(value, ',').filter((v) => v.length > 0);
  if (alternatives.length !== 1) return undefined;
  const parts = splitUnescaped(alternatives[0] as string, '|');
  if (parts.length !== 2) return undefined;
  const system = unescape(parts[0] as string);
  const code = unescape(parts[1] as string);
  if (system === '' || code === '') return undefined;
  return { resourceType: type, param: def.code, system, code };
}

/** A parameter name without modifier or chain. */
const PLAIN_NAME = /^[A-Za-z0-9_-]+$/;

/** Splits at each `sep` not escaped by a backslash; escapes are kept. */
function splitUnescaped(value: string, sep: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '\\' && i + 1 < value.length) i++;
    else if (value[i] === sep) {
      out.push(value.slice(start, i));
      start = i + 1;
    }
  }
  out.push(value.slice(start));
  return out;
}

function unescape(part: string): string {
  return part.replace(/\\([,$|\\])/g, '$1');
}
