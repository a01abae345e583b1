/**
 * Medications section (2.16.840.1.113883.10.20.22.2.1.1, entries-optional 2.1) →
 * MedicationStatement, from Medication Activity (4.16); mapping after
 * https://build.fhir.org/ig/HL7/ccda-on-fhir/CF-medications.html.
 *
 * Why MedicationStatement and not MedicationRequest: a received C-CDA medication list says
 * what another organisation recorded the patient as taking (moodCode EVN) or intending to take
 * (INT). Filing it as MedicationRequest would assert an order that authorises dispensing,
 * with a requester we do not have. MedicationStatement carries exactly "is/was/will be taking",
 * including 'intended' for INT and 'not-taken' for negationInd.
 */
import type { Dosage, MedicationStatement, Timing } from 'fhir/r4';
import { attr, child, children, path, xsiType, type XmlElement } from '../../xml.ts';
import { codeableConcept } from '../codes.ts';
import { authorTime, conceptKey, entryText, negated, quantity, statusCode } from '../common.ts';
import type { Context } from '../context.ts';
import { period } from '../dates.ts';

const UNIT_OF_TIME: Readonly<Record<string, NonNullable<Timing['repeat']>['periodUnit']>> = { s: 's', min: 'min', h: 'h', d: 'd', wk: 'wk', mo: 'mo', a: 'a' };

function status(sa: XmlElement): MedicationStatement['status'] {
  if (negated(sa)) return 'not-taken';
  if (attr(sa, 'moodCode') === 'INT') return 'intended';
  switch (statusCode(sa)) {
    case 'completed':
      return 'completed';
    case 'active':
      return 'active';
    case 'aborted':
      return 'stopped';
    case 'suspended':
    case 'held':
      return 'on-hold';
    case 'nullified':
      return 'entered-in-error';
    case 'cancelled':
      return 'not-taken';
    default:
      return 'unknown';
  }
}

/** PIVL_TS (frequency) among the effectiveTime elements → Timing.repeat. */
function timing(sa: XmlElement): Timing | undefined {
  const pivl = children(sa, 'effectiveTime').find((e) => xsiType(e) === 'PIVL_TS');
  const p = child(pivl, 'period');
  const value = Number(attr(p, 'value'));
  const unit = UNIT_OF_TIME[attr(p, 'unit') ?? ''];
  if (!p || !Number.isFinite(value) || value <= 0 || !unit) return undefined;
  return { repeat: { frequency: 1, period: value, periodUnit: unit } };
}

function dosage(ctx: Context, sa: XmlElement): Dosage | undefined {
  const dose = child(sa, 'doseQuantity');
  const q = quantity(dose);
  const route = codeableConcept(child(sa, 'routeCode'), ctx.narrative);
  const site = codeableConcept(child(sa, 'approachSiteCode'), ctx.narrative);
  const t = timing(sa);
  const text = entryText(sa, ctx.narrative);
  const d: Dosage = {
    ...(text ? { text } : {}),
    ...(t ? { timing: t } : {}),
    ...(site ? { site } : {}),
    ...(route ? { route } : {}),
    ...(q ? { doseAndRate: [{ doseQuantity: q }] } : {}),
  };
  return Object.keys(d).length ? d : undefined;
}

export function mapMedications(ctx: Context, statements: XmlElement[]): void {
  for (const sa of statements) {
    if (sa.name !== 'substanceAdministration') continue;
    const material = path(sa, 'consumable', 'manufacturedProduct', 'manufacturedMaterial');
    const medication = codeableConcept(child(material, 'code'), ctx.narrative) ?? (() => {
      const name = child(material, 'name');
      const text = name ? name.nodes.filter((n): n is string => typeof n === 'string').join('').trim() : '';
      return text ? { text } : undefined;
    })();
    if (!medication) {
      ctx.issue('ccda-entry-no-code', 'Medication activity has no usable drug code or name; skipped', sa);
      continue;
    }
    const effective = period(children(sa, 'effectiveTime').find((e) => xsiType(e) !== 'PIVL_TS' && xsiType(e) !== 'EIVL_TS'));
    const asserted = authorTime(sa);
    const d = dosage(ctx, sa);
    const { key, all } = ctx.factKey('MedicationStatement', sa, [conceptKey(medication), effective?.start ?? '', effective?.end ?? '']);
    const statement: MedicationStatement = {
      resourceType: 'MedicationStatement',
      identifier: all,
      status: status(sa),
      medicationCodeableConcept: medication,
      subject: ctx.patientRef,
      ...(effective ? { effectivePeriod: effective } : {}),
      ...(asserted ? { dateAsserted: asserted } : {}),
      ...(d ? { dosage: [d] } : {}),
    };
    ctx.add(statement, key);
  }
}
