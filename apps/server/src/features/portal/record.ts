import type { Patient, Resource } from 'fhir/r4';
import { errors } from '@kennebec/fhir';
import type { StoredVersion } from '@kennebec/fhir-store';
import { defaultPurpose, type AccessPoint, type PatientGroup, type Principal } from '../access/index.ts';
import type { SearchEngine } from '../fhir-api/index.ts';

/**
 * The patient-facing record: the people an account may see (themself, those it acts for) and,
 * per person, one section of their record from every source organization. Every answer comes
 * from the access point: the permit's patients and hidden labels become part of the search,
 * so nothing outside them is read, let alone returned.
 */
export const SECTIONS = {
  labs: [
    ['Observation', [['category', 'laboratory']]],
    ['DiagnosticReport', []],
  ],
  vitals: [['Observation', [['category', 'vital-signs']]]],
  medications: [
    ['MedicationRequest', []],
    ['MedicationStatement', []],
  ],
  allergies: [['AllergyIntolerance', []]],
  problems: [['Condition', []]],
  immunizations: [['Immunization', []]],
  visits: [['Encounter', []]],
  documents: [['DocumentReference', []]],
} as const satisfies Record<string, readonly (readonly [string, readonly (readonly [string, string])[]])[]>;
export type Section = keyof typeof SECTIONS;
export const SECTION_NAMES = Object.keys(SECTIONS) as Section[];

/** Most items per resource type in one section (the newest first). */
export const SECTION_LIMIT = 200;

export interface PersonEntry {
  patientId: string;
  relation: 'self' | 'proxy';
  name: string | null;
  birthDate: string | null;
  /** Labels whose resources are not shown (a teen's confidential information to a parent). */
  hiddenLabels: string[];
}

export interface RecordItem {
  resourceType: string;
  id: string;
  sourceOrg: string | null;
  resource: Resource;
}

export interface PortalDeps {
  access: AccessPoint;
  search: SearchEngine;
  readPatient: (id: string) => Promise<Patient | undefined>;
  organizationNames: (items: readonly RecordItem[]) => Promise<Record<string, string>>;
}

function displayName(p: Patient | undefined): string | null {
  const n = p?.name?.[0];
  if (!n) return null;
  return n.text ?? ([...(n.given ?? []), n.family].filter(Boolean).join(' ') || null);
}

/** The account itself and the people it currently acts for (an active grant that lets it view the clinical record). */
export async function listPeople(deps: PortalDeps, principal: Principal): Promise<PersonEntry[]> {
  const people: PersonEntry[] = [];
  const entry = async (patientId: string, relation: 'self' | 'proxy', hiddenLabels: readonly string[]): Promise<PersonEntry> => {
    const p = await deps.readPatient(patientId);
    return { patientId, relation, name: displayName(p), birthDate: p?.birthDate ?? null, hiddenLabels: [...hiddenLabels] };
  };
  for (const id of principal.own ?? []) people.push(await entry(id, 'self', []));
  for (const s of principal.proxies) {
    if (s.decision.active && s.decision.permissions.clinical !== 'none') people.push(await entry(s.subject, 'proxy', [...s.decision.hiddenLabels]));
  }
  return people;
}

/**
 * The groups (patients and hidden labels) that cover this person for the actor, or 404 when
 * none does: a person the account may not see is answered exactly like one that does not exist.
 */
async function coveringGroups(deps: PortalDeps, principal: Principal, patientId: string, resourceType: string): Promise<readonly PatientGroup[]> {
  const notFound = errors.notFound(`Person ${patientId}`);
  const d = deps.access.decide(principal, { action: 'search', resourceType, patients: [patientId], purpose: defaultPurpose(principal.actor) });
  if (!d.permit) {
    // Not covered: a 404, whatever the reason, unless the actor may not read this kind of data at all.
    const any = deps.access.decide(principal, { action: 'search', resourceType, patients: 'any', purpose: defaultPurpose(principal.actor) });
    throw any.permit ? notFound : errors.forbidden(`Not permitted to read ${resourceType}: ${any.reason}`);
  }
  if (d.scope.kind === 'patients') return d.scope.groups;
  const person = await deps.access.samePerson([patientId]);
  if (d.scope.kind === 'organization') {
    const cared = await deps.access.caredForBy(d.scope.orgId, [patientId]);
    if (!cared.has(patientId)) throw notFound;
  }
  return [{ patientIds: person, hiddenLabels: [], relation: 'self' }];
}

export async function readSection(deps: PortalDeps, principal: Principal, patientId: string, section: Section): Promise<RecordItem[]> {
  const items: RecordItem[] = [];
  for (const [type, params] of SECTIONS[section]) {
    const groups = await coveringGroups(deps, principal, patientId, type);
    const filter = deps.access.searchFilter({ kind: 'patients', groups });
    const query: [string, string][] = [...params.map(([k, v]) => [k, v] as [string, string]), ['_count', String(SECTION_LIMIT)], ['_sort', '-_lastUpdated']];
    const result = await deps.search.search(type, query, { lenient: false, access: filter });
    items.push(...result.matches.map((v: StoredVersion) => ({ resourceType: v.resourceType, id: v.id, sourceOrg: v.sourceOrg, resource: v.resource as Resource })));
  }
  return items;
}

/** The resource types a record download holds: the person's own Patient records and every section. */
export const EXPORT_TYPES: readonly string[] = ['Patient', ...new Set(SECTION_NAMES.flatMap((s) => SECTIONS[s].map(([type]) => type)))];
const EXPORT_PAGE = 500;

/**
 * The whole record of a person as this account may see it, for download: every resource of
 * every section (all pages, not the newest 200), and the person's Patient records, from every
 * source organization. The same decision as the sections: a person the account may not see is
 * a 404, hidden labels stay hidden.
 */
export async function exportRecord(deps: PortalDeps, principal: Principal, patientId: string): Promise<RecordItem[]> {
  const items: RecordItem[] = [];
  for (const type of EXPORT_TYPES) {
    const groups = await coveringGroups(deps, principal, patientId, type);
    const filter = deps.access.searchFilter({ kind: 'patients', groups });
    let cursor: string | undefined;
    do {
      const query: [string, string][] = [['_count', String(EXPORT_PAGE)], ['_sort', '_id'], ...(cursor ? [['_cursor', cursor] as [string, string]] : [])];
      const page = await deps.search.search(type, query, { lenient: false, access: filter });
      items.push(...page.matches.map((v: StoredVersion) => ({ resourceType: v.resourceType, id: v.id, sourceOrg: v.sourceOrg, resource: v.resource as Resource })));
      cursor = page.nextCursor;
    } while (cursor);
  }
  return items;
}
