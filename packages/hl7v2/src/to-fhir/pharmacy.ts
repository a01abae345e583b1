/**
 * Pharmacy orders and administrations: RDE^O11 → MedicationRequest
 * (https://build.fhir.org/ig/HL7/v2-to-fhir/ConceptMap-message-rde-o11-to-bundle.html,
 * ConceptMap-segment-rxe-to-medicationrequest.html) and RAS^O17 → MedicationAdministration
 * (ConceptMap-segment-rxa-to-medicationadministration.html). Keyed on the order numbers (ORC-2/3).
 */
import type { Dosage, Identifier, MedicationAdministration, MedicationRequest } from 'fhir/r4';
import type { Hl7Segment } from '../message.ts';
import { type MappingContext, derivedSystem } from './context.ts';
import { eiToIdentifier, toCodeableConcept, toDateTime, xcnToReference } from './datatypes.ts';
import { addEncounter, missing } from './adt.ts';
import { addPatient, type MappedPatient } from './patient.ts';
import { COMPLETION_STATUS, ORDER_CONTROL_STATUS, ORDER_STATUS } from './tables.ts';

function orderIds(ctx: MappingContext, orc: Hl7Segment | undefined): Identifier[] {
  if (!orc) return [];
  const base = ctx.options.sourceSystem;
  return [eiToIdentifier(orc.field(2), base, 'placer-order', 'PLAC'), eiToIdentifier(orc.field(3), base, 'filler-order', 'FILL')].filter((x) => x !== undefined);
}

function dosage(rxe: Hl7Segment, tq1: Hl7Segment | undefined, rxr: Hl7Segment | undefined): Dosage {
  const d: Dosage = {};
  const amount = rxe.get(3);
  const unit = rxe.field(5);
  if (/^\d+(\.\d+)?$/.test(amount)) d.doseAndRate = [{ doseQuantity: { value: Number(amount), ...(unit.get(1) ? { unit: unit.get(2) || unit.get(1) } : {}), ...(unit.get(3).toUpperCase() === 'UCUM' ? { system: 'http://unitsofmeasure.org', code: unit.get(1) } : {}) } }];
  // Timing: TQ1-3 repeat pattern (v2.5+) or RXE-1 TQ.2 interval (v2.3/2.4), e.g. Q6H, BID.
  const pattern = tq1?.get(3, 1) || rxe.get(1, 2, 1) || rxe.get(1, 2);
  if (pattern) d.timing = { code: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0335', code: pattern }], text: pattern } };
  if (rxr) {
    const route = toCodeableConcept(rxr.field(1));
    if (route) d.route = route;
  }
  const text = rxe.repetitions(7).map((r) => r.get(2) || r.get(1)).filter((t) => t).join('; ');
  if (text) d.text = text;
  return d;
}

export function mapRde(ctx: MappingContext): void {
  const msg = ctx.msg;
  const pid = msg.segment('PID');
  if (!pid) throw missing('PID');
  const patient = addPatient(ctx, pid);
  const pv1 = msg.segment('PV1');
  const encounter = pv1 ? addEncounter(ctx, pv1, patient, 'in-progress') : undefined;
  const segs = msg.segments;
  let orc: Hl7Segment | undefined;
  let tq1: Hl7Segment | undefined;
  let count = 0;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i] as Hl7Segment;
    if (seg.name === 'ORC') {
      orc = seg;
      tq1 = undefined;
    }
    if (seg.name === 'TQ1') tq1 = seg;
    if (seg.name !== 'RXE') continue;
    const rxr = segs.slice(i + 1).find((s) => s.name === 'RXR' || s.name === 'ORC');
    const statusCode = orc?.get(5) ?? '';
    const status = ORDER_STATUS[statusCode] ?? ORDER_CONTROL_STATUS[orc?.get(1) ?? ''] ?? 'active';
    const ids = orderIds(ctx, orc);
    const req: MedicationRequest = {
      resourceType: 'MedicationRequest',
      status,
      intent: 'order',
      medicationCodeableConcept: toCodeableConcept(seg.field(2)) ?? { text: 'unknown' },
      subject: patient.reference,
    };
    if (ids.length > 0) req.identifier = ids;
    if (encounter) req.encounter = { reference: encounter };
    const authored = toDateTime(orc?.get(9) ?? '', ctx.options.defaultTimezone);
    if (authored) req.authoredOn = authored;
    const requester = orc ? xcnToReference(orc.field(12), ctx.options.sourceSystem) : undefined;
    if (requester) req.requester = requester;
    req.dosageInstruction = [dosage(seg, tq1, rxr?.name === 'RXR' ? rxr : undefined)];
    const dispense = seg.get(10);
    const refills = seg.get(12);
    if (/^\d+(\.\d+)?$/.test(dispense) || /^\d+$/.test(refills)) {
      req.dispenseRequest = {};
      if (/^\d+(\.\d+)?$/.test(dispense)) req.dispenseRequest.quantity = { value: Number(dispense), ...(seg.get(11) ? { unit: seg.get(11, 2) || seg.get(11) } : {}) };
      if (/^\d+$/.test(refills)) req.dispenseRequest.numberOfRepeatsAllowed = Number(refills);
    }
    ctx.add(req, ids.find((x) => x.type?.coding?.[0]?.code === 'PLAC') ?? ids[0]);
    count++;
  }
  if (count === 0) throw missing('RXE');
}

export function mapRas(ctx: MappingContext): void {
  const msg = ctx.msg;
  const pid = msg.segment('PID');
  if (!pid) throw missing('PID');
  const patient: MappedPatient = addPatient(ctx, pid);
  const segs = msg.segments;
  let orc: Hl7Segment | undefined;
  let count = 0;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i] as Hl7Segment;
    if (seg.name === 'ORC') orc = seg;
    if (seg.name !== 'RXA') continue;
    const completion = seg.get(20).toUpperCase();
    const when = toDateTime(seg.get(3), ctx.options.defaultTimezone);
    const admin: MedicationAdministration = {
      resourceType: 'MedicationAdministration',
      status: seg.get(21).toUpperCase() === 'D' ? 'entered-in-error' : (COMPLETION_STATUS[completion] ?? 'completed'),
      medicationCodeableConcept: toCodeableConcept(seg.field(5)) ?? { text: 'unknown' },
      subject: patient.reference,
      effectiveDateTime: when || ctx.options.now || new Date().toISOString(),
    };
    if (!when) ctx.warn(`RXA-3 "${seg.get(3)}" is not a usable date/time`, { segment: 'RXA', field: 3, line: seg.line });
    const amount = seg.get(6);
    if (/^\d+(\.\d+)?$/.test(amount) && amount !== '999') admin.dosage = { dose: { value: Number(amount), ...(seg.get(7) ? { unit: seg.get(7, 2) || seg.get(7) } : {}) } };
    const ids = orderIds(ctx, orc);
    const order = ids[0];
    // One order has many administrations: RXA-1/RXA-2 (give / administration sub-ids) tell them apart.
    const key = order ? { system: derivedSystem(order.system ?? ctx.options.sourceSystem, 'administration'), value: `${order.value}|${seg.get(1)}|${seg.get(2)}` } : undefined;
    if (key) admin.identifier = [key];
    ctx.add(admin, key);
    count++;
  }
  if (count === 0) throw missing('RXA');
}
