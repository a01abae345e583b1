import type { Immunization, Patient } from 'fhir/r4';

/**
 * The demo's feeds: what the demo organizations send to the HIE about the people they share,
 * written as the real formats and ingested through the same pipeline as live feeds.
 *
 * - Casco Bay Laboratory sends HL7 v2.5.1 ORU^R01 results (HbA1c and glucose, three draws a
 *   year apart) under its own MRNs, with names in capitals as many lab systems send them.
 * - Penobscot Bay Family Practice sends a C-CDA R2.1 CCD per person: problems, medications,
 *   allergies, immunizations it recorded (the same doses the hospital recorded) and the latest
 *   HbA1c it received from the laboratory. The same fact from two sources appears once in the
 *   person's record, with both sources.
 * - Kennebec Valley Medical Center sends ADT: an A08 address change, and an A04 registration of a
 *   person it already knows under a second MRN followed by the A40 that merges the two.
 *
 * Every name, address and number here is made up by the population generator.
 */
export interface FeedOrg {
  id: string;
  name: string;
  facility: string;
  oid: string;
  mrnSystem: string;
}

/** A person the hospital knows, with the immunizations it recorded for them. */
export interface SharedPerson {
  patient: Patient;
  immunizations: Immunization[];
}

export interface DemoFeedMessage {
  /** The sending organization's id. */
  org: string;
  format: 'hl7v2' | 'ccda';
  /** What the message is, for the seed's log. */
  label: string;
  content: string;
}

interface Demographics {
  family: string;
  given: string[];
  birthDate: string;
  sex: 'F' | 'M' | 'U';
  line: string;
  city: string;
  state: string;
  postalCode: string;
  phone: string;
  ssn: string | undefined;
}

const SSN_SYSTEM = 'http://hl7.org/fhir/sid/us-ssn';
const HBA1C = { code: '4548-4', name: 'Hemoglobin A1c/Hemoglobin.total in Blood', unit: '%', range: '4.0-5.6' };
const GLUCOSE = { code: '2345-7', name: 'Glucose [Mass/volume] in Serum or Plasma', unit: 'mg/dL', range: '70-99' };
/** Draw dates of the laboratory's results: about a year, six months and two weeks before the demo's "now". */
const DRAWS = ['2025-06-10T08:30:00Z', '2025-12-09T09:15:00Z', '2026-05-20T08:45:00Z'];

function demographics(p: Patient): Demographics {
  const name = p.name?.[0];
  const addr = p.address?.[0];
  return {
    family: name?.family ?? 'Unknown',
    given: name?.given ?? [],
    birthDate: p.birthDate ?? '1970-01-01',
    sex: p.gender === 'female' ? 'F' : p.gender === 'male' ? 'M' : 'U',
    line: addr?.line?.[0] ?? '',
    city: addr?.city ?? '',
    state: addr?.state ?? '',
    postalCode: addr?.postalCode ?? '',
    phone: p.telecom?.find((t) => t.system === 'phone')?.value ?? '',
    ssn: p.identifier?.find((i) => i.system === SSN_SYSTEM)?.value,
  };
}

