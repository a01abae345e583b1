import type { Binary, Patient, Resource } from 'fhir/r4';
import { errors } from '@kennebec/fhir';
import type { StoredVersion } from '@kennebec/fhir-store';
import { defaultPurpose, type AccessPoint, type PatientGroup, type Principal } from '../access/index.ts';
import type { SearchEngine } from '../fhir-api/index.ts';
import { groupSameFacts } from '../mpi/index.ts';

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

/** Another copy of the same fact, sent by another source (folded into the item shown). */
export interface FactCopyRef {
  resourceType: string;
  id: string;
  sourceOrg: string | null;
}

/** A section item: one fact, with every organization that sent it. */
export interface SectionItem extends RecordItem {
  /** Every source organization that sent this fact, the shown copy's first. */
  sources: string[];
  /** The other copies of the same fact (empty when only one source sent it, or without folding). */
  sameFact: FactCopyRef[];
}

export interface PortalDeps {
  access: AccessPoint;
  search: SearchEngine;
  readPatient: (id: string) => Promise<Patient | undefined>;
  /** A Binary (not deleted): a document's content, read once its DocumentReference is permitted. */
  readBinary: (id: string) => Promise<Binary | undefined>;
  organizationNames: (orgIds: readonly string[]) => Promise<Record<string, string>>;
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
export async function coveringGroups(deps: PortalDeps, principal: Principal, patientId: string, resourceType: string): Promise<readonly PatientGroup[]> {
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

/**
 * One section of a person's record, newest first per resource type. With `deduplicate` (the
 * default), copies of the same fact from different sources are folded into one item as
 * `Patient/$everything` folds them (ADR 0005, mpi's same-fact rules): the most complete copy is
 * shown, naming every source, and the others are listed in `sameFact`.
 */
export async function readSection(deps: PortalDeps, principal: Principal, patientId: string, section: Section, opts: { deduplicate?: boolean } = {}): Promise<SectionItem[]> {
  const rows: (RecordItem & { storedAt: number })[] = [];
  const person = new Set<string>();
  for (const [type, params] of SECTIONS[section]) {
    const groups = await coveringGroups(deps, principal, patientId, type);
    for (const g of groups) for (const id of g.patientIds) person.add(id);
    const filter = deps.access.searchFilter({ kind: 'patients', groups });
    const query: [string, string][] = [...params.map(([k, v]) => [k, v] as [string, string]), ['_count', String(SECTION_LIMIT)], ['_sort', '-_lastUpdated']];
    const result = await deps.search.search(type, query, { lenient: false, access: filter });
    rows.push(
      ...result.matches.map((v: StoredVersion) => ({ resourceType: v.resourceType, id: v.id, sourceOrg: v.sourceOrg, resource: v.resource as Resource, storedAt: Date.parse(v.lastUpdated) })),
    );
  }
  const item = ({ storedAt: _, ...r }: RecordItem & { storedAt: number }, others: RecordItem[]): SectionItem => ({
    ...r,
    sources: [...new Set([r, ...others].map((o) => o.sourceOrg).filter((o): o is string => o !== null))],
    sameFact: others.map((o) => ({ resourceType: o.resourceType, id: o.id, sourceOrg: o.sourceOrg })),
  });
  if (opts.deduplicate === false) return rows.map((r) => item(r, []));
  return groupSameFacts(rows, person).map((f) => item(rows[f.representative] as RecordItem & { storedAt: number }, f.others.map((i) => rows[i] as RecordItem)));
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
