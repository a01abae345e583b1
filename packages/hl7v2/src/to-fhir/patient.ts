/**
 * PID → Patient (https://build.fhir.org/ig/HL7/v2-to-fhir/ConceptMap-segment-pid-to-patient.html),
 * with the US Core race and ethnicity extensions when PID-10/PID-22 carry CDC race codes.
 */
import type { Extension, Identifier, Patient, Reference } from 'fhir/r4';
import { HL7_ERROR } from '../errors.ts';
import type { Hl7Segment } from '../message.ts';
import type { MappingContext } from './context.ts';
import { cxToIdentifier, tableConcept, toCodeableConcept, toDate, toDateTime, xadToAddress, xpnToHumanName, xtnToContactPoint } from './datatypes.ts';
import { GENDER } from './tables.ts';

const CDC_RACE = 'urn:oid:2.16.840.1.113883.6.238';
const OMB_RACE = new Set(['1002-5', '2028-9', '2054-5', '2076-8', '2106-3']);
const OMB_ETHNICITY = new Set(['2135-2', '2186-5']);
const US_CORE = 'http://hl7.org/fhir/us/core/StructureDefinition';

export interface MappedPatient {
  fullUrl: string;
  reference: Reference;
  /** The identifier the Patient is keyed on (first MR, else first PID-3). */
  key?: Identifier;
  resource: Patient;
}

/** US Core race/ethnicity: OMB categories as ombCategory, other CDC codes as detailed, plus the required text. */
function raceExtension(seg: Hl7Segment, field: number, url: string, omb: Set<string>): Extension | undefined {
  const parts: Extension[] = [];
  const texts: string[] = [];
  for (const rep of seg.repetitions(field)) {
    const code = rep.get(1);
    const display = rep.get(2);
    if (display) texts.push(display);
    else if (code) texts.push(code);
    if (!/^\d{4}-\d$/.test(code)) continue;
    parts.push({ url: omb.has(code) ? 'ombCategory' : 'detailed', valueCoding: { system: CDC_RACE, code, ...(display ? { display } : {}) } });
  }
  if (parts.length === 0) return undefined;
  return { url, extension: [...parts, { url: 'text', valueString: texts.join(', ') }] };
}

export function pidToPatient(ctx: MappingContext, pid: Hl7Segment): Patient {
  const { sourceSystem } = ctx.options;
  const identifiers: Identifier[] = [];
  for (const f of [3, 2, 4]) {
    for (const rep of pid.repetitions(f)) {
      const id = cxToIdentifier(rep, sourceSystem);
      if (id && !identifiers.some((x) => x.system === id.system && x.value === id.value)) identifiers.push(id);
    }
  }
  const ssn = pid.get(19);
  if (ssn && !identifiers.some((x) => x.system === 'http://hl7.org/fhir/sid/us-ssn')) {
    identifiers.push({ system: 'http://hl7.org/fhir/sid/us-ssn', value: ssn, type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'SS' }] } });
  }
  const p: Patient = { resourceType: 'Patient' };
  if (identifiers.length > 0) p.identifier = identifiers;
  const names = pid.repetitions(5).map(xpnToHumanName).filter((n) => n !== undefined);
  if (names.length > 0) p.name = names;
  const telecom = [...pid.repetitions(13).map((r) => xtnToContactPoint(r, 'home')), ...pid.repetitions(14).map((r) => xtnToContactPoint(r, 'work'))].filter((t) => t !== undefined);
  if (telecom.length > 0) p.telecom = telecom;
  const sex = pid.get(8);
  if (sex) {
    const g = GENDER[sex.toUpperCase()];
    if (g) p.gender = g;
    else ctx.warn(`PID-8 sex "${sex}" is not in table 0001`, { segment: 'PID', field: 8, line: pid.line }, HL7_ERROR.tableValueNotFound);
  }
  const dob = toDate(pid.get(7));
  if (dob === null) ctx.warn(`PID-7 "${pid.get(7)}" is not a valid date`, { segment: 'PID', field: 7, line: pid.line });
  else if (dob) p.birthDate = dob;
  const addresses = pid.repetitions(11).map(xadToAddress).filter((a) => a !== undefined);
  if (addresses.length > 0) p.address = addresses;
  const marital = pid.get(16);
  if (marital) p.maritalStatus = toCodeableConcept(pid.field(16)) ?? tableConcept(marital, '0002');
  const lang = toCodeableConcept(pid.field(15));
  if (lang) p.communication = [{ language: lang }];
  const deathRaw = pid.get(29);
  const death = toDateTime(deathRaw, ctx.options.defaultTimezone);
  if (death) p.deceasedDateTime = death;
  else if (pid.get(30) === 'Y') p.deceasedBoolean = true;
  else if (pid.get(30) === 'N') p.deceasedBoolean = false;
  if (death === null) ctx.warn(`PID-29 "${deathRaw}" is not a valid date/time`, { segment: 'PID', field: 29, line: pid.line });
  const ext = [raceExtension(pid, 10, `${US_CORE}/us-core-race`, OMB_RACE), raceExtension(pid, 22, `${US_CORE}/us-core-ethnicity`, OMB_ETHNICITY)].filter((e) => e !== undefined);
  if (ext.length > 0) p.extension = ext;
  if (pid.get(24) === 'Y') p.multipleBirthBoolean = true;
  const order = Number(pid.get(25));
  if (pid.get(25) && Number.isInteger(order)) p.multipleBirthInteger = order;
  if (ctx.options.sourceOrgId) p.managingOrganization = { reference: `Organization/${ctx.options.sourceOrgId}` };
  return p;
}

/** The identifier a Patient is keyed on: the first MR from PID-3, else PID-3's first identifier. */
export function patientKey(patient: Patient): Identifier | undefined {
  const ids = patient.identifier ?? [];
  return ids.find((i) => i.type?.coding?.[0]?.code === 'MR') ?? ids.find((i) => i.system !== 'http://hl7.org/fhir/sid/us-ssn') ?? ids[0];
}

export function addPatient(ctx: MappingContext, pid: Hl7Segment): MappedPatient {
  const resource = pidToPatient(ctx, pid);
  const key = patientKey(resource);
  if (!key) ctx.warn('PID-3 has no identifier: the Patient is created, not matched', { segment: 'PID', field: 3, line: pid.line }, HL7_ERROR.requiredFieldMissing);
  const fullUrl = ctx.add(resource, key);
  return { fullUrl, reference: { reference: fullUrl }, resource, ...(key ? { key } : {}) };
}