export function mrnOf(p: Patient, system: string): string {
  const mrn = p.identifier?.find((i) => i.system === system)?.value;
  if (mrn === undefined) throw new Error(`Patient ${p.id ?? '?'} has no identifier in ${system}`);
  return mrn;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** HL7 DTM in UTC with offset: YYYYMMDDHHMMSS+0000. */
function dtm(iso: string): string {
  const d = new Date(iso);
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}+0000`;
}

/** Escapes HL7 delimiters in a text value (default encoding characters). */
function esc(s: string): string {
  return s.replace(/\\/g, '\\E\\').replace(/\|/g, '\\F\\').replace(/\^/g, '\\S\\').replace(/~/g, '\\R\\').replace(/&/g, '\\T\\');
}

function msh(org: FeedOrg, type: string, controlId: string, at: string): string {
  return `MSH|^~\\&|${org.facility}-EHR|${org.facility}|KENNEBEC|HIE|${dtm(at)}||${type}|${controlId}|P|2.5.1`;
}

function cx(mrn: string, org: FeedOrg): string {
  return `${esc(mrn)}^^^${org.facility}&${org.oid}&ISO^MR`;
}

function pid(d: Demographics, mrn: string, org: FeedOrg, opts: { upper?: boolean; ssn?: boolean } = {}): string {
  const up = (s: string): string => (opts.upper === true ? s.toUpperCase() : s);
  const name = `${esc(up(d.family))}^${esc(up(d.given[0] ?? ''))}^${esc(up(d.given[1] ?? ''))}`;
  const address = `${esc(d.line)}^^${esc(d.city)}^${d.state}^${d.postalCode}^USA^H`;
  const phone = d.phone ? `${esc(d.phone)}^PRN^PH` : '';
  const ssn = opts.ssn === true && d.ssn ? d.ssn : '';
  return `PID|1||${cx(mrn, org)}||${name}||${d.birthDate.replaceAll('-', '')}|${d.sex}|||${address}||${phone}||||||${ssn}`;
}

/** HbA1c values that drift a little from draw to draw; glucose follows HbA1c roughly (eAG). */
function hba1cSeries(i: number): number[] {
  const base = 5.4 + (i % 5) * 0.6;
  return [base + 0.4, base + 0.1, base - 0.2].map((v) => Math.round(v * 10) / 10);
}

const glucoseFor = (a1c: number, draw: number): number => Math.round(28.7 * a1c - 46.7 + (draw - 1) * 6);

function flag(value: number, range: string): string {
  const [lo, hi] = range.split('-').map(Number) as [number, number];
  return value > hi ? 'H' : value < lo ? 'L' : 'N';
}

/** The laboratory's ORU^R01 messages for one person: one per draw, HbA1c and glucose. */
export function labResults(person: SharedPerson, index: number, lab: FeedOrg): DemoFeedMessage[] {
  const d = demographics(person.patient);
  const mrn = `L${pad(index + 1, 6)}`;
  const series = hba1cSeries(index);
  return DRAWS.map((at, draw) => {
    const controlId = `CBL${pad(index + 1, 4)}${draw + 1}`;
    const a1c = series[draw] as number;
    const glucose = glucoseFor(a1c, draw);
    const order = `${lab.facility}${pad(index + 1, 4)}${draw + 1}`;
    const segs = [
      msh(lab, 'ORU^R01^ORU_R01', controlId, at),
      pid(d, mrn, lab, { upper: true }),
      `ORC|RE|${order}|${order}^${lab.facility}`,
      `OBR|1|${order}|${order}^${lab.facility}|24362-6^Renal and hepatic function panel^LN|||${dtm(at)}|||||||||||||||${dtm(at)}|||F`,
      `OBX|1|NM|${HBA1C.code}^${HBA1C.name}^LN||${a1c.toFixed(1)}|${HBA1C.unit}^${HBA1C.unit}^UCUM|${HBA1C.range}|${flag(a1c, HBA1C.range)}|||F|||${dtm(at)}`,
      `OBX|2|NM|${GLUCOSE.code}^${GLUCOSE.name}^LN||${glucose}|${GLUCOSE.unit}^${GLUCOSE.unit}^UCUM|${GLUCOSE.range}|${flag(glucose, GLUCOSE.range)}|||F|||${dtm(at)}`,
    ];
    if (draw === DRAWS.length - 1 && a1c > 5.6) segs.push('NTE|1|L|HbA1c above the reference range; follow up with the ordering clinician.');
    return { org: lab.id, format: 'hl7v2', label: `ORU^R01 ${controlId}`, content: segs.join('\r') };
  });
}

/** The hospital's ADT: an address change (A08) for one person; a duplicate registration and its merge (A04, A40) for another. */
export function hospitalAdt(moved: SharedPerson, duplicated: SharedPerson, hospital: FeedOrg): DemoFeedMessage[] {
  const out: DemoFeedMessage[] = [];
  const m = demographics(moved.patient);
  const newHome = { ...m, line: '12 Water Street', city: m.city, phone: '(207) 555-0142' };
  out.push({
    org: hospital.id,
    format: 'hl7v2',
    label: 'ADT^A08 address change',
    content: [
      msh(hospital, 'ADT^A08^ADT_A01', 'KVA0801', '2026-05-28T14:00:00Z'),
      'EVN|A08|20260528140000+0000',
      pid(newHome, mrnOf(moved.patient, hospital.mrnSystem), hospital, { ssn: true }),
      'PV1|1|O',
    ].join('\r'),
  });
  const d = demographics(duplicated.patient);
  const survivor = mrnOf(duplicated.patient, hospital.mrnSystem);
  const duplicate = `T${survivor.replace(/^-/, '')}`;
  out.push(
    {
      org: hospital.id,
      format: 'hl7v2',
      label: 'ADT^A04 registration under a second MRN',
      content: [
        msh(hospital, 'ADT^A04^ADT_A01', 'KVA0401', '2026-05-29T10:00:00Z'),
        'EVN|A04|20260529100000+0000',
        pid(d, duplicate, hospital, { ssn: true }),
        'PV1|1|E|ED^^^KVMC',
      ].join('\r'),
    },
    {
      org: hospital.id,
      format: 'hl7v2',
      label: 'ADT^A40 merge of the second MRN',
      content: [
        msh(hospital, 'ADT^A40^ADT_A39', 'KVA4001', '2026-05-29T16:00:00Z'),
        'EVN|A40|20260529160000+0000',
        pid(d, survivor, hospital, { ssn: true }),
        `MRG|${cx(duplicate, hospital)}`,
      ].join('\r'),
    },
  );
  return out;
}

// ---- C-CDA ---------------------------------------------------------------------------------

const T = (root: string): string => `<templateId root="2.16.840.1.113883.10.20.22.${root}" extension="2015-08-01"/>`;
const TS = (iso: string): string => dtm(iso);

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const PROBLEMS = [
  { snomed: '44054006', name: 'Diabetes mellitus type 2', icd: 'E11.9', onset: '20190415' },
  { snomed: '59621000', name: 'Essential hypertension', icd: 'I10', onset: '20170302' },
  { snomed: '55822004', name: 'Hyperlipidemia', icd: 'E78.5', onset: '20200110' },
];
const MEDICATIONS = [
  { rxnorm: '860975', name: 'metformin hydrochloride 500 MG Extended Release Oral Tablet', sig: 'Take 1 tablet by mouth twice daily with meals', start: '20190420' },
  { rxnorm: '314076', name: 'lisinopril 10 MG Oral Tablet', sig: 'Take 1 tablet by mouth once daily', start: '20170310' },
  { rxnorm: '617312', name: 'atorvastatin 20 MG Oral Tablet', sig: 'Take 1 tablet by mouth at bedtime', start: '20200115' },
];

function immunizationEntries(person: SharedPerson): string {
  return person.immunizations
    .map((imm, n) => {
      const cvx = imm.vaccineCode.coding?.find((c) => c.system === 'http://hl7.org/fhir/sid/cvx');
      const when = imm.occurrenceDateTime;
      if (!cvx?.code || !when) return '';
      return `<entry><substanceAdministration classCode="SBADM" moodCode="EVN" negationInd="false">${T('4.52')}<id root="2.16.840.1.113883.3.9999.1.2.4" extension="imm-${xml(person.patient.id ?? '')}-${n}"/><statusCode code="completed"/>
        <effectiveTime value="${when.slice(0, 10).replaceAll('-', '')}"/>
        <consumable><manufacturedProduct>${T('4.54')}<manufacturedMaterial><code code="${xml(cvx.code)}" codeSystem="2.16.840.1.113883.12.292" displayName="${xml(cvx.display ?? '')}"/></manufacturedMaterial></manufacturedProduct></consumable>
      </substanceAdministration></entry>`;
    })
    .join('\n');
}

/** The practice's CCD for one person, dated after the laboratory's last draw. */
export function practiceCcd(person: SharedPerson, index: number, practice: FeedOrg): DemoFeedMessage {
  const d = demographics(person.patient);
  const mrn = `P${pad(index + 1, 6)}`;
  const problems = PROBLEMS.slice(0, 1 + (index % 3));
  const meds = MEDICATIONS.slice(0, problems.length);
  const a1c = hba1cSeries(index)[DRAWS.length - 1] as number;
  const lastDraw = DRAWS[DRAWS.length - 1] as string;
  const docId = `ccd-${index + 1}`;
  const given = d.given.map((g) => `<given>${xml(g)}</given>`).join('');
  const penicillin = index % 2 === 0;
  const content = `<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:sdtc="urn:hl7-org:sdtc">
  <realmCode code="US"/>
  <typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>
  ${T('1.1')}${T('1.2')}
  <id root="${practice.oid}.9" extension="${docId}"/>
  <code code="34133-9" codeSystem="2.16.840.1.113883.6.1" displayName="Summarization of Episode Note"/>
  <title>${xml(practice.name)}: Continuity of Care Document</title>
  <effectiveTime value="20260526110000+0000"/>
  <confidentialityCode code="N" codeSystem="2.16.840.1.113883.5.25"/>
  <recordTarget><patientRole>
    <id root="${practice.oid}" extension="${mrn}"/>
    <addr use="HP"><streetAddressLine>${xml(d.line)}</streetAddressLine><city>${xml(d.city)}</city><state>${d.state}</state><postalCode>${d.postalCode}</postalCode><country>US</country></addr>
    ${d.phone ? `<telecom use="HP" value="tel:${xml(d.phone)}"/>` : ''}
    <patient>
      <name use="L">${given}<family>${xml(d.family)}</family></name>
      <administrativeGenderCode code="${d.sex === 'U' ? 'UN' : d.sex}" codeSystem="2.16.840.1.113883.5.1"/>
      <birthTime value="${d.birthDate.replaceAll('-', '')}"/>
    </patient>
  </patientRole></recordTarget>
  <author><time value="20260526"/><assignedAuthor><id root="2.16.840.1.113883.4.6" extension="1922000042"/><assignedPerson><name><given>Maren</given><family>Holloway</family><suffix>MD</suffix></name></assignedPerson></assignedAuthor></author>
  <custodian><assignedCustodian><representedCustodianOrganization><id root="${practice.oid}"/><name>${xml(practice.name)}</name></representedCustodianOrganization></assignedCustodian></custodian>
  <component><structuredBody>
    <component><section>${T('2.5.1')}<code code="11450-4" codeSystem="2.16.840.1.113883.6.1"/><title>Problems</title><text>${problems.map((p) => xml(p.name)).join('; ')}</text>
      ${problems
        .map(
          (p) => `<entry><act classCode="ACT" moodCode="EVN">${T('4.3')}<id root="${practice.oid}.1" extension="${docId}-pc-${p.snomed}"/><code code="CONC" codeSystem="2.16.840.1.113883.5.6"/><statusCode code="active"/>
        <entryRelationship typeCode="SUBJ"><observation classCode="OBS" moodCode="EVN">${T('4.4')}<id root="${practice.oid}.1" extension="${mrn}-p-${p.snomed}"/>
          <code code="55607006" codeSystem="2.16.840.1.113883.6.96"/><statusCode code="completed"/>
          <effectiveTime><low value="${p.onset}"/></effectiveTime>
          <value xsi:type="CD" code="${p.snomed}" codeSystem="2.16.840.1.113883.6.96" displayName="${xml(p.name)}"><translation code="${p.icd}" codeSystem="2.16.840.1.113883.6.90"/></value>
        </observation></entryRelationship></act></entry>`,
        )
        .join('\n')}
    </section></component>
    <component><section>${T('2.6.1')}<code code="48765-2" codeSystem="2.16.840.1.113883.6.1"/><title>Allergies</title><text>${penicillin ? 'Penicillin: hives' : 'No known drug allergies'}</text>
      <entry><act classCode="ACT" moodCode="EVN">${T('4.30')}<id root="${practice.oid}.2" extension="${mrn}-allergy"/><code code="CONC" codeSystem="2.16.840.1.113883.5.6"/><statusCode code="active"/>
        ${
          penicillin
            ? `<entryRelationship typeCode="SUBJ"><observation classCode="OBS" moodCode="EVN">${T('4.7')}<id root="${practice.oid}.2" extension="${mrn}-a1"/>
          <code code="ASSERTION" codeSystem="2.16.840.1.113883.5.4"/><statusCode code="completed"/><effectiveTime><low value="2008"/></effectiveTime>
          <value xsi:type="CD" code="416098002" codeSystem="2.16.840.1.113883.6.96" displayName="Drug allergy"/>
          <participant typeCode="CSM"><participantRole classCode="MANU"><playingEntity classCode="MMAT"><code code="7980" codeSystem="2.16.840.1.113883.6.88" displayName="Penicillin G"/></playingEntity></participantRole></participant>
          <entryRelationship typeCode="MFST" inversionInd="true"><observation classCode="OBS" moodCode="EVN">${T('4.9')}<code code="ASSERTION" codeSystem="2.16.840.1.113883.5.4"/><statusCode code="completed"/>
            <value xsi:type="CD" code="247472004" codeSystem="2.16.840.1.113883.6.96" displayName="Hives"/></observation></entryRelationship>
        </observation></entryRelationship>`
            : `<entryRelationship typeCode="SUBJ"><observation classCode="OBS" moodCode="EVN" negationInd="true">${T('4.7')}<id root="${practice.oid}.2" extension="${mrn}-a0"/>
          <code code="ASSERTION" codeSystem="2.16.840.1.113883.5.4"/><statusCode code="completed"/>
          <value xsi:type="CD" code="419199007" codeSystem="2.16.840.1.113883.6.96" displayName="Allergy to substance"/>
          <participant typeCode="CSM"><participantRole classCode="MANU"><playingEntity classCode="MMAT"><code nullFlavor="NA"><originalText>No known allergies</originalText></code></playingEntity></participantRole></participant>
        </observation></entryRelationship>`
        }</act></entry>
    </section></component>
    <component><section>${T('2.1.1')}<code code="10160-0" codeSystem="2.16.840.1.113883.6.1"/><title>Medications</title><text>${meds.map((m) => xml(m.name)).join('; ')}</text>
      ${meds
        .map(
          (m) => `<entry><substanceAdministration classCode="SBADM" moodCode="EVN">${T('4.16')}<id root="${practice.oid}.3" extension="${mrn}-m-${m.rxnorm}"/>
        <text>${xml(m.sig)}</text><statusCode code="active"/>
        <effectiveTime xsi:type="IVL_TS"><low value="${m.start}"/></effectiveTime>
        <routeCode code="C38288" codeSystem="2.16.840.1.113883.3.26.1.1" displayName="Oral"/>
        <doseQuantity value="1"/>
        <consumable><manufacturedProduct>${T('4.23')}<manufacturedMaterial><code code="${m.rxnorm}" codeSystem="2.16.840.1.113883.6.88" displayName="${xml(m.name)}"/></manufacturedMaterial></manufacturedProduct></consumable>
      </substanceAdministration></entry>`,
        )
        .join('\n')}
    </section></component>
    <component><section>${T('2.3.1')}<code code="30954-2" codeSystem="2.16.840.1.113883.6.1"/><title>Results</title><text>HbA1c ${a1c.toFixed(1)} % (Casco Bay Laboratory)</text>
      <entry><organizer classCode="BATTERY" moodCode="EVN">${T('4.1')}<id root="${practice.oid}.4" extension="${mrn}-o1"/>
        <code code="4548-4" codeSystem="2.16.840.1.113883.6.1" displayName="${HBA1C.name}"/><statusCode code="completed"/>
        <effectiveTime value="${TS(lastDraw)}"/>
        <component><observation classCode="OBS" moodCode="EVN">${T('4.2')}<id root="${practice.oid}.4" extension="${mrn}-r-a1c"/>
          <code code="${HBA1C.code}" codeSystem="2.16.840.1.113883.6.1" displayName="${HBA1C.name}"/><statusCode code="completed"/>
          <effectiveTime value="${TS(lastDraw)}"/><value xsi:type="PQ" value="${a1c.toFixed(1)}" unit="%"/>
          <interpretationCode code="${flag(a1c, HBA1C.range)}" codeSystem="2.16.840.1.113883.5.83"/>
          <referenceRange><observationRange><value xsi:type="IVL_PQ"><low value="4.0" unit="%"/><high value="5.6" unit="%"/></value></observationRange></referenceRange>
        </observation></component>
      </organizer></entry>
    </section></component>
    <component><section>${T('2.2.1')}<code code="11369-6" codeSystem="2.16.840.1.113883.6.1"/><title>Immunizations</title><text>Immunizations</text>
      ${immunizationEntries(person)}
    </section></component>
  </structuredBody></component>
</ClinicalDocument>`;
  return { org: practice.id, format: 'ccda', label: `CCD ${docId}`, content };
}

/** Every feed message of the demo, in the order the seed sends them. */
export function demoFeeds(shared: SharedPerson[], orgs: { hospital: FeedOrg; practice: FeedOrg; lab: FeedOrg }): DemoFeedMessage[] {
  const out: DemoFeedMessage[] = [];
  for (const [i, person] of shared.entries()) out.push(...labResults(person, i, orgs.lab));
  for (const [i, person] of shared.entries()) out.push(practiceCcd(person, i, orgs.practice));
  const [, moved, duplicated] = shared;
  if (moved && duplicated) out.push(...hospitalAdt(moved, duplicated, orgs.hospital));
  return out;
}

/**
 * Work for the HIE admin pages: a registration the master patient index must not decide alone
 * (the son of a shared person, same name and SSN, born 30 years later: always sent to review),
 * and a message from a hospital that is not a registered source yet (rejected, kept in the
 * message log until an admin registers the source and reprocesses it).
 */
export function adminExamples(person: SharedPerson, hospital: FeedOrg): { review: DemoFeedMessage; unknownSource: DemoFeedMessage } {
  const d = demographics(person.patient);
  const born = Number(d.birthDate.slice(0, 4)) + 30;
  const son = { ...d, birthDate: `${born > 2020 ? 2001 : born}${d.birthDate.slice(4)}`, line: '40 Pleasant Street', phone: '(207) 555-0177' };
  const review: DemoFeedMessage = {
    org: hospital.id,
    format: 'hl7v2',
    label: 'ADT^A04 registration of a namesake under the same SSN',
    content: [msh(hospital, 'ADT^A04^ADT_A01', 'KVA0402', '2026-05-30T09:00:00Z'), 'EVN|A04|20260530090000+0000', pid(son, 'R000001', hospital, { ssn: true }), 'PV1|1|O'].join('\r'),
  };
  const midcoast: FeedOrg = { id: 'mch', name: 'Midcoast Community Hospital', facility: 'MCH', oid: '2.16.840.1.113883.3.9999.1.9', mrnSystem: 'urn:oid:2.16.840.1.113883.3.9999.1.9' };
  const unknownSource: DemoFeedMessage = {
    org: midcoast.id,
    format: 'hl7v2',
    label: 'ADT^A01 from a hospital not yet registered',
    content: [msh(midcoast, 'ADT^A01^ADT_A01', 'MCH0001', '2026-05-31T07:30:00Z'), 'EVN|A01|20260531073000+0000', pid(d, 'M000001', midcoast), 'PV1|1|I|MED^101^1^MCH'].join('\r'),
  };
  return { review, unknownSource };
}
