/**
 * Problems section (2.16.840.1.113883.10.20.22.2.5.1, entries-optional 2.5) → Condition.
 * Problem Concern Act (4.3) wraps Problem Observations (4.4); mapping after
 * https://build.fhir.org/ig/HL7/ccda-on-fhir/CF-problems.html.
 */
import type { CodeableConcept, Condition } from 'fhir/r4';
import { attr, child, type XmlElement } from '../../xml.ts';
import { codeableConcept, codeOf } from '../codes.ts';
import { authorTime, conceptKey, hasTemplate, negated, related, statusCode } from '../common.ts';
import type { Context } from '../context.ts';
import { dateTime } from '../dates.ts';

const CLINICAL = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
const VERIFICATION = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';
/** SNOMED problem status values (Problem Status 4.6): active, inactive, resolved. */
const STATUS_VALUE: Readonly<Record<string, string>> = { '55561003': 'active', '73425007': 'inactive', '413322009': 'resolved' };
/** Generic "Problem" / "no known problems" codes: a negated one means "no problems", not a condition. */
const NO_PROBLEM_CODES = new Set(['55607006', '160245001', '64572001', '404684003']);

function clinicalStatus(concern: XmlElement | undefined, obs: XmlElement): string {
  const statusObs = related(obs, 'REFR').find((o) => hasTemplate(o, '2.16.840.1.113883.10.20.22.4.6'));
  const fromObs = STATUS_VALUE[codeOf(child(statusObs, 'value')) ?? ''];
  if (fromObs) return fromObs;
  // No explicit status: an end date means resolved (C-CDA on FHIR guidance), else the concern's status.
  if (dateTime(child(child(obs, 'effectiveTime'), 'high'))) return 'resolved';
  const concernStatus = statusCode(concern);
  if (concernStatus === 'completed') return 'resolved';
  if (concernStatus === 'suspended') return 'inactive';
  return 'active';
}

function cc(system: string, code: string): CodeableConcept {
  return { coding: [{ system, code }] };
}

export function mapProblems(ctx: Context, statements: XmlElement[]): void {
  for (const st of statements) {
    const concern = st.name === 'act' ? st : undefined;
    const observations = concern ? related(concern).filter((o) => o.name === 'observation') : st.name === 'observation' ? [st] : [];
    for (const obs of observations) {
      const code = codeableConcept(child(obs, 'value'), ctx.narrative);
      const valueCode = codeOf(child(obs, 'value'));
      if (negated(obs) && (!code || (valueCode !== undefined && NO_PROBLEM_CODES.has(valueCode)))) {
        ctx.issue('ccda-no-known-problems', 'A negated generic problem ("no known problems") was not turned into a Condition', obs, 'information');
        continue;
      }
      if (!code) {
        ctx.issue('ccda-entry-no-code', 'Problem observation has no usable code (nullFlavor without translation or text); skipped', obs);
        continue;
      }
      const onset = dateTime(child(child(obs, 'effectiveTime'), 'low')) ?? dateTime(child(obs, 'effectiveTime'));
      const abatement = dateTime(child(child(obs, 'effectiveTime'), 'high'));
      const recorded = authorTime(obs) ?? authorTime(concern);
      const { key, all } = ctx.factKey('Condition', obs, [conceptKey(code), onset ?? '', abatement ?? '']);
      const status = clinicalStatus(concern, obs);
      const condition: Condition = {
        resourceType: 'Condition',
        identifier: all,
        clinicalStatus: cc(CLINICAL, status),
        // negationInd on a specific problem means "the patient does not have it" (C-CDA R2.1 §3.88).
        verificationStatus: cc(VERIFICATION, negated(obs) ? 'refuted' : 'confirmed'),
        category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item', display: 'Problem List Item' }] }],
        code,
        subject: ctx.patientRef,
        ...(onset ? { onsetDateTime: onset } : {}),
        ...(abatement && status !== 'active' ? { abatementDateTime: abatement } : {}),
        ...(recorded ? { recordedDate: recorded } : {}),
      };
      if (attr(obs, 'moodCode') && attr(obs, 'moodCode') !== 'EVN') continue;
      ctx.add(condition, key);
    }
  }
}
