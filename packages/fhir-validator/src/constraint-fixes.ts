/**
 * Which base-spec invariants are evaluated with FHIRPath, and the corrections the HL7
 * validator applies to a few R4 (4.0.1) expressions that were published wrong (tracked for
 * 4.0.2). Without them valid resources fail, e.g. bdl-8 on an entry without fullUrl.
 */

/**
 * Invariants checked natively by the walker instead of FHIRPath (cheaper, and the R4
 * expressions of some use functions fhirpath.js cannot evaluate):
 * - ele-1 (every element has a value or children): structural, see walker.ts
 * - ext-1 (extension has value[x] xor extension): structural, see walker.ts
 * - dom-2..dom-6 (contained resource rules, narrative presence): see contained.ts
 * - txt-1, txt-2 (htmlChecks() on Narrative.div): see narrative.ts
 * - ref-1 (local reference resolves to a contained resource): see contained.ts
 */
export const NATIVE_CONSTRAINTS: ReadonlySet<string> = new Set([
  'ele-1',
  'ext-1',
  'dom-2',
  'dom-3',
  'dom-4',
  'dom-5',
  'dom-6',
  'txt-1',
  'txt-2',
  'ref-1',
]);

/**
 * Exact R4 expressions replaced by their corrected form (same corrections as the HL7 Java
 * validator's expression fixer; the intent of each invariant is unchanged).
 */
const EXPRESSION_FIXES: ReadonlyMap<string, string> = new Map([
  // ras-2: a probability given as a Range must not make the invariant fail
  [
    'probability is decimal implies (probability as decimal) <= 100',
    'probability.empty() or ((probability is decimal) implies ((probability as decimal) <= 100))',
  ],
  // que-12: enableBehavior is needed as soon as there are two conditions, not three
  ['enableWhen.count() > 2 implies enableBehavior.exists()', 'enableWhen.count() >= 2 implies enableBehavior.exists()'],
  // bdl-8: an entry without fullUrl must not fail
  ["fullUrl.contains('/_history/').not()", "fullUrl.exists() implies fullUrl.contains('/_history/').not()"],
  // xxx-0 name rules: FHIRPath matches() is a partial match, the rule is about the whole name
  ["name.matches('[A-Z]([A-Za-z0-9_]){0,254}')", "name.exists() implies name.matches('^[A-Z]([A-Za-z0-9_]){0,254}$')"],
  // obs-6 before the 4.0.1 technical correction
  [
    '(component.empty() and hasMember.empty()) implies (dataAbsentReason or value)',
    '(component.empty() and hasMember.empty()) implies (dataAbsentReason.exists() or value.exists())',
  ],
  // eld-14 style boolean used as a collection
  ['isModifier implies isModifierReason.exists()', '(isModifier.exists() and isModifier) implies isModifierReason.exists()'],
  // sdf-16 / sdf-17: all(id) is not a boolean test
  [
    "differential.element.all(id) and differential.element.id.trace('ids').isDistinct()",
    "differential.element.all(id.exists()) and differential.element.id.trace('ids').isDistinct()",
  ],
  [
    "snapshot.element.all(id) and snapshot.element.id.trace('ids').isDistinct()",
    "snapshot.element.all(id.exists()) and snapshot.element.id.trace('ids').isDistinct()",
  ],
]);

/**
 * eld-16/19/20 use Java regex escapes (\@, \', \:, a lone ]) that are syntax errors in the
 * Unicode-mode RegExp fhirpath.js builds, and matches() is a partial match; these are the
 * same patterns, anchored, in the portable subset.
 */
const KEY_FIXES: ReadonlyMap<string, string> = new Map([
  ['eld-16', "sliceName.empty() or sliceName.matches('^[a-zA-Z0-9\\\\/\\\\-_\\\\[\\\\]@]+$')"],
  [
    'eld-19',
    "path.matches('^[^\\\\s.,:;\\'\"/|?!@#$%&*()\\\\[\\\\]{}]{1,64}(\\\\.[^\\\\s.,:;\\'\"/|?!@#$%&*()\\\\[\\\\]{}]{1,64}(\\\\[x\\\\])?(:[^\\\\s.]+)?)*$')",
  ],
  ['eld-20', "path.matches('^[A-Za-z][A-Za-z0-9]*(\\\\.[a-z][A-Za-z0-9]*(\\\\[x\\\\])?)*$')"],
]);

/** Returns the expression to evaluate for an invariant. */
export function fixExpression(key: string, expression: string): string {
  return KEY_FIXES.get(key) ?? EXPRESSION_FIXES.get(expression) ?? expression;
}
