/**
 * Allergies section (2.16.840.1.113883.10.20.22.2.6.1, entries-optional 2.6) → AllergyIntolerance.
 * Allergy Concern Act (4.30) wraps Allergy - Intolerance Observations (4.7) with Reaction (4.9),
 * Severity (4.8), Criticality (4.145) and Allergy Status (4.28) observations; mapping after
 * https://build.fhir.org/ig/HL7/ccda-on-fhir/CF-allergies.html.
 *
 * "No known allergies": C-CDA says it with negationInd="true" and a nullFlavor substance (or
 * an NKA code). It becomes one AllergyIntolerance whose code is the SNOMED "no known …
 * allergy" situation (716186003 and its drug/food/environment siblings), with no type,
 * category, criticality or reaction, which is how FHIR R4 records an asserted absence
 * (AllergyIntolerance.code, "use a code for 'no known allergy'"); it is never an allergy
 * to a substance called "no known allergies". A negated specific substance ("not allergic to
 * penicillin") keeps the substance with verificationStatus refuted.
 */
import type { AllergyIntolerance, AllergyIntoleranceReaction, CodeableConcept } from 'fhir/r4';
import { attr, child, path, type XmlElement } from '../../xml.ts';
import { codeableConcept, codeOf } from '../codes.ts';
import { authorTime, conceptKey, hasTemplate, negated, related, statusCode } from '../common.ts';
import type { Context } from '../context.ts';
import { dateTime } from '../dates.ts';

const SCT = 'http://snomed.info/sct';
const CLINICAL = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical';
const VERIFICATION = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification';

type Category = NonNullable<AllergyIntolerance['category']>[number];
/** Allergy and Intolerance Type value set (2.16.840.1.113883.3.88.12.3221.6.2). */
const TYPE: Readonly<Record<string, { type?: AllergyIntolerance['type']; category?: Category }>> = {
  '419199007': { type: 'allergy' },
  '416098002': { type: 'allergy', category: 'medication' },
  '414285001': { type: 'allergy', category: 'food' },
  '426232007': { type: 'allergy', category: 'environment' },
  '59037007': { type: 'intolerance', category: 'medication' },
  '235719002': { type: 'intolerance', category: 'food' },
  '420134006': {},
  '418038007': {},
  '419511003': { category: 'medication' },
  '418471000': { category: 'food' },
  '418634005': { type: 'allergy' },
};
const NKA_CODES = new Set(['716186003', '160244002', '409137002', '429625007', '428607008', '428197003']);
const NKA_BY_CATEGORY: Readonly<Record<string, [string, string]>> = {
  medication: ['409137002', 'No known drug allergy'],
  food: ['429625007', 'No known food allergy'],
  environment: ['428607008', 'No known environmental allergy'],
};
const SEVERITY: Readonly<Record<string, AllergyIntoleranceReaction['severity']>> = {
  '255604002': 'mild',
  '371923003': 'moderate',
  '6736007': 'moderate',
  '371924009': 'severe',
  '24484000': 'severe',
  '399166001': 'severe',
};
const CRITICALITY: Readonly<Record<string, AllergyIntolerance['criticality']>> = { CRITL: 'low', CRITH: 'high', CRITU: 'unable-to-assess' };
const STATUS_VALUE: Readonly<Record<string, string>> = { '55561003': 'active', '73425007': 'inactive', '413322009': 'resolved' };

function cc(system: string, code: string, display?: string): CodeableConcept {
  return { coding: [{ system, code, ...(display ? { display } : {}) }] };
}

function substance(ctx: Context, obs: XmlElement): CodeableConcept | undefined {
  const entity = path(obs, 'participant', 'participantRole', 'playingEntity');
  return codeableConcept(child(entity, 'code'), ctx.narrative);
}

function severityOf(obs: XmlElement | undefined): AllergyIntoleranceReaction['severity'] | undefined {
  const sev = related(obs, 'SUBJ').find((o) => hasTemplate(o, '2.16.840.1.113883.10.20.22.4.8'));
  return SEVERITY[codeOf(child(sev, 'value')) ?? ''];
}

