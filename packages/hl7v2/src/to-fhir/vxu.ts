/**
 * VXU^V04 → Immunization per RXA (https://build.fhir.org/ig/HL7/v2-to-fhir/ConceptMap-message-vxu-v04-to-bundle.html,
 * ConceptMap-segment-rxa-to-immunization.html), with the CDC IIS conventions: RXA-6 = 999 means
 * "amount unknown", RXA-20 RE = refused (reason RXA-18), NA = not administered, RXA-21 D = deleted.
 */
import type { Identifier, Immunization } from 'fhir/r4';
import type { Hl7Segment } from '../message.ts';
import { type MappingContext, derivedSystem } from './context.ts';
import { eiToIdentifier, toCodeableConcept, toDate, toDateTime, xcnToReference } from './datatypes.ts';
import { missing } from './adt.ts';
import { addPatient, type MappedPatient } from './patient.ts';
import { COMPLETION_STATUS } from './tables.ts';

function immunization(ctx: MappingContext, rxa: Hl7Segment, orc: Hl7Segment | undefined, rxr: Hl7Segment | undefined, patient: MappedPatient): { resource: Immunization; key?: Identifier } {
  const tz = ctx.options.defaultTimezone;
  const base = ctx.options.sourceSystem;
  const completion = rxa.get(20).toUpperCase();
  let status: Immunization['status'] = COMPLETION_STATUS[completion] ?? 'completed';
  if (rxa.get(21).toUpperCase() === 'D') status = 'entered-in-error';
  const vaccineCode = toCodeableConcept(rxa.field(5)) ?? { text: 'unknown' };
  const occurrence = toDateTime(rxa.get(3), tz);
  // occurrence[x] is required: an unreadable RXA-3 is kept as text rather than guessed.
  const imm: Immunization = { resourceType: 'Immunization', status, vaccineCode, patient: patient.reference, ...(occurrence ? { occurrenceDateTime: occurrence } : { occurrenceString: rxa.get(3) || 'unknown' }) };
  if (occurrence === null) ctx.warn(`RXA-3 "${rxa.get(3)}" is not a valid date/time`, { segment: 'RXA', field: 3, line: rxa.line });
  if (completion === 'PA') imm.isSubpotent = true;
  if (status === 'not-done') {
    imm.statusReason = toCodeableConcept(rxa.field(18)) ?? { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: completion === 'RE' ? 'PATOBJ' : 'MEDPREC' }] };
  }
  const amount = rxa.get(6);
  if (amount && amount !== '999' && /^\d+(\.\d+)?$/.test(amount)) {
    const unit = rxa.field(7);
    imm.doseQuantity = { value: Number(amount), ...(unit.get(1) ? { unit: unit.get(2) || unit.get(1), ...(unit.get(3).toUpperCase() === 'UCUM' ? { system: 'http://unitsofmeasure.org', code: unit.get(1) } : {}) } : {}) };
  }
  // RXA-9 (NIP001): 00 = new record (primary source), 01 = historical.
  const source = rxa.get(9);
  if (source) imm.primarySource = source === '00';
  const lot = rxa.get(15);
  if (lot) imm.lotNumber = lot;
  const exp = toDate(rxa.get(16));
  if (exp) imm.expirationDate = exp;
  const mvx = rxa.field(17);
  if (!mvx.isEmpty) imm.manufacturer = { display: mvx.get(2) || mvx.get(1), ...(mvx.get(1) ? { identifier: { system: 'http://hl7.org/fhir/sid/mvx', value: mvx.get(1) } } : {}) };
  const performer = xcnToReference(rxa.field(10), base);
  if (performer) imm.performer = [{ function: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0443', code: 'AP' }] }, actor: performer }];
  if (rxr) {
    const route = toCodeableConcept(rxr.field(1));
    if (route) imm.route = route;
    const site = toCodeableConcept(rxr.field(2));
    if (site) imm.site = site;
  }
  const key = (orc && (eiToIdentifier(orc.field(3), base, 'filler-order', 'FILL') ?? eiToIdentifier(orc.field(2), base, 'placer-order', 'PLAC'))) || derivedKey(ctx, patient, rxa);
  if (key) imm.identifier = [key];
  return { resource: imm, ...(key ? { key } : {}) };
}

/** Without an order number, patient + vaccine + date identify a dose well enough to make a resend idempotent. */
function derivedKey(ctx: MappingContext, patient: MappedPatient, rxa: Hl7Segment): Identifier | undefined {
  if (!patient.key?.value || !rxa.get(3) || !rxa.get(5)) return undefined;
  return { system: derivedSystem(ctx.options.sourceSystem, 'immunization'), value: `${patient.key.value}|${rxa.get(5)}|${rxa.get(3).slice(0, 8)}` };
}

export function mapVxu(ctx: MappingContext): void {
  const pid = ctx.msg.segment('PID');
  if (!pid) throw missing('PID');
  const patient = addPatient(ctx, pid);
  const segs = ctx.msg.segments;
  let orc: Hl7Segment | undefined;
  let count = 0;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i] as Hl7Segment;
    if (seg.name === 'ORC') orc = seg;
    if (seg.name !== 'RXA') continue;
    const next = segs[i + 1];
    const { resource, key } = immunization(ctx, seg, orc, next?.name === 'RXR' ? next : undefined, patient);
    ctx.add(resource, key);
    count++;
  }
  if (count === 0) ctx.warn('VXU without RXA: only the Patient is updated', { segment: 'RXA' }, 100);
}
