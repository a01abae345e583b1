/**
 * ORU^R01 → DiagnosticReport per OBR with an Observation per OBX
 * (https://build.fhir.org/ig/HL7/v2-to-fhir/ConceptMap-message-oru-r01-to-bundle.html,
 * ConceptMap-segment-obr-to-diagnosticreport.html, ConceptMap-segment-obx-to-observation.html).
 * Observations are keyed on order number + OBX-3 + OBX-4, so a corrected result (OBX-11 = C)
 * updates the Observation the preliminary or final one created.
 */
import type { Annotation, DiagnosticReport, Identifier, Observation, ObservationReferenceRange, Quantity, Reference } from 'fhir/r4';
import type { Hl7Segment } from '../message.ts';
import { type MappingContext, derivedSystem } from './context.ts';
import { eiToIdentifier, toCodeableConcept, toDateTime, toInstant, xcnToReference } from './datatypes.ts';
import { addEncounter, missing } from './adt.ts';
import { addPatient, type MappedPatient } from './patient.ts';
import { OBSERVATION_STATUS, REPORT_STATUS, interpretation } from './tables.ts';
import { observationValue } from './values.ts';

const LAB_CATEGORY = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory', display: 'Laboratory' }] };
const REPORT_CATEGORY = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'LAB', display: 'Laboratory' }] };

interface ReportState {
  obr: Hl7Segment;
  orc?: Hl7Segment;
  report: DiagnosticReport;
  orderKey?: Identifier;
  observations: { obx: Hl7Segment; resource: Observation; notes: string[] }[];
  notes: string[];
}

/** NTE-3 (FT, repeating) as one text block. */
function nteText(nte: Hl7Segment): string {
  return nte.repetitions(3).map((r) => r.text()).join('\n');
}

/** OBX-7 reference range: "3.5-5.0", "<5", ">10" become low/high; anything else is kept as text. */
export function referenceRange(text: string, unit: Quantity | undefined): ObservationReferenceRange | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const q = (n: string): Quantity => ({ value: Number(n), ...(unit?.unit ? { unit: unit.unit } : {}), ...(unit?.system ? { system: unit.system, code: unit.code } : {}) });
  const num = '(-?\\d+(?:\\.\\d+)?)';
  const range = new RegExp(`^${num}\\s*-\\s*${num}$`).exec(t);
  if (range) return { low: q(range[1] as string), high: q(range[2] as string), text: t };
  const upper = new RegExp(`^<=?\\s*${num}$`).exec(t);
  if (upper) return { high: q(upper[1] as string), text: t };
  const lower = new RegExp(`^>=?\\s*${num}$`).exec(t);
  if (lower) return { low: q(lower[1] as string), text: t };
  return { text: t };
}

function orderIdentifiers(ctx: MappingContext, obr: Hl7Segment, orc: Hl7Segment | undefined): Identifier[] {
  const base = ctx.options.sourceSystem;
  const placer = eiToIdentifier(obr.field(2).isEmpty && orc ? orc.field(2) : obr.field(2), base, 'placer-order', 'PLAC');
  const filler = eiToIdentifier(obr.field(3).isEmpty && orc ? orc.field(3) : obr.field(3), base, 'filler-order', 'FILL');
  return [filler, placer].filter((x) => x !== undefined);
}

function buildObservation(ctx: MappingContext, obx: Hl7Segment, state: ReportState, subject: Reference, encounter?: string): Observation {
  const tz = ctx.options.defaultTimezone;
  const code = toCodeableConcept(obx.field(3)) ?? { text: 'unknown' };
  const statusCode = obx.get(11);
  const status = OBSERVATION_STATUS[statusCode] ?? 'unknown';
  if (statusCode && !OBSERVATION_STATUS[statusCode]) ctx.warn(`OBX-11 "${statusCode}" is not in table 0085`, { segment: 'OBX', field: 11, line: obx.line }, 103);
  const obs: Observation = { resourceType: 'Observation', status, category: [LAB_CATEGORY], code, subject };
  if (encounter) obs.encounter = { reference: encounter };
  const value = observationValue(ctx, obx);
  Object.assign(obs, value.value);
  const range = referenceRange(obx.get(7), value.unit);
  if (range) obs.referenceRange = [range];
  const flags = obx.repetitions(8).map((r) => r.get(1)).filter((f) => f !== '');
  if (flags.length > 0) obs.interpretation = flags.map((f) => ({ coding: [interpretation(f)] }));
  const effective = toDateTime(obx.get(14), tz) ?? toDateTime(state.obr.get(7), tz);
  if (effective) obs.effectiveDateTime = effective;
  const issued = toInstant(obx.get(19), tz) ?? toInstant(state.obr.get(22), tz);
  if (issued) obs.issued = issued;
  const method = toCodeableConcept(obx.field(17));
  if (method) obs.method = method;
  const site = toCodeableConcept(obx.field(20));
  if (site) obs.bodySite = site;
  const performer = xcnToReference(obx.field(16), ctx.options.sourceSystem);
  if (performer) obs.performer = [performer];
  return obs;
}