function reactions(ctx: Context, obs: XmlElement): AllergyIntoleranceReaction[] {
  const out: AllergyIntoleranceReaction[] = [];
  for (const r of related(obs, 'MFST')) {
    if (negated(r)) continue;
    const manifestation = codeableConcept(child(r, 'value'), ctx.narrative);
    if (!manifestation) continue;
    const onset = dateTime(child(child(r, 'effectiveTime'), 'low')) ?? dateTime(child(r, 'effectiveTime'));
    const severity = severityOf(r) ?? severityOf(obs);
    out.push({ manifestation: [manifestation], ...(onset ? { onset } : {}), ...(severity ? { severity } : {}) });
  }
  return out;
}

function mapOne(ctx: Context, concern: XmlElement | undefined, obs: XmlElement): void {
  const typeInfo = TYPE[codeOf(child(obs, 'value')) ?? ''] ?? {};
  let code = substance(ctx, obs);
  const valueCode = codeOf(child(obs, 'value'));
  const substanceCode = code?.coding?.[0]?.code;
  const isNka = (negated(obs) && !code?.coding) || NKA_CODES.has(valueCode ?? '') || NKA_CODES.has(substanceCode ?? '');
  if (isNka) {
    const [nkaCode, display] = NKA_CODES.has(valueCode ?? '')
      ? [valueCode ?? '716186003', attr(child(obs, 'value'), 'displayName') ?? 'No known allergy']
      : NKA_CODES.has(substanceCode ?? '')
        ? [substanceCode ?? '716186003', 'No known allergy']
        : (NKA_BY_CATEGORY[typeInfo.category ?? ''] ?? ['716186003', 'No known allergy']);
    code = cc(SCT, nkaCode, display);
  } else if (!code) {
    ctx.issue('ccda-entry-no-code', 'Allergy observation has no usable substance code; skipped', obs);
    return;
  }
  const statusObs = related(obs, 'SUBJ').find((o) => hasTemplate(o, '2.16.840.1.113883.10.20.22.4.28'));
  let clinical = STATUS_VALUE[codeOf(child(statusObs, 'value')) ?? ''];
  if (!clinical) clinical = dateTime(child(child(obs, 'effectiveTime'), 'high')) || statusCode(concern) === 'completed' ? 'resolved' : 'active';
  const criticalityObs = related(obs, 'SUBJ').find((o) => hasTemplate(o, '2.16.840.1.113883.10.20.22.4.145'));
  const criticality = CRITICALITY[codeOf(child(criticalityObs, 'value')) ?? ''];
  const onset = dateTime(child(child(obs, 'effectiveTime'), 'low')) ?? dateTime(child(obs, 'effectiveTime'));
  const recorded = authorTime(obs) ?? authorTime(concern);
  const reaction = isNka ? [] : reactions(ctx, obs);
  const { key, all } = ctx.factKey('AllergyIntolerance', obs, [conceptKey(code), onset ?? '', isNka]);
  const allergy: AllergyIntolerance = {
    resourceType: 'AllergyIntolerance',
    identifier: all,
    clinicalStatus: cc(CLINICAL, isNka ? 'active' : clinical),
    verificationStatus: cc(VERIFICATION, negated(obs) && !isNka ? 'refuted' : 'confirmed'),
    ...(!isNka && typeInfo.type ? { type: typeInfo.type } : {}),
    ...(!isNka && typeInfo.category ? { category: [typeInfo.category] } : {}),
    ...(!isNka && criticality ? { criticality } : {}),
    code,
    patient: ctx.patientRef,
    ...(onset && !isNka ? { onsetDateTime: onset } : {}),
    ...(recorded ? { recordedDate: recorded } : {}),
    ...(reaction.length ? { reaction } : {}),
  };
  ctx.add(allergy, key);
}

export function mapAllergies(ctx: Context, statements: XmlElement[]): void {
  for (const st of statements) {
    if (st.name === 'observation') {
      mapOne(ctx, undefined, st);
      continue;
    }
    for (const obs of related(st).filter((o) => o.name === 'observation')) mapOne(ctx, st, obs);
  }
}
