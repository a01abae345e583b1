/**
 * ADT events → Patient (+ Encounter from PV1), after the v2-to-FHIR message maps
 * (https://build.fhir.org/ig/HL7/v2-to-fhir/ConceptMap-message-adt-a01-to-bundle.html and its
 * siblings) and PV1 → Encounter (ConceptMap-segment-pv1-to-encounter.html). A40 becomes a merge
 * instruction (ConceptMap-message-adt-a40-to-bundle.html): the server links or retires the
 * merged record, which this pure mapper cannot do.
 */
import type { Encounter, EncounterParticipant, Identifier, Reference } from 'fhir/r4';
import { HL7_ERROR, Hl7MappingError } from '../errors.ts';
import type { Hl7Segment } from '../message.ts';
import { type MappingContext, type MergeInstruction, conditionalUrl, derivedSystem } from './context.ts';
import { cxToIdentifier, hdSystem, tableConcept, toCodeableConcept, toDateTime, xcnToReference } from './datatypes.ts';
import { addPatient, type MappedPatient } from './patient.ts';
import { PATIENT_CLASS } from './tables.ts';

type EncounterStatus = Encounter['status'];

/** Encounter status set by each trigger; undefined = derived from PV1 (A08) or no Encounter (person-only events). */
const EVENT_STATUS: Record<string, EncounterStatus | 'derive' | 'none'> = {
  A01: 'in-progress',
  A02: 'in-progress',
  A03: 'finished',
  A04: 'arrived',
  A05: 'planned',
  A08: 'derive',
  // A11 cancels the admit/visit; A13 cancels the discharge, so the visit is in progress again.
  A11: 'cancelled',
  A13: 'in-progress',
  A28: 'none',
  A31: 'none',
};

export const ADT_TRIGGERS = new Set([...Object.keys(EVENT_STATUS), 'A40']);

function deriveStatus(pv1: Hl7Segment): EncounterStatus {
  if (pv1.get(45)) return 'finished';
  if (pv1.get(44)) return 'in-progress';
  return 'unknown';
}

function location(pv1: Hl7Segment, field: number): string {
  const pl = pv1.field(field);
  return [pl.get(4), pl.get(1), pl.get(2), pl.get(3)].filter((p) => p).join(' ');
}

export function pv1ToEncounter(ctx: MappingContext, pv1: Hl7Segment, patient: Reference, status: EncounterStatus): { resource: Encounter; key?: Identifier } {
  const base = ctx.options.sourceSystem;
  const cls = pv1.get(2);
  const mapped = PATIENT_CLASS[cls];
  const enc: Encounter = {
    resourceType: 'Encounter',
    status,
    class: mapped
      ? { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: mapped.code, display: mapped.display }
      : cls
        ? { system: 'http://terminology.hl7.org/CodeSystem/v2-0004', code: cls }
        : { system: 'http://terminology.hl7.org/CodeSystem/v3-NullFlavor', code: 'UNK' },
    subject: patient,
  };
  const visit = pv1.field(19);
  const key = visit.isEmpty ? undefined : cxToIdentifier(visit, base);
  if (key) {
    // Without an ISO assigning authority PV1-19 gets a system of its own: the source's patient system would make visit numbers and MRNs collide.
    if (!hdSystem(visit.get(4, 2), visit.get(4, 3))) key.system = derivedSystem(base, 'visit-number');
    key.type = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'VN' }] };
    enc.identifier = [key];
  }
  const start = toDateTime(pv1.get(44), ctx.options.defaultTimezone);
  const end = toDateTime(pv1.get(45), ctx.options.defaultTimezone);
  if (start === null) ctx.warn(`PV1-44 "${pv1.get(44)}" is not a valid date/time`, { segment: 'PV1', field: 44, line: pv1.line });
  if (end === null) ctx.warn(`PV1-45 "${pv1.get(45)}" is not a valid date/time`, { segment: 'PV1', field: 45, line: pv1.line });
  if (start || end) enc.period = { ...(start ? { start } : {}), ...(end ? { end } : {}) };
  const where = location(pv1, 3);
  if (where) enc.location = [{ location: { display: where }, status: status === 'finished' ? 'completed' : 'active' }];
  const prior = location(pv1, 6);
  if (prior) (enc.location ??= []).push({ location: { display: prior }, status: 'completed' });
  const participant: EncounterParticipant[] = [];
  for (const [field, code] of [
    [7, 'ATND'],
    [8, 'REF'],
    [9, 'CON'],
    [17, 'ADM'],
  ] as const) {
    for (const rep of pv1.repetitions(field)) {
      const who = xcnToReference(rep, base);
      if (who) participant.push({ type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code }] }], individual: who });
    }
  }
  if (participant.length > 0) enc.participant = participant;
  const serviceType = toCodeableConcept(pv1.field(10));
  if (serviceType) enc.serviceType = serviceType;
  const admitSource = pv1.get(14);
  const disposition = pv1.get(36);
  if (admitSource || disposition) {
    enc.hospitalization = {};
    if (admitSource) enc.hospitalization.admitSource = tableConcept(admitSource, '0023');
    if (disposition) enc.hospitalization.dischargeDisposition = tableConcept(disposition, '0112');
  }
  if (ctx.options.sourceOrgId) enc.serviceProvider = { reference: `Organization/${ctx.options.sourceOrgId}` };
  return { resource: enc, ...(key ? { key } : {}) };
}

