/**
 * The primitive regexes in the R4 StructureDefinitions (extension
 * http://hl7.org/fhir/StructureDefinition/regex) are written for Java/XML Schema, where `\s`
 * means only [ \t\n\x0B\f\r]. In JavaScript `\s`/`\S` are Unicode-aware, so `[ \r\n\t\S]+`
 * (string) would reject a no-break space that the HL7 validator accepts. This rewrites the
 * whitespace classes to their Java meaning so both validators agree.
 * See https://hl7.org/fhir/R4/datatypes.html#primitive.
 */

const JAVA_WS = ' \\t\\n\\x0B\\f\\r';
const JAVA_WS_CHARS = [' ', '\t', '\n', '\x0B', '\f', '\r'];

const ESCAPE_TO_CHAR: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f' };

function escapeForClass(ch: string): string {
  const code = ch.charCodeAt(0);
  if (ch === ' ') return ' ';
  return `\\x${code.toString(16).padStart(2, '0')}`;
}

/**
 * Rewrites a character class body that contains `\S`: a positive class `[abc\S]` matches every
 * non-whitespace character plus the whitespace characters listed, i.e. everything except the
 * Java whitespace characters *not* listed.
 */
function classWithNonSpace(body: string): string {
  const listed = new Set<string>();
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] as string;
    if (ch === '\\') {
      const next = body[i + 1] ?? '';
      i++;
      if (next === 'S') continue;
      if (next === 's') {
        JAVA_WS_CHARS.forEach((c) => listed.add(c));
        continue;
      }
      listed.add(ESCAPE_TO_CHAR[next] ?? next);
    } else {
      listed.add(ch);
    }
  }
  const excluded = JAVA_WS_CHARS.filter((c) => !listed.has(c));
  if (excluded.length === 0) return '[\\s\\S]';
  return `[^${excluded.map(escapeForClass).join('')}]`;
}

/** Translates a Java regex (as used by String.matches) into an anchored JavaScript source. */
export function javaRegexToJs(source: string): string {
  let out = '';
  for (let i = 0; i < source.length; i++) {
    const ch = source[i] as string;
    if (ch === '\\') {
      const next = source[i + 1] ?? '';
      i++;
      if (next === 's') out += `[${JAVA_WS}]`;
      else if (next === 'S') out += `[^${JAVA_WS}]`;
      else out += `\\${next}`;
      continue;
    }
    if (ch === '[') {
      let j = i + 1;
      let body = '';
      while (j < source.length && source[j] !== ']') {
        if (source[j] === '\\') {
          body += source.slice(j, j + 2);
          j += 2;
        } else {
          body += source[j];
          j++;
        }
      }
      i = j;
      const negated = body.startsWith('^');
      if (body.includes('\\S')) {
        if (negated) throw new Error(`Unsupported negated class with \\S in regex ${source}`);
        out += classWithNonSpace(body);
      } else {
        out += `[${body.replace(/\\s/g, JAVA_WS)}]`;
      }
      continue;
    }
    out += ch;
  }
  return `^(?:${out})$`;
}
