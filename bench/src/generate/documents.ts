/** Clinical notes as US Core DocumentReferences with a small plain-text attachment. */
import type { DocumentReference } from 'fhir/r4';
import type { EncounterInfo, Person, RecordBuilder } from './context.ts';
import { SYS } from './terminology.ts';
import { HOUR, isoDate, isoDateTime } from './time.ts';
import type { VitalsSummary } from './vitals.ts';

export interface NoteContent {
  readonly visit: string;
  readonly assessment: string;
  readonly plan: string;
  readonly vitals: VitalsSummary;
  /** Emergency and inpatient stays get an episode summary, clinic visits a progress note. */
  readonly summary: boolean;
}

const PROGRESS_NOTE = { code: '11506-3', display: 'Progress note' };
const EPISODE_SUMMARY = { code: '34133-9', display: 'Summary of episode note' };

function noteText(b: RecordBuilder, person: Person, enc: EncounterInfo, note: NoteContent, title: string): string {
  const v = note.vitals;
  const bp = v.systolic === undefined ? '' : `BP ${v.systolic}/${v.diastolic ?? ''} mmHg, `;
  const age = Math.floor(enc.age);
  return (
    `${title} - ${isoDate(enc.startMs)}\n` +
    `Patient: ${person.given} ${person.family}, ${age}-year-old ${person.sex}\n` +
    `Visit: ${note.visit}\n` +
    `Vitals: ${bp}HR ${v.heartRate}/min, Temp ${v.temperature} C, Weight ${v.weight} kg\n` +
    `Assessment: ${note.assessment}\n` +
    `Plan: ${note.plan}\n` +
    `Signed: ${b.practitionerRef(enc.practitioner).display ?? ''}\n`
  );
}

export function emitNote(b: RecordBuilder, person: Person, enc: EncounterInfo, note: NoteContent): void {
  const id = b.newId();
  const type = note.summary ? EPISODE_SUMMARY : PROGRESS_NOTE;
  const signedMs = Math.min(enc.endMs + HOUR, b.nowMs);
  const text = noteText(b, person, enc, note, type.display);
  const doc: DocumentReference = {
    resourceType: 'DocumentReference',
    ...b.head(id),
    status: 'current',
    docStatus: 'final',
    type: { coding: [{ system: SYS.loinc, code: type.code, display: type.display }], text: type.display },
    category: [
      { coding: [{ system: SYS.usCoreDocCategory, code: 'clinical-note', display: 'Clinical Note' }], text: 'Clinical Note' },
    ],
    subject: b.patientRef(),
    date: isoDateTime(signedMs),
    author: [b.practitionerRef(enc.practitioner)],
    custodian: b.orgRef(),
    content: [
      {
        attachment: {
          contentType: 'text/plain',
          data: Buffer.from(text, 'utf8').toString('base64'),
          title: type.display,
          creation: isoDateTime(signedMs),
        },
        format: {
          system: 'http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode',
          code: 'urn:ihe:iti:xds:2017:mimeTypeSufficient',
          display: 'mimeType Sufficient',
        },
      },
    ],
    context: {
      encounter: [b.ref('Encounter', enc.id)],
      period: { start: isoDateTime(enc.startMs), end: isoDateTime(enc.endMs) },
    },
  };
  b.add(doc, id);
}
