/**
 * Procedures section (2.16.840.1.113883.10.20.22.2.7.1, entries-optional 2.7) → Procedure,
 * from Procedure Activity Procedure (4.14), Observation (4.13) and Act (4.12) in mood EVN;
 * planned ones (INT, RQO, PRP, ARQ, PRMS, APT) are not performed procedures and are skipped.
 * Mapping after https://build.fhir.org/ig/HL7/ccda-on-fhir/CF-procedures.html.
 */
import type { CodeableConcept, Procedure } from 'fhir/r4';
import { attr, child, children, type XmlElement } from '../../xml.ts';
import { codeableConcept } from '../codes.ts';
import { conceptKey, negated, statusCode } from '../common.ts';
import type { Context } from '../context.ts';
import { effective } from '../dates.ts';

function status(el: XmlElement): Procedure['status'] {
  if (negated(el)) return 'not-done';
  switch (statusCode(el)) {
    case 'completed':
      return 'completed';
    case 'active':
      return 'in-progress';
    case 'aborted':
      return 'stopped';
    case 'cancelled':
      return 'not-done';
    case 'new':
      return 'preparation';
    case 'held':
    case 'suspended':
      return 'on-hold';
    case 'nullified':
      return 'entered-in-error';
    default:
      return 'unknown';
  }
}

export function mapProcedures(ctx: Context, statements: XmlElement[]): void {
  for (const el of statements) {
    if (!['procedure', 'observation', 'act'].includes(el.name)) continue;
    const mood = attr(el, 'moodCode') ?? 'EVN';
    if (mood !== 'EVN') {
      ctx.issue('ccda-planned-procedure', `A procedure in mood ${mood} is not a performed procedure; skipped`, el, 'information');
      continue;
    }
    const code = codeableConcept(child(el, 'code'), ctx.narrative);
    if (!code) {
      ctx.issue('ccda-entry-no-code', 'Procedure has no usable code; skipped', el);
      continue;
    }
    const eff = effective(child(el, 'effectiveTime'));
    const bodySite = children(el, 'targetSiteCode')
      .map((s) => codeableConcept(s, ctx.narrative))
      .filter((s): s is CodeableConcept => s !== undefined);
    const { key, all } = ctx.factKey('Procedure', el, [conceptKey(code), eff.dateTime ?? eff.period ?? '']);
    const procedure: Procedure = {
      resourceType: 'Procedure',
      identifier: all,
      status: status(el),
      code,
      subject: ctx.patientRef,
      ...(eff.dateTime ? { performedDateTime: eff.dateTime } : {}),
      ...(eff.period ? { performedPeriod: eff.period } : {}),
      ...(bodySite.length ? { bodySite } : {}),
    };
    ctx.add(procedure, key);
  }
}
