/**
 * The document itself → DocumentReference + Binary (C-CDA on FHIR "Document header" mapping,
 * https://build.fhir.org/ig/HL7/ccda-on-fhir/CF-header.html, and the US Core DocumentReference
 * guidance for C-CDA: format code urn:hl7-org:sdwg:ccda-structuredBody:2.1).
 *
 * The Binary holds the original bytes, base64. Its id is derived from the SHA-256 of those
 * bytes and it is written with PUT Binary/<id> (update-as-create): Binary has no identifier to
 * make a conditional create on, and a content-derived id makes a resent document land on the
 * same Binary. The DocumentReference is a conditional create on the document's ClinicalDocument/id.
 */
import { createHash } from 'node:crypto';
import type { Attachment, Binary, CodeableConcept, DocumentReference, Reference } from 'fhir/r4';
import { attr, child, children, path, textContent, type XmlElement } from '../xml.ts';
import { codeableConcept, identifier, systemForOid } from './codes.ts';
import { stableUuid, type Context } from './context.ts';
import { parseTs, period } from './dates.ts';
import { humanName } from './patient.ts';

const CCDA_FORMAT = { system: 'http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode', code: 'urn:hl7-org:sdwg:ccda-structuredBody:2.1', display: 'Documents following C-CDA constraints using a structured body' };
const NON_XML_FORMAT = { system: 'http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode', code: 'urn:hl7-org:sdwg:ccda-nonXMLBody:2.1', display: 'Documents following C-CDA constraints using a non structured body' };

function authorDisplay(author: XmlElement): Reference | undefined {
  const aa = child(author, 'assignedAuthor');
  const person = child(child(aa, 'assignedPerson'), 'name');
  const name = person ? humanName(person) : undefined;
  const personText = name ? (name.text ?? [...(name.given ?? []), name.family].filter(Boolean).join(' ')) : '';
  const device = textContent(path(aa, 'assignedAuthoringDevice', 'softwareName'));
  const org = textContent(path(aa, 'representedOrganization', 'name'));
  const display = personText || device || org;
  return display ? { display } : undefined;
}

export interface DocumentIds {
  sha256: string;
  binaryId: string;
}

export function documentIds(bytes: Uint8Array): DocumentIds {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { sha256, binaryId: `ccda-${sha256.slice(0, 40)}` };
}

export function mapDocument(ctx: Context, doc: XmlElement, bytes: Uint8Array, ids: DocumentIds): void {
  const docId = identifier(child(doc, 'id'));
  const type: CodeableConcept = codeableConcept(child(doc, 'code'), ctx.narrative) ?? { text: textContent(child(doc, 'title')) || 'Clinical document' };
  const ts = parseTs(attr(child(doc, 'effectiveTime'), 'value'));
  const authors = children(doc, 'author').map(authorDisplay).filter((a): a is Reference => a !== undefined);
  const custodian = textContent(path(doc, 'custodian', 'assignedCustodian', 'representedCustodianOrganization', 'name'));
  const conf = child(doc, 'confidentialityCode');
  const confCode = attr(conf, 'code');
  const service = period(path(doc, 'documentationOf', 'serviceEvent', 'effectiveTime'));
  const title = textContent(child(doc, 'title'));
  const relatesTo = children(doc, 'relatedDocument')
    .map((rd) => {
      const code = ({ RPLC: 'replaces', APND: 'appends', XFRM: 'transforms' } as const)[attr(rd, 'typeCode') ?? ''];
      const target = identifier(path(rd, 'parentDocument', 'id'));
      return code && target ? { code, target: { identifier: target } } : undefined;
    })
    .filter((r) => r !== undefined);

  const attachment: Attachment = {
    contentType: 'text/xml',
    url: `Binary/${ids.binaryId}`,
    size: bytes.byteLength,
    hash: createHash('sha1').update(bytes).digest('base64'),
    ...(title ? { title } : {}),
    ...(ts ? { creation: ts.dateTime } : {}),
  };
  const { key, all } = ctx.factKey('DocumentReference', child(doc, 'id') ? doc : undefined, [ids.sha256]);
  const reference: DocumentReference = {
    resourceType: 'DocumentReference',
    ...(docId ? { masterIdentifier: docId } : {}),
    identifier: all,
    status: 'current',
    docStatus: 'final',
    type,
    category: [{ coding: [{ system: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category', code: 'clinical-note', display: 'Clinical Note' }] }],
    subject: ctx.patientRef,
    // DocumentReference.date is an instant: only a TS with seconds and zone qualifies.
    ...(ts?.instant ? { date: ts.dateTime } : {}),
    ...(authors.length ? { author: authors } : {}),
    ...(custodian ? { custodian: { display: custodian } } : {}),
    ...(relatesTo.length ? { relatesTo } : {}),
    ...(confCode && !attr(conf, 'nullFlavor') ? { securityLabel: [{ coding: [{ system: systemForOid(attr(conf, 'codeSystem') ?? '2.16.840.1.113883.5.25'), code: confCode }] }] } : {}),
    content: [{ attachment, format: child(child(doc, 'component'), 'nonXMLBody') ? NON_XML_FORMAT : CCDA_FORMAT }],
    ...(service ? { context: { period: service } } : {}),
  };
  ctx.add(reference, key);
  const binary: Binary = {
    resourceType: 'Binary',
    id: ids.binaryId,
    contentType: 'text/xml',
    ...(ctx.patientRef.reference ? { securityContext: ctx.patientRef } : {}),
    data: Buffer.from(bytes).toString('base64'),
  };
  ctx.entries.push({ fullUrl: `urn:uuid:${stableUuid(`Binary|${ids.binaryId}`)}`, resource: binary, request: { method: 'PUT', url: `Binary/${ids.binaryId}` } });
}
