/**
 * v2 data types → FHIR data types, after the v2-to-FHIR IG's datatype ConceptMaps
 * (https://build.fhir.org/ig/HL7/v2-to-fhir/ConceptMap-datatype-cwe-to-codeableconcept.html,
 * -cx-to-identifier, -xpn-to-humanname, -xad-to-address, -xtn-to-contactpoint, -ei-to-identifier,
 * -dtm-to-datetime).
 */
import type { Address, CodeableConcept, Coding, ContactPoint, HumanName, Identifier } from 'fhir/r4';
import type { Hl7Value } from '../message.ts';
import { derivedSystem } from './context.ts';
import { ADDRESS_USE, NAME_USE, V2_TABLE, codingSystem } from './tables.ts';

const DTM = /^(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\.\d{1,4})?([+-]\d{4})?$/;

/**
 * DTM/TS (TS.1) → FHIR dateTime. A time without a zone gets `defaultTz`, or is cut to the date
 * (FHIR dateTime requires a zone with any time). Returns null for text that is not a DTM.
 */
export function toDateTime(v2: string, defaultTz?: string): string | null | undefined {
  const s = v2.trim();
  if (s === '') return undefined;
  const m = DTM.exec(s);
  if (!m) return null;
  const [, y, mo, d, h, mi, sec, frac, tz] = m;
  if ((mo && (Number(mo) < 1 || Number(mo) > 12)) || (d && (Number(d) < 1 || Number(d) > 31)) || (h && Number(h) > 23) || (mi && Number(mi) > 59)) return null;
  let out = y as string;
  if (!mo) return out;
  out += `-${mo}`;
  if (!d) return out;
  out += `-${d}`;
  if (!h) return out;
  const zone = tz ? `${tz.slice(0, 3)}:${tz.slice(3)}` : defaultTz;
  if (!zone) return out;
  return `${out}T${h}:${mi ?? '00'}:${sec ?? '00'}${frac ?? ''}${zone}`;
}

/** DTM → FHIR date (birth dates and the like). */
export function toDate(v2: string): string | null | undefined {
  const dt = toDateTime(v2);
  return dt === null || dt === undefined ? dt : dt.slice(0, 10);
}

/** FHIR instant needs seconds and a zone: only full timestamps qualify. */
export function toInstant(v2: string, defaultTz?: string): string | undefined {
  const dt = toDateTime(v2, defaultTz);
  return dt && dt.length > 10 ? dt : undefined;
}

/** CWE/CE/CNE → CodeableConcept: primary triplet (1–3), alternate (4–6), text from CWE.9, .2 or .5. */
export function toCodeableConcept(v: Hl7Value): CodeableConcept | undefined {
  if (v.isEmpty) return undefined;
  const coding: Coding[] = [];
  for (const base of [1, 4]) {
    const code = v.get(base);
    const display = v.get(base + 1);
    const sysName = v.get(base + 2);
    if (code === '' && display === '') continue;
    const system = codingSystem(sysName);
    const c: Coding = {};
    if (system) c.system = system;
    if (base === 1 && v.get(7)) c.version = v.get(7);
    if (code) c.code = code;
    if (display) c.display = display;
    if (code) coding.push(c);
  }
  const text = v.get(9) || v.get(2) || v.get(5) || (coding.length === 0 ? v.get(1) : '');
  if (coding.length === 0 && text === '') return undefined;
  return { ...(coding.length > 0 ? { coding } : {}), ...(text ? { text } : {}) };
}

/** A coded value from a v2 table (IS/ID or CWE.1) as CodeableConcept in that table's system. */
export function tableConcept(code: string, table: string, display?: string): CodeableConcept | undefined {
  if (code === '') return undefined;
  return { coding: [{ system: V2_TABLE(table), code, ...(display ? { display } : {}) }] };
}

/** HD (CX.4, EI.2-4): an ISO/UUID/URI universal id gives the system; otherwise undefined. */
export function hdSystem(universalId: string, type: string): string | undefined {
  const t = type.toUpperCase();
  if (universalId === '') return undefined;
  if (t === 'ISO' || (t === '' && /^[0-2](\.\d+)+$/.test(universalId))) return `urn:oid:${universalId}`;
  if (t === 'UUID') return `urn:uuid:${universalId.toLowerCase()}`;
  if (t === 'URI' || t === 'URL') return universalId;
  return undefined;
}

/**
 * CX → Identifier. System: CX.4 ISO universal id → urn:oid; else `fallbackSystem` (the source's
 * configured system) for MR/PI/PT/unspecified types, and a derived system per other type so that
 * values of different kinds never share one system.
 */
