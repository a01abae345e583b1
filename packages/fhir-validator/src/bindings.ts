/**
 * Required bindings (https://hl7.org/fhir/R4/terminologies.html#required): the code SHALL be
 * in the bound value set. Only value sets expandable from the spec's own definitions are in
 * the model (see value-set-expansion.ts); other bindings are not checked here.
 * - code / string / uri: the value must be one of the value set's codes
 * - Coding: system and code must be in the value set
 * - CodeableConcept: at least one coding must be in the value set
 */
import type { IssueList } from './issues.ts';
import type { ValueSetIndex } from './model-runtime.ts';
import { quote } from './primitives.ts';

type Json = Record<string, unknown>;

export function checkCodeBinding(value: string, vs: ValueSetIndex, path: string, issues: IssueList): void {
  if (!vs.codes.has(value)) {
    issues.error('code-invalid', `The code ${quote(value)} is not in the required value set ${vs.url}`, path);
  }
}

function codingInValueSet(coding: Json, vs: ValueSetIndex): boolean {
  const { system, code } = coding;
  if (typeof code !== 'string') return false;
  // A coding without a system cannot be checked reliably; accept a code the value set knows.
  if (typeof system !== 'string') return vs.codes.has(code);
  return vs.bySystem.get(system)?.has(code) ?? false;
}

function describeCoding(coding: Json): string {
  const system = typeof coding.system === 'string' ? coding.system : '(no system)';
  const code = typeof coding.code === 'string' ? coding.code : '(no code)';
  return quote(`${system}#${code}`);
}

export function checkCodingBinding(coding: Json, vs: ValueSetIndex, path: string, issues: IssueList): void {
  if (typeof coding.code !== 'string') {
    issues.error('code-invalid', `No code provided, and a code is required from the value set ${vs.url}`, path);
  } else if (!codingInValueSet(coding, vs)) {
    issues.error('code-invalid', `The coding ${describeCoding(coding)} is not in the required value set ${vs.url}`, path);
  }
}

export function checkCodeableConceptBinding(cc: Json, vs: ValueSetIndex, path: string, issues: IssueList): void {
  const codings = Array.isArray(cc.coding) ? (cc.coding as unknown[]).filter((c): c is Json => !!c && typeof c === 'object') : [];
  if (codings.length === 0) {
    issues.error('code-invalid', `No code provided, and a code is required from the value set ${vs.url}`, path);
    return;
  }
  if (!codings.some((c) => codingInValueSet(c, vs))) {
    issues.error('code-invalid', `None of the codings provided are in the required value set ${vs.url}`, path);
  }
}
