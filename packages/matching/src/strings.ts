/**
 * String similarity and phonetic codes used by the comparators and blocking. Written here
 * rather than pulled in: each is a few dozen lines and the hot path must not allocate much.
 */

// Reused match flags: the comparator runs for every candidate pair, so it does not allocate.
let scratchA = new Uint8Array(64);
let scratchB = new Uint8Array(64);

/**
 * Jaro–Winkler similarity in [0, 1] (Winkler 1990), the standard name comparator in
 * record linkage; prefix bonus 0.1 for up to 4 common leading characters.
 */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return a.length === 0 ? 0 : 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(la, lb) / 2) - 1);
  if (scratchA.length < la) scratchA = new Uint8Array(la * 2);
  if (scratchB.length < lb) scratchB = new Uint8Array(lb * 2);
  const matchedA = scratchA.fill(0, 0, la);
  const matchedB = scratchB.fill(0, 0, lb);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(lb - 1, i + window);
    const ca = a.charCodeAt(i);
    for (let j = lo; j <= hi; j++) {
      if (matchedB[j] === 0 && b.charCodeAt(j) === ca) {
        matchedA[i] = 1;
        matchedB[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (matchedA[i] === 0) continue;
    while (matchedB[k] === 0) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) transpositions++;
    k++;
  }
  const m = matches;
  const jaro = (m / la + m / lb + (m - transpositions / 2) / m) / 3;
  let prefix = 0;
  const maxPrefix = Math.min(4, la, lb);
  while (prefix < maxPrefix && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

/**
 * Optimal-string-alignment Damerau–Levenshtein distance (insert, delete, substitute, swap
 * adjacent), the edit model of typing errors (Damerau 1964), stopping early above `max`.
 */
export function damerauLevenshtein(a: string, b: string, max = Infinity): number {
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > max) return max + 1;
  if (max === 1) return a === b ? 0 : withinOneEdit(a, b) ? 1 : 2;
  if (la === 0) return lb;
  if (lb === 0) return la;
  if (rowA.length <= lb) {
    rowA = new Int32Array(2 * lb + 2);
    rowB = new Int32Array(2 * lb + 2);
    rowC = new Int32Array(2 * lb + 2);
  }
  let prev2 = rowA.fill(0, 0, lb + 1);
  let prev = rowB;
  let cur = rowC;
  for (let j = 0; j <= lb; j++) prev[j] = j;
  for (let i = 1; i <= la; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= lb; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) {
        v = Math.min(v, (prev2[j - 2] as number) + 1);
      }
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    const t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  return prev[lb] as number;
}

// Reused rows of the distance table (grown when a longer string comes along).
let rowA = new Int32Array(64);
let rowB = new Int32Array(64);
let rowC = new Int32Array(64);

/**
 * At most one insertion, deletion, substitution or swap of adjacent characters apart: the
 * question most comparators ask, answered in one pass without the distance table.
 */
export function withinOneEdit(a: string, b: string): boolean {
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  const shorter = Math.min(la, lb);
  while (i < shorter && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === shorter) return true;
  if (la === lb) {
    // Substitution at i: the rest is equal; or a swap of i and i+1.
    if (rest(a, i + 1, b, i + 1)) return true;
    return a.charCodeAt(i) === b.charCodeAt(i + 1) && a.charCodeAt(i + 1) === b.charCodeAt(i) && rest(a, i + 2, b, i + 2);
  }
  // One character inserted at i into the shorter string.
  return la > lb ? rest(a, i + 1, b, i) : rest(a, i, b, i + 1);
}

function rest(a: string, i: number, b: string, j: number): boolean {
  if (a.length - i !== b.length - j) return false;
  for (; i < a.length; i++, j++) if (a.charCodeAt(i) !== b.charCodeAt(j)) return false;
  return true;
}

const SOUNDEX_CODES = '01230120022455012623010202';

/**
 * American Soundex (4 characters). Coarse on purpose: used for blocking, where a phonetic
 * key that survives most spelling variants matters more than precision (Christen 2012, ch. 4).
 */
export function soundex(s: string): string {
  let first = '';
  let out = '';
  let last = '';
  for (let i = 0; i < s.length && out.length < 3; i++) {
    const c = s.charCodeAt(i) - 97;
    if (c < 0 || c > 25) continue;
    const code = SOUNDEX_CODES[c] as string;
    if (first === '') {
      first = s[i] as string;
      last = code;
      continue;
    }
    // 'h' and 'w' do not separate equal codes; vowels do.
    if (code === '0') {
      if (s[i] !== 'h' && s[i] !== 'w') last = '';
      continue;
    }
    if (code !== last) out += code;
    last = code;
  }
  return first === '' ? '' : (first + out).padEnd(4, '0');
}

const NYSIIS_STARTS: readonly [RegExp, string][] = [[/^mac/, 'mcc'], [/^kn/, 'nn'], [/^k/, 'c'], [/^ph/, 'ff'], [/^pf/, 'ff'], [/^sch/, 'sss']];
const NYSIIS_ENDS: readonly [RegExp, string][] = [[/ee$/, 'y'], [/ie$/, 'y'], [/(dt|rt|rd|nt|nd)$/, 'd']];

function isVowel(c: string | undefined): boolean {
  return c === 'a' || c === 'e' || c === 'i' || c === 'o' || c === 'u';
}

/**
 * NYSIIS (New York State Identification and Intelligence System, Taft 1970): a phonetic code
 * that keeps more of the name than Soundex; used for the "sounds alike" comparison level.
 */
export function nysiis(input: string): string {
  let s = input.replace(/[^a-z]/g, '');
  if (s === '') return '';
  for (const [re, to] of NYSIIS_STARTS) if (re.test(s)) { s = s.replace(re, to); break; }
  for (const [re, to] of NYSIIS_ENDS) if (re.test(s)) { s = s.replace(re, to); break; }
  const first = s[0] as string;
  let key = first;
  const chars = s.split('');
  for (let i = 1; i < chars.length; i++) {
    const c = chars[i] as string;
    let rep: string = c;
    if (c === 'e' && chars[i + 1] === 'v') { rep = 'a'; chars[i + 1] = 'f'; }
    else if (isVowel(c)) rep = 'a';
    else if (c === 'q') rep = 'g';
    else if (c === 'z') rep = 's';
    else if (c === 'm') rep = 'n';
    else if (c === 'k') rep = chars[i + 1] === 'n' ? 'n' : 'c';
    else if (c === 's' && chars[i + 1] === 'c' && chars[i + 2] === 'h') { rep = 's'; chars[i + 1] = 's'; chars[i + 2] = 's'; }
    else if (c === 'p' && chars[i + 1] === 'h') { rep = 'f'; chars[i + 1] = 'f'; }
    else if (c === 'h' && (!isVowel(chars[i - 1]) || !isVowel(chars[i + 1]))) rep = chars[i - 1] as string;
    else if (c === 'w' && isVowel(chars[i - 1])) rep = chars[i - 1] as string;
    chars[i] = rep;
    if (key[key.length - 1] !== rep) key += rep;
  }
  if (key.length > 1 && key.endsWith('s')) key = key.slice(0, -1);
  if (key.length > 1 && key.endsWith('ay')) key = key.slice(0, -2) + 'y';
  if (key.length > 1 && key.endsWith('a')) key = key.slice(0, -1);
  return key.slice(0, 8);
}
