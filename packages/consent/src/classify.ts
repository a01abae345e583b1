import { CODE_SYSTEMS, DEFAULT_CODE_LISTS, type CodeLists } from './code-lists.ts';
import { ACT_CODE_SYSTEM, LABEL_DISPLAY, isSensitivityLabel, type SensitivityLabel } from './labels.ts';

/**
 * Finds the sensitivity labels a resource's content calls for: every Coding anywhere in the
 * resource (condition and observation codes, values, reasons, medications…) is checked against
 * the code lists, and medication names against the ingredient lists. Labels the source already
 * put in `meta.security` are kept. Identifiers, references and narrative are not read.
 */
interface Coding {
  system?: string;
  code?: string;
  display?: string;
}

const MEDICATION_TYPES = new Set(['MedicationRequest', 'MedicationStatement', 'MedicationAdministration', 'MedicationDispense', 'Medication']);
const SKIP_KEYS = new Set(['meta', 'text', 'identifier']);

const icdKey = (code: string): string => code.replace(/\./g, '').toUpperCase();
const isIn = (system: string | undefined, list: readonly string[]): boolean => system !== undefined && list.includes(system);

function collectCodings(node: unknown, into: Coding[], texts: string[], depth = 0): void {
  if (depth > 12 || node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const item of node) collectCodings(item, into, texts, depth + 1);
    return;
  }
  const obj = node as Record<string, unknown>;
  for (const [key, value] of Object.entries(obj)) {
    if (depth === 0 && SKIP_KEYS.has(key)) continue;
    if (key === 'coding' && Array.isArray(value)) {
      for (const c of value) if (c && typeof c === 'object') into.push(c as Coding);
    } else if (key === 'text' && typeof value === 'string') {
      texts.push(value);
    } else if (key === 'valueCoding' && value && typeof value === 'object') {
      into.push(value as Coding);
    } else if (typeof value === 'object') {
      collectCodings(value, into, texts, depth + 1);
    }
  }
}

function containsWord(haystack: string, word: string): boolean {
  const i = haystack.indexOf(word);
  if (i < 0) return false;
  const before = i === 0 ? ' ' : haystack[i - 1];
  const after = haystack[i + word.length] ?? ' ';
  return !/[a-z]/.test(before ?? ' ') && !/[a-z]/.test(after);
}

export function classifyResource(resource: { resourceType: string; meta?: { security?: Coding[] } } & Record<string, unknown>, lists: CodeLists = DEFAULT_CODE_LISTS): Set<SensitivityLabel> {
  const labels = new Set<SensitivityLabel>();
  for (const s of resource.meta?.security ?? []) {
    if (s.system === ACT_CODE_SYSTEM && s.code !== undefined && isSensitivityLabel(s.code)) labels.add(s.code);
  }
  const codings: Coding[] = [];
  const texts: string[] = [];
  collectCodings(resource, codings, texts);
  for (const rule of lists) {
    if (labels.has(rule.label)) continue;
    if (codings.some((c) => matchesCode(rule, c))) {
      labels.add(rule.label);
      continue;
    }
    if (MEDICATION_TYPES.has(resource.resourceType) && rule.medicationIngredients && rule.medicationIngredients.length > 0) {
      const names = [...codings.map((c) => c.display ?? ''), ...texts].map((s) => s.toLowerCase());
      if (rule.medicationIngredients.some((ing) => names.some((n) => containsWord(n, ing)))) labels.add(rule.label);
    }
  }
  return labels;
}

function matchesCode(rule: CodeLists[number], c: Coding): boolean {
  if (c.code === undefined) return false;
  if (isIn(c.system, CODE_SYSTEMS.icd10cm) && rule.icd10Prefixes) {
    const code = icdKey(c.code);
    if (rule.icd10Except?.some((p) => code.startsWith(p))) return false;
    return rule.icd10Prefixes.some((p) => code.startsWith(p));
  }
  if (isIn(c.system, CODE_SYSTEMS.snomed)) return rule.snomed?.includes(c.code) ?? false;
  if (isIn(c.system, CODE_SYSTEMS.loinc)) return rule.loinc?.includes(c.code) ?? false;
  return false;
}

/**
 * The resource with its sensitivity labels in `meta.security` (added, never removed: a label a
 * source set stays). Returns the same object when nothing changes.
 */
export function withSensitivityLabels<T extends { resourceType: string; meta?: { security?: Coding[] } }>(resource: T, lists: CodeLists = DEFAULT_CODE_LISTS): T {
  const labels = classifyResource(resource as T & Record<string, unknown>, lists);
  const present = new Set((resource.meta?.security ?? []).filter((s) => s.system === ACT_CODE_SYSTEM).map((s) => s.code));
  const missing = [...labels].filter((l) => !present.has(l)).sort();
  if (missing.length === 0) return resource;
  const security = [...(resource.meta?.security ?? []), ...missing.map((code) => ({ system: ACT_CODE_SYSTEM, code, display: LABEL_DISPLAY[code] }))];
  return { ...resource, meta: { ...resource.meta, security } };
}

/** The sensitivity labels present in a resource's `meta.security`. */
export function labelsOf(resource: { meta?: { security?: Coding[] } }): Set<SensitivityLabel> {
  const out = new Set<SensitivityLabel>();
  for (const s of resource.meta?.security ?? []) if (s.system === ACT_CODE_SYSTEM && s.code !== undefined && isSensitivityLabel(s.code)) out.add(s.code);
  return out;
}
