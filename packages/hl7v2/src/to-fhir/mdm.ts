/**
 * MDM^T02 → DocumentReference with the OBX content as an attachment
 * (https://build.fhir.org/ig/HL7/v2-to-fhir/ConceptMap-message-mdm-t02-to-bundle.html,
 * ConceptMap-segment-txa-to-documentreference.html). TX/FT/ST lines become one text/plain
 * attachment; ED (source ^ type ^ subtype ^ encoding ^ data) keeps its media type and data.
 */
import type { Attachment, DocumentReference } from 'fhir/r4';
import { HL7_ERROR } from '../errors.ts';
import type { Hl7Segment } from '../message.ts';
import type { MappingContext } from './context.ts';
import { eiToIdentifier, toCodeableConcept, toInstant, xcnToReference } from './datatypes.ts';
import { addEncounter, missing } from './adt.ts';
import { addPatient } from './patient.ts';
import { DOC_STATUS } from './tables.ts';

const MEDIA: Record<string, string> = { PDF: 'application/pdf', RTF: 'application/rtf', HTML: 'text/html', XML: 'application/xml', JPEG: 'image/jpeg', PNG: 'image/png', TIFF: 'image/tiff', PLAIN: 'text/plain' };

function edAttachment(ctx: MappingContext, obx: Hl7Segment): Attachment | undefined {
  const ed = obx.field(5);
  const sub = ed.get(3).toUpperCase();
  const contentType = MEDIA[sub] ?? (ed.get(2) && sub ? `${ed.get(2).toLowerCase() === 'ap' ? 'application' : ed.get(2).toLowerCase()}/${sub.toLowerCase()}` : 'application/octet-stream');
  const encoding = ed.get(4).toUpperCase();
  const data = ed.get(5);
  if (encoding === 'BASE64') return { contentType, data: data.replace(/\s+/g, '') };
  if (encoding === 'HEX') return { contentType, data: Buffer.from(data, 'hex').toString('base64') };
  if (encoding === 'A' || encoding === '') return { contentType, data: Buffer.from(data, 'utf8').toString('base64') };
  ctx.warn(`OBX-5.4 encoding "${encoding}" is not supported`, { segment: 'OBX', field: 5, component: 4, line: obx.line }, HL7_ERROR.tableValueNotFound);
  return undefined;
}

export function mapMdm(ctx: MappingContext): void {
  const tz = ctx.options.defaultTimezone;
  const msg = ctx.msg;
  const pid = msg.segment('PID');
  if (!pid) throw missing('PID');
  const txa = msg.segment('TXA');
  if (!txa) throw missing('TXA');
  const patient = addPatient(ctx, pid);
  const pv1 = msg.segment('PV1');
  const encounter = pv1 ? addEncounter(ctx, pv1, patient, pv1.get(45) ? 'finished' : 'in-progress') : undefined;
  const obx = msg.all('OBX');
  const content: DocumentReference['content'] = [];
  const text = obx.filter((o) => ['TX', 'FT', 'ST', ''].includes(o.get(2).toUpperCase())).flatMap((o) => o.repetitions(5).map((r) => r.text()));
  if (text.length > 0) content.push({ attachment: { contentType: 'text/plain; charset=utf-8', data: Buffer.from(text.join('\n'), 'utf8').toString('base64') } });
  for (const o of obx.filter((x) => x.get(2).toUpperCase() === 'ED')) {
    const a = edAttachment(ctx, o);
    if (a) content.push({ attachment: a });
  }
  if (content.length === 0) {
    ctx.warn('MDM^T02 without document content in OBX', { segment: 'OBX', field: 5 }, HL7_ERROR.requiredFieldMissing);
    content.push({ attachment: { contentType: 'text/plain', title: 'no content' } });
  }
  const base = ctx.options.sourceSystem;
  const key = eiToIdentifier(txa.field(12), base, 'document') ?? eiToIdentifier(txa.field(16), base, 'document');
  const availability = txa.get(19).toUpperCase();
  const doc: DocumentReference = {
    resourceType: 'DocumentReference',
    status: availability === 'CA' || availability === 'OB' ? 'superseded' : 'current',
    subject: patient.reference,
    content,
  };
  const docStatus = DOC_STATUS[txa.get(17).toUpperCase()];
  if (docStatus) doc.docStatus = docStatus;
  if (key) {
    doc.masterIdentifier = key;
    doc.identifier = [key];
  }
  const type = toCodeableConcept(txa.field(2));
  if (type) doc.type = type;
  const date = toInstant(txa.get(4), tz) ?? toInstant(txa.get(6), tz) ?? toInstant(msg.header.get(7), tz);
  if (date) doc.date = date;
  const authors = txa.repetitions(9).map((r) => xcnToReference(r, base)).filter((a) => a !== undefined);
  if (authors.length > 0) doc.author = authors;
  const auth = xcnToReference(txa.field(22), base);
  if (auth) doc.authenticator = auth;
  if (encounter) doc.context = { encounter: [{ reference: encounter }] };
  ctx.add(doc, key);
}
