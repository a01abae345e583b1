/**
 * Results section (2.16.840.1.113883.10.20.22.2.3.1, entries-optional 2.3) → DiagnosticReport
 * per Result Organizer (4.1) + Observation per Result Observation (4.2); Vital Signs section
 * (2.16.840.1.113883.10.20.22.2.4.1, entries-optional 2.4) → Observations (category
 * vital-signs) per Vital Sign Observation (4.27) in Vital Signs Organizers (4.26).
 * Mapping after https://build.fhir.org/ig/HL7/ccda-on-fhir/CF-results.html and CF-vitalsigns.html.
 */
import type { CodeableConcept, DiagnosticReport, Observation, ObservationReferenceRange, Reference } from 'fhir/r4';
import { attr, child, children, type XmlElement } from '../../xml.ts';
import { codeableConcept, referencedText } from '../codes.ts';
import { conceptKey, dataAbsentReason, negated, observationValue, quantity, statusCode } from '../common.ts';
import type { Context } from '../context.ts';
import { effective } from '../dates.ts';

const OBS_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const INTERPRETATION = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';

function observationStatus(el: XmlElement): Observation['status'] {
  switch (statusCode(el)) {
    case 'active':
    case 'new':
      return 'preliminary';
    case 'aborted':
    case 'cancelled':
      return 'cancelled';
    case 'nullified':
      return 'entered-in-error';
    default:
      return 'final';
  }
}

function reportStatus(el: XmlElement): DiagnosticReport['status'] {
  const s = observationStatus(el);
  return s === 'preliminary' ? 'partial' : s === 'cancelled' ? 'cancelled' : s === 'entered-in-error' ? 'entered-in-error' : 'final';
}

function referenceRanges(ctx: Context, obs: XmlElement): ObservationReferenceRange[] {
  const out: ObservationReferenceRange[] = [];
  for (const rr of children(obs, 'referenceRange')) {
    const range = child(rr, 'observationRange');
    const v = child(range, 'value');
    const low = quantity(child(v, 'low'));
    const high = quantity(child(v, 'high'));
    const text = referencedText(child(range, 'text'), ctx.narrative);
    const appliesTo = codeableConcept(child(range, 'interpretationCode'), ctx.narrative);
    // Only a normal range is a reference range in FHIR terms; others keep their interpretation as type.
    if (!low && !high && !text) continue;
    out.push({
      ...(low ? { low } : {}),
      ...(high ? { high } : {}),
      ...(appliesTo && attr(child(range, 'interpretationCode'), 'code') !== 'N' ? { type: appliesTo } : {}),
      ...(text ? { text } : {}),
    });
  }
  return out;
}

function interpretation(obs: XmlElement): CodeableConcept[] {
  return children(obs, 'interpretationCode')
    .map((i): CodeableConcept | undefined => {
      const code = attr(i, 'code');
      if (!code || attr(i, 'nullFlavor')) return undefined;
      const display = attr(i, 'displayName');
      return { coding: [{ system: INTERPRETATION, code, ...(display ? { display } : {}) }] };
    })
    .filter((c): c is CodeableConcept => c !== undefined);
}

/** One result or vital-sign observation; returns its reference (for DiagnosticReport.result). */
function mapObservation(ctx: Context, obs: XmlElement, category: 'laboratory' | 'vital-signs', organizer?: XmlElement): Reference | undefined {
  const code = codeableConcept(child(obs, 'code'), ctx.narrative);
  if (!code) {
    ctx.issue('ccda-entry-no-code', `${category === 'laboratory' ? 'Result' : 'Vital sign'} observation has no usable code; skipped`, obs);
    return undefined;
  }
  const value = observationValue(child(obs, 'value'), ctx.narrative);
  const eff = effective(child(obs, 'effectiveTime'));
  const when = eff.dateTime || eff.period ? eff : effective(child(organizer, 'effectiveTime'));
  const interp = interpretation(obs);
  const ranges = referenceRanges(ctx, obs);
  const { key, all } = ctx.factKey('Observation', obs, [conceptKey(code), when.dateTime ?? when.period ?? '', value ?? '']);
  const observation: Observation = {
    resourceType: 'Observation',
    identifier: all,
    status: observationStatus(obs),
    category: [{ coding: [{ system: OBS_CATEGORY, code: category, display: category === 'laboratory' ? 'Laboratory' : 'Vital Signs' }] }],
    code,
    subject: ctx.patientRef,
    ...(when.dateTime ? { effectiveDateTime: when.dateTime } : {}),
    ...(when.period ? { effectivePeriod: when.period } : {}),
    ...(value ?? { dataAbsentReason: dataAbsentReason(attr(child(obs, 'value'), 'nullFlavor')) }),
    ...(interp.length ? { interpretation: interp } : {}),
    ...(ranges.length ? { referenceRange: ranges } : {}),
  };
  return ctx.add(observation, key);
}

function observationsOf(organizer: XmlElement): XmlElement[] {
  return children(organizer, 'component')
    .map((c) => child(c, 'observation'))
    .filter((o): o is XmlElement => o !== undefined && !negated(o));
}

export function mapResults(ctx: Context, statements: XmlElement[]): void {
  for (const st of statements) {
    if (st.name === 'observation') {
      mapObservation(ctx, st, 'laboratory');
      continue;
    }
    if (st.name !== 'organizer') continue;
    const results = observationsOf(st)
      .map((o) => mapObservation(ctx, o, 'laboratory', st))
      .filter((r): r is Reference => r !== undefined);
    const code = codeableConcept(child(st, 'code'), ctx.narrative) ?? { text: 'Laboratory results' };
    const eff = effective(child(st, 'effectiveTime'));
    const { key, all } = ctx.factKey('DiagnosticReport', st, [conceptKey(code), eff.dateTime ?? eff.period ?? '', results.length]);
    const report: DiagnosticReport = {
      resourceType: 'DiagnosticReport',
      identifier: all,
      status: reportStatus(st),
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'LAB', display: 'Laboratory' }] }],
      code,
      subject: ctx.patientRef,
      ...(eff.dateTime ? { effectiveDateTime: eff.dateTime } : {}),
      ...(eff.period ? { effectivePeriod: eff.period } : {}),
      ...(results.length ? { result: results } : {}),
    };
    ctx.add(report, key);
  }
}

export function mapVitalSigns(ctx: Context, statements: XmlElement[]): void {
  for (const st of statements) {
    if (st.name === 'observation') mapObservation(ctx, st, 'vital-signs');
    else if (st.name === 'organizer') for (const o of observationsOf(st)) mapObservation(ctx, o, 'vital-signs', st);
  }
}

