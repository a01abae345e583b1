/**
 * Immunizations section (2.16.840.1.113883.10.20.22.2.2.1, entries-optional 2.2) → Immunization,
 * from Immunization Activity (4.52); mapping after
 * https://build.fhir.org/ig/HL7/ccda-on-fhir/CF-immunizations.html.
 * negationInd="true" means the vaccine was not given: status not-done, with the Immunization
 * Refusal Reason (4.53) as statusReason. moodCode INT (a plan) is not an Immunization and is skipped.
 */
import type { Immunization } from 'fhir/r4';
import { attr, child, path, textContent, type XmlElement } from '../../xml.ts';
import { codeableConcept } from '../codes.ts';
import { authorTime, conceptKey, hasTemplate, negated, quantity, related, statusCode } from '../common.ts';
import type { Context } from '../context.ts';
import { pointInTime } from '../dates.ts';

export function mapImmunizations(ctx: Context, statements: XmlElement[]): void {
  for (const sa of statements) {
    if (sa.name !== 'substanceAdministration') continue;
    if (attr(sa, 'moodCode') === 'INT') {
      ctx.issue('ccda-planned-immunization', 'A planned immunization (moodCode INT) is not an administered Immunization; skipped', sa, 'information');
      continue;
    }
    const material = path(sa, 'consumable', 'manufacturedProduct', 'manufacturedMaterial');
    const vaccineCode = codeableConcept(child(material, 'code'), ctx.narrative);
    if (!vaccineCode) {
      ctx.issue('ccda-entry-no-code', 'Immunization activity has no usable vaccine code; skipped', sa);
      continue;
    }
    const notDone = negated(sa) || ['aborted', 'cancelled'].includes(statusCode(sa) ?? '');
    const occurrence = pointInTime(child(sa, 'effectiveTime'));
    const refusal = related(sa, 'RSON').find((o) => hasTemplate(o, '2.16.840.1.113883.10.20.22.4.53')) ?? related(sa, 'RSON')[0];
    const statusReason = notDone ? codeableConcept(child(refusal, 'code'), ctx.narrative) : undefined;
    const lot = textContent(child(material, 'lotNumberText'));
    const manufacturer = textContent(path(sa, 'consumable', 'manufacturedProduct', 'manufacturerOrganization', 'name'));
    const route = codeableConcept(child(sa, 'routeCode'), ctx.narrative);
    const site = codeableConcept(child(sa, 'approachSiteCode'), ctx.narrative);
    const dose = quantity(child(sa, 'doseQuantity'));
    const recorded = authorTime(sa);
    const { key, all } = ctx.factKey('Immunization', sa, [conceptKey(vaccineCode), occurrence ?? '', notDone]);
    if (!occurrence) ctx.issue('ccda-immunization-no-date', 'Immunization has no date; occurrenceString "unknown" used', sa, 'information');
    const immunization: Immunization = {
      resourceType: 'Immunization',
      identifier: all,
      status: notDone ? 'not-done' : 'completed',
      ...(statusReason ? { statusReason } : {}),
      vaccineCode,
      patient: ctx.patientRef,
      ...(occurrence ? { occurrenceDateTime: occurrence } : { occurrenceString: 'unknown' }),
      ...(recorded ? { recorded } : {}),
      // primarySource: C-CDA 4.52 has no flag; a reported (non-primary) dose is usually marked
      // by an informant participation, which we do not interpret yet.
      ...(manufacturer ? { manufacturer: { display: manufacturer } } : {}),
      ...(lot ? { lotNumber: lot } : {}),
      ...(site ? { site } : {}),
      ...(route ? { route } : {}),
      ...(dose ? { doseQuantity: dose } : {}),
    };
    ctx.add(immunization, key);
  }
}
