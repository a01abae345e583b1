/**
 * recordTarget/patientRole → Patient (US Realm Header, 2.16.840.1.113883.10.20.22.1.1;
 * mapping per https://build.fhir.org/ig/HL7/ccda-on-fhir/CF-patient.html).
 * Race and ethnicity become the US Core extensions (OMB categories from the CDC Race &
 * Ethnicity code system 2.16.840.1.113883.6.238; sdtc:raceCode/ethnicGroupCode add detail).
 */
import type { Address, ContactPoint, Extension, HumanName, Patient } from 'fhir/r4';
import { CcdaError } from '../errors.ts';
import { NS_SDTC, attr, child, children, path, textContent, type XmlElement } from '../xml.ts';
import { identifiers, systemForOid } from './codes.ts';
import type { Context } from './context.ts';
import { dateTime } from './dates.ts';

const NAME_USE: Readonly<Record<string, HumanName['use']>> = { L: 'official', C: 'official', P: 'nickname', A: 'anonymous', ASGN: 'usual', OR: 'official', SRCH: 'usual' };
const ADDR_USE: Readonly<Record<string, Address['use']>> = { H: 'home', HP: 'home', HV: 'home', WP: 'work', DIR: 'work', PUB: 'work', TMP: 'temp', OLD: 'old', BAD: 'old', PHYS: 'home', PST: 'home' };
const TEL_USE: Readonly<Record<string, ContactPoint['use']>> = { H: 'home', HP: 'home', HV: 'home', WP: 'work', DIR: 'work', PUB: 'work', MC: 'mobile', PG: 'mobile', TMP: 'temp', BAD: 'old' };
const GENDER: Readonly<Record<string, Patient['gender']>> = { M: 'male', F: 'female', UN: 'other' };
const OMB_RACE = new Set(['1002-5', '2028-9', '2054-5', '2076-8', '2106-3', '2131-1']);
const OMB_ETHNICITY = new Set(['2135-2', '2186-5']);
const CDC_RACE_SYSTEM = 'urn:oid:2.16.840.1.113883.6.238';

function clean(s: string | undefined): string | undefined {
  const t = s?.replace(/\s+/g, ' ').trim();
  return t ? t : undefined;
}

export function humanName(el: XmlElement): HumanName | undefined {
  if (attr(el, 'nullFlavor')) return undefined;
  const given = children(el, 'given').map((g) => clean(textContent(g))).filter((g): g is string => !!g);
  const family = clean(children(el, 'family').map((f) => textContent(f)).join(' '));
  const prefix = children(el, 'prefix').map((g) => clean(textContent(g))).filter((g): g is string => !!g);
  const suffix = children(el, 'suffix').map((g) => clean(textContent(g))).filter((g): g is string => !!g);
  const use = NAME_USE[attr(el, 'use')?.split(/\s+/)[0] ?? ''];
  // A name given as plain text (no parts) is kept as HumanName.text.
  const text = !family && given.length === 0 ? clean(textContent(el)) : undefined;
  if (!family && given.length === 0 && !text) return undefined;
  return {
    ...(use ? { use } : {}),
    ...(text ? { text } : {}),
    ...(family ? { family } : {}),
    ...(given.length ? { given } : {}),
    ...(prefix.length ? { prefix } : {}),
    ...(suffix.length ? { suffix } : {}),
  };
}

export function address(el: XmlElement): Address | undefined {
  if (attr(el, 'nullFlavor')) return undefined;
  const part = (n: string): string | undefined => clean(textContent(child(el, n)));
  const line = children(el, 'streetAddressLine').map((l) => clean(textContent(l))).filter((l): l is string => !!l);
  const use = ADDR_USE[attr(el, 'use')?.split(/\s+/)[0] ?? ''];
  const a: Address = {
    ...(use ? { use } : {}),
    ...(line.length ? { line } : {}),
    ...(part('city') ? { city: part('city') } : {}),
    ...(part('state') ? { state: part('state') } : {}),
    ...(part('postalCode') ? { postalCode: part('postalCode') } : {}),
    ...(part('country') ? { country: part('country') } : {}),
  };
  return Object.keys(a).some((k) => k !== 'use') ? a : undefined;
}