export function cxToIdentifier(v: Hl7Value, fallbackSystem: string): Identifier | undefined {
  const value = v.get(1);
  if (value === '') return undefined;
  const type = v.get(5);
  let system = hdSystem(v.get(4, 2), v.get(4, 3));
  if (!system) {
    if (type === 'SS') system = 'http://hl7.org/fhir/sid/us-ssn';
    else if (type === '' || type === 'MR' || type === 'PI' || type === 'PT' || type === 'MRT') system = fallbackSystem;
    else system = derivedSystem(fallbackSystem, type.toLowerCase());
  }
  const id: Identifier = { system, value };
  if (type) id.type = { coding: [{ system: V2_TABLE('0203'), code: type }] };
  const assigner = v.get(4, 1);
  if (assigner) id.assigner = { display: assigner };
  const start = toDate(v.get(7));
  const end = toDate(v.get(8));
  if (start || end) id.period = { ...(start ? { start } : {}), ...(end ? { end } : {}) };
  return id;
}

/** EI (order numbers, document ids) → Identifier; system from EI.3/4 or derived from `kind` and EI.2. */
export function eiToIdentifier(v: Hl7Value, base: string, kind: string, typeCode?: string): Identifier | undefined {
  const value = v.get(1);
  if (value === '') return undefined;
  const ns = v.get(2).replace(/[^A-Za-z0-9.-]/g, '-').toLowerCase();
  const system = hdSystem(v.get(3), v.get(4)) ?? derivedSystem(base, ns ? `${kind}/${ns}` : kind);
  return { system, value, ...(typeCode ? { type: { coding: [{ system: V2_TABLE('0203'), code: typeCode }] } } : {}) };
}

/** XPN → HumanName (FN.1 surname, given, second names as more given, suffix, prefix, degree, type per table 0200). */
export function xpnToHumanName(v: Hl7Value): HumanName | undefined {
  const family = v.get(1, 1);
  const given = [v.get(2), ...v.get(3).split(' ')].filter((g) => g !== '');
  const name: HumanName = {};
  if (family) name.family = family;
  if (given.length > 0) name.given = given;
  const suffix = [v.get(4), v.get(6)].filter((s) => s !== '');
  if (suffix.length > 0) name.suffix = suffix;
  if (v.get(5)) name.prefix = [v.get(5)];
  const use = NAME_USE[v.get(7)];
  if (use) name.use = use;
  if (!name.family && !name.given) return undefined;
  return name;
}

/** XAD → Address (SAD.1 street, other designation, city, state, zip, country, type per table 0190, county). */
export function xadToAddress(v: Hl7Value): Address | undefined {
  const line = [v.get(1, 1), v.get(2)].filter((l) => l !== '');
  const a: Address = {};
  if (line.length > 0) a.line = line;
  if (v.get(3)) a.city = v.get(3);
  if (v.get(4)) a.state = v.get(4);
  if (v.get(5)) a.postalCode = v.get(5);
  if (v.get(6)) a.country = v.get(6);
  if (v.get(9)) a.district = v.get(9);
  if (Object.keys(a).length === 0) return undefined;
  const t = ADDRESS_USE[v.get(7)];
  if (t?.use) a.use = t.use;
  if (t?.type) a.type = t.type;
  return a;
}

/** XTN → ContactPoint: email from XTN.4, phone from area/local/extension (2.5+) or XTN.1 (2.3). */
export function xtnToContactPoint(v: Hl7Value, defaultUse: ContactPoint['use']): ContactPoint | undefined {
  const useCode = v.get(2);
  const equip = v.get(3);
  const email = v.get(4);
  if (email && (useCode === 'NET' || equip === 'Internet' || equip === 'X.400' || equip === '')) return { system: 'email', value: email, ...(useCode === 'WPN' ? { use: 'work' } : {}) };
  let value = '';
  if (v.get(7)) {
    value = [v.get(5) ? `+${v.get(5)}` : '', v.get(6) ? `(${v.get(6)})` : '', v.get(7)].filter((p) => p).join(' ');
    if (v.get(8)) value += ` ext ${v.get(8)}`;
  } else {
    value = v.get(1) || v.get(12);
  }
  if (value === '') return undefined;
  const system: ContactPoint['system'] = equip === 'FX' ? 'fax' : equip === 'BP' ? 'pager' : 'phone';
  let use = defaultUse;
  if (useCode === 'WPN') use = 'work';
  else if (useCode === 'PRN' || useCode === 'ORN' || useCode === 'VHN') use = 'home';
  if (equip === 'CP') use = 'mobile';
  return { system, value, ...(use ? { use } : {}) };
}

/** XCN → display text and identifier, for participants that are not materialised as Practitioner resources. */
export function xcnToReference(v: Hl7Value, base: string): { display?: string; identifier?: Identifier } | undefined {
  if (v.isEmpty) return undefined;
  const display = [v.get(6), v.get(3), v.get(4), v.get(2, 1), v.get(5)].filter((p) => p).join(' ');
  const idValue = v.get(1);
  const system = hdSystem(v.get(9, 2), v.get(9, 3)) ?? derivedSystem(base, 'practitioner');
  const out: { display?: string; identifier?: Identifier } = {};
  if (display) out.display = display;
  if (idValue) out.identifier = { system, value: idValue };
  return out.display || out.identifier ? out : undefined;
}