function observationKey(ctx: MappingContext, state: ReportState, obx: Hl7Segment, seen: Set<string>): Identifier | undefined {
  if (!state.orderKey?.value) return undefined;
  const code = obx.get(3, 1) || obx.get(3, 2);
  let value = `${state.orderKey.value}|${code}|${obx.get(4)}`;
  // The same code twice in one order without OBX-4: fall back to the set id to tell them apart.
  if (seen.has(value)) value += `|${obx.get(1)}`;
  seen.add(value);
  return { system: derivedSystem(`${state.orderKey.system}`, 'observation'), value };
}

export function mapOru(ctx: MappingContext): void {
  const segs = ctx.msg.segments;
  let patient: MappedPatient | undefined;
  let encounter: string | undefined;
  let orc: Hl7Segment | undefined;
  let current: ReportState | undefined;
  const reports: ReportState[] = [];
  let last: 'obr' | 'obx' | undefined;
  for (const seg of segs) {
    switch (seg.name) {
      case 'PID':
        patient = addPatient(ctx, seg);
        encounter = undefined;
        current = undefined;
        break;
      case 'PV1':
        if (patient) encounter = addEncounter(ctx, seg, patient, seg.get(45) ? 'finished' : 'in-progress');
        break;
      case 'ORC':
        orc = seg;
        break;
      case 'OBR': {
        if (!patient) throw missing('PID');
        const ids = orderIdentifiers(ctx, seg, orc);
        const report: DiagnosticReport = { resourceType: 'DiagnosticReport', status: REPORT_STATUS[seg.get(25)] ?? 'unknown', category: [REPORT_CATEGORY], code: toCodeableConcept(seg.field(4)) ?? { text: 'unknown' }, subject: patient.reference };
        if (ids.length > 0) report.identifier = ids;
        current = { obr: seg, report, observations: [], notes: [], ...(orc ? { orc } : {}), ...(ids[0] ? { orderKey: ids[0] } : {}) };
        reports.push(current);
        orc = undefined;
        last = 'obr';
        break;
      }
      case 'OBX':
        if (!current || !patient) throw missing('OBR');
        current.observations.push({ obx: seg, resource: buildObservation(ctx, seg, current, patient.reference, encounter), notes: [] });
        last = 'obx';
        break;
      case 'NTE': {
        const text = nteText(seg);
        if (!current || text === '') break;
        const target = last === 'obx' ? current.observations.at(-1)?.notes : current.notes;
        target?.push(text);
        break;
      }
    }
  }
  if (reports.length === 0) throw missing('OBR');
  for (const r of reports) finishReport(ctx, r, encounter);
}

function finishReport(ctx: MappingContext, r: ReportState, encounter: string | undefined): void {
  const tz = ctx.options.defaultTimezone;
  const seen = new Set<string>();
  const results: Reference[] = [];
  for (const o of r.observations) {
    if (o.notes.length > 0) o.resource.note = o.notes.map((text): Annotation => ({ text }));
    const key = observationKey(ctx, r, o.obx, seen);
    if (key) o.resource.identifier = [key];
    results.push({ reference: ctx.add(o.resource, key) });
  }
  const report = r.report;
  if (encounter) report.encounter = { reference: encounter };
  const effective = toDateTime(r.obr.get(7), tz);
  if (effective === null) ctx.warn(`OBR-7 "${r.obr.get(7)}" is not a valid date/time`, { segment: 'OBR', field: 7, line: r.obr.line });
  else if (effective) report.effectiveDateTime = effective;
  const issued = toInstant(r.obr.get(22), tz);
  if (issued) report.issued = issued;
  if (results.length > 0) report.result = results;
  // OBR-level NTEs are report comments; R4 DiagnosticReport has no note element, so they become the conclusion text.
  if (r.notes.length > 0) report.conclusion = r.notes.join('\n');
  const performer = xcnToReference(r.obr.field(32), ctx.options.sourceSystem);
  if (performer) report.resultsInterpreter = [performer];
  ctx.add(report, r.orderKey);
}