export function addEncounter(ctx: MappingContext, pv1: Hl7Segment, patient: MappedPatient, status: EncounterStatus): string | undefined {
  // PV1 with only a patient class (e.g. "PV1||N") says nothing about a visit.
  if (pv1.field(19).isEmpty && pv1.field(3).isEmpty && pv1.field(44).isEmpty && pv1.field(7).isEmpty) return undefined;
  const { resource, key } = pv1ToEncounter(ctx, pv1, patient.reference, status);
  if (!key) ctx.warn('PV1-19 (visit number) is missing: the Encounter is created, not matched', { segment: 'PV1', field: 19, line: pv1.line }, HL7_ERROR.requiredFieldMissing);
  return ctx.add(resource, key);
}

export function mapAdt(ctx: MappingContext, trigger: string): MergeInstruction[] | undefined {
  const msg = ctx.msg;
  if (trigger === 'A40') return mapMerge(ctx);
  const pid = msg.segment('PID');
  if (!pid) throw missing('PID');
  const patient = addPatient(ctx, pid);
  const status = EVENT_STATUS[trigger];
  const pv1 = msg.segment('PV1');
  if (pv1 && status !== 'none' && status !== undefined) addEncounter(ctx, pv1, patient, status === 'derive' ? deriveStatus(pv1) : status);
  return undefined;
}

/** ADT^A40: each PID/MRG pair names the surviving patient (PID-3) and the merged one (MRG-1). */
function mapMerge(ctx: MappingContext): MergeInstruction[] {
  const merges: MergeInstruction[] = [];
  const segs = ctx.msg.segments;
  for (let i = 0; i < segs.length; i++) {
    const pid = segs[i] as Hl7Segment;
    if (pid.name !== 'PID') continue;
    const mrg = segs.slice(i + 1).find((s) => s.name === 'MRG' || s.name === 'PID');
    if (!mrg || mrg.name !== 'MRG') {
      ctx.warn('PID without MRG in A40', { segment: 'PID', line: pid.line }, HL7_ERROR.segmentSequence);
      continue;
    }
    const patient = addPatient(ctx, pid);
    const merged = [...mrg.repetitions(1), ...mrg.repetitions(4)].map((r) => cxToIdentifier(r, ctx.options.sourceSystem)).filter((x) => x !== undefined);
    if (!patient.key || merged.length === 0) {
      ctx.warn('A40 needs both PID-3 and MRG-1', { segment: 'MRG', field: 1, line: mrg.line }, HL7_ERROR.requiredFieldMissing);
      continue;
    }
    merges.push({ surviving: patient.key, merged, survivingUrl: conditionalUrl('Patient', patient.key) });
  }
  if (merges.length === 0) throw missing('MRG');
  return merges;
}

export function missing(segment: string): Hl7MappingError {
  return new Hl7MappingError(`Required segment ${segment} is missing`, { segment });
}
