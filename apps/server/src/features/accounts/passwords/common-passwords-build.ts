/**
 * Builds the committed list of common passwords (common-passwords.txt) from the password
 * dictionary of @zxcvbn-ts/language-common (MIT licence; frequency-ranked passwords from public
 * breach corpora). Only entries of 8 characters or more are kept (shorter ones fail the length
 * rule anyway), lower-cased, in frequency order, one per line.
 *
 * Used by scripts/build-common-passwords.ts and by the freshness test; never at run time.
 */
export const MIN_LISTED_LENGTH = 8;

export function buildCommonPasswordList(source: readonly string[]): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of source) {
    const p = raw.normalize('NFKC').toLowerCase();
    if ([...p].length < MIN_LISTED_LENGTH || seen.has(p) || /[\r\n]/.test(p)) continue;
    seen.add(p);
    out.push(p);
  }
  return `${out.join('\n')}\n`;
}
