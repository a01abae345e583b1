/**
 * Encounters section (2.16.840.1.113883.10.20.22.2.22.1, entries-optional 2.22) → Encounter,
 * from Encounter Activity (4.49); mapping after
 * https://build.fhir.org/ig/HL7/ccda-on-fhir/CF-encounters.html.
 * Encounter.class (1..1) comes from a v3 ActCode code or translation (AMB, IMP, EMER, …);
 * C-CDA usually codes encounters with CPT, which has no class, so then we say "unknown"
 * with the v3 NullFlavor UNK (allowed by the extensible binding) instead of guessing.
 */
import type { Coding, Encounter } from 'fhir/r4';
import { attr, child, children, type XmlElement } from '../../xml.ts';
import { codeableConcept } from '../codes.ts';
import { conceptKey, statusCode } from '../common.ts';
import type { Context } from '../context.ts';
import { period } from '../dates.ts';

const ACT_CODE_OID = '2.16.840.1.113883.5.4';
const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

function encounterClass(el: XmlElement): Coding {
  const code = child(el, 'code');
  for (const c of [code, ...children(code, 'translation')]) {
    const v = attr(c, 'code');
    if (v && attr(c, 'codeSystem') === ACT_CODE_OID) return { system: ACT_CODE, code: v, ...(attr(c, 'displayName') ? { display: attr(c, 'displayName') } : {}) };
  }
  return { system: 'http://terminology.hl7.org/CodeSystem/v3-NullFlavor', code: 'UNK', display: 'unknown' };
}

function status(el: XmlElement, end: string | undefined): Encounter['status'] {
  switch (statusCode(el)) {
    case 'completed':
      return 'finished';
    case 'active':
      return 'in-progress';
    case 'cancelled':
    case 'aborted':
      return 'cancelled';
    case 'nullified':
      return 'entered-in-error';
    default:
      // An Encounter Activity is mood EVN: it happened. With an end date it is finished.
      return end ? 'finished' : 'unknown';
  }
}

export function mapEncounters(ctx: Context, statements: XmlElement[]): void {
  for (const el of statements) {
    if (el.name !== 'encounter') continue;
    if ((attr(el, 'moodCode') ?? 'EVN') !== 'EVN') continue;
    const type = codeableConcept(child(el, 'code'), ctx.narrative);
    const p = period(child(el, 'effectiveTime'));
    if (!type && !p) {
      ctx.issue('ccda-entry-no-code', 'Encounter has neither a usable code nor a time; skipped', el);
      continue;
    }
    const { key, all } = ctx.factKey('Encounter', el, [conceptKey(type), p ?? '']);
    const encounter: Encounter = {
      resourceType: 'Encounter',
      identifier: all,
      status: status(el, p?.end),
      class: encounterClass(el),
      ...(type ? { type: [type] } : {}),
      subject: ctx.patientRef,
      ...(p ? { period: p } : {}),
    };
    ctx.add(encounter, key);
  }
}