/** TEL → ContactPoint (tel:, mailto:, fax:, http: URLs). */
export function telecom(el: XmlElement): ContactPoint | undefined {
  const raw = attr(el, 'value')?.trim();
  if (!raw || attr(el, 'nullFlavor')) return undefined;
  const m = /^(tel|mailto|fax|http|https):(.*)$/i.exec(raw);
  const scheme = m?.[1]?.toLowerCase();
  const value = clean(scheme === 'http' || scheme === 'https' ? raw : (m?.[2] ?? raw));
  if (!value) return undefined;
  const system: ContactPoint['system'] = scheme === 'mailto' ? 'email' : scheme === 'fax' ? 'fax' : scheme?.startsWith('http') ? 'url' : scheme === 'tel' ? 'phone' : 'other';
  const use = TEL_USE[attr(el, 'use')?.split(/\s+/)[0] ?? ''];
  return { system, value, ...(use ? { use } : {}) };
}

/** US Core race/ethnicity extension (http://hl7.org/fhir/us/core/StructureDefinition/us-core-race). */
function raceLike(url: string, omb: ReadonlySet<string>, codes: XmlElement[]): Extension | undefined {
  const parts: Extension[] = [];
  const labels: string[] = [];
  for (const c of codes) {
    const code = attr(c, 'code');
    if (!code || attr(c, 'nullFlavor')) continue;
    const display = attr(c, 'displayName');
    const valueCoding = { system: CDC_RACE_SYSTEM, code, ...(display ? { display } : {}) };
    parts.push({ url: omb.has(code) ? 'ombCategory' : 'detailed', valueCoding });
    labels.push(display ?? code);
  }
  if (parts.length === 0) return undefined;
  return { url, extension: [...parts, { url: 'text', valueString: labels.join(', ') }] };
}

function birthDate(el: XmlElement | undefined): string | undefined {
  return dateTime(el)?.slice(0, 10);
}

/** Builds the Patient entry; throws ccda-missing-patient when the header names no patient. */
export function mapPatient(ctx: Context, doc: XmlElement): void {
  const role = path(doc, 'recordTarget', 'patientRole');
  const pat = child(role, 'patient');
  if (!role || !pat) throw new CcdaError('ccda-missing-patient', 'The document has no recordTarget/patientRole/patient', role?.line ?? doc.line);
  const ids = identifiers(role);
  const names = children(pat, 'name').map(humanName).filter((n): n is HumanName => !!n);
  const gender = GENDER[attr(child(pat, 'administrativeGenderCode'), 'code') ?? ''] ?? (child(pat, 'administrativeGenderCode') ? 'unknown' : undefined);
  const birth = birthDate(child(pat, 'birthTime'));
  const addresses = children(role, 'addr').map(address).filter((a): a is Address => !!a);
  const telecoms = children(role, 'telecom').map(telecom).filter((t): t is ContactPoint => !!t);
  const race = raceLike('http://hl7.org/fhir/us/core/StructureDefinition/us-core-race', OMB_RACE, [
    ...children(pat, 'raceCode'),
    ...children(pat, 'raceCode', NS_SDTC),
  ]);
  const ethnicity = raceLike('http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity', OMB_ETHNICITY, [
    ...children(pat, 'ethnicGroupCode'),
    ...children(pat, 'ethnicGroupCode', NS_SDTC),
  ]);
  const extension = [race, ethnicity].filter((e): e is Extension => !!e);
  const deceased = child(pat, 'deceasedInd', NS_SDTC);
  const lang = attr(path(pat, 'languageCommunication', 'languageCode'), 'code');
  const marital = child(pat, 'maritalStatusCode');
  const maritalCode = attr(marital, 'code');

  const demographics = JSON.stringify([names[0]?.family ?? '', names[0]?.given ?? [], birth ?? '', gender ?? '']);
  ctx.patientKey = ids[0] ? `${ids[0].system}|${ids[0].value}` : demographics;
  const { key, all } = ctx.factKey('Patient', role, [demographics]);
  const patient: Patient = {
    resourceType: 'Patient',
    ...(extension.length ? { extension } : {}),
    identifier: all,
    ...(names.length ? { name: names } : {}),
    ...(telecoms.length ? { telecom: telecoms } : {}),
    ...(gender ? { gender } : {}),
    ...(birth ? { birthDate: birth } : {}),
    ...(deceased && attr(deceased, 'value') ? { deceasedBoolean: attr(deceased, 'value') === 'true' } : {}),
    ...(addresses.length ? { address: addresses } : {}),
    ...(maritalCode && !attr(marital, 'nullFlavor')
      ? { maritalStatus: { coding: [{ system: systemForOid(attr(marital, 'codeSystem') ?? '2.16.840.1.113883.5.2'), code: maritalCode }] } }
      : {}),
    ...(lang ? { communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: lang }] } }] } : {}),
  };
  ctx.patientRef = ctx.add(patient, key) ?? {};
}
