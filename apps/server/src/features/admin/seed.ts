import type { Immunization, Resource } from 'fhir/r4';
import { generateOrganization, generatePatientRecords } from '@kennebec/bench/generate';
import type { AppDeps } from '../../deps.ts';
import type { FhirRequest, FhirResponse } from '../fhir-api/index.ts';
import { ingestCcda, ingestDepsFor, ingestHl7v2 } from '../ingestion/index.ts';
import { createClient, findClient } from '../smart-auth/index.ts';
import { registerOrganizationAsSource } from '../sources/index.ts';
import { adminExamples, demoFeeds, type FeedOrg, type SharedPerson } from './demo-feeds.ts';
import { bulkWriteEntries } from '../fhir-api/index.ts';
import { demoPatientName, demoPeopleLines, seedDemoPeople } from './demo-people.ts';

/**
 * Demo data for `npm start` on an empty database: three organizations with their staff
 * (Practitioners), a synthetic population for each (loaded as each source's initial FHIR
 * load), then the feeds they send about ten people they share (HL7 v2 results and ADT, C-CDA
 * documents; see demo-feeds.ts), ingested through the same pipeline as live feeds so that the
 * master patient index merges them into one record per person. A demo system client's
 * credentials are printed at start. Nothing here is real: names, addresses and SSNs are made up.
 */
export const DEMO_ORG_SYSTEM = 'https://kennebec.health/fhir/sid/demo-organization';
export const DEMO_CLIENT = { id: 'demo-client', secret: 'demo-secret-not-for-production', scopes: 'system/*.cruds' };
const DEMO_NOW = '2026-06-01T12:00:00Z';
const SHARED_PATIENTS = 10;

export const DEMO_ORGS = [
  { id: 'kvmc', name: 'Kennebec Valley Medical Center', facility: 'KVMC', oid: '2.16.840.1.113883.3.9999.1.1' },
  { id: 'pbfp', name: 'Penobscot Bay Family Practice', facility: 'PBFP', oid: '2.16.840.1.113883.3.9999.1.2' },
  { id: 'cblab', name: 'Casco Bay Laboratory', facility: 'CBLAB', oid: '2.16.840.1.113883.3.9999.1.3' },
].map((o) => ({ ...o, mrnSystem: `urn:oid:${o.oid}` }));

export interface SeedOptions {
  /** The FHIR API's dispatcher, through which feeds are applied as they are in production. */
  dispatch: (req: FhirRequest) => Promise<FhirResponse>;
  patientsPerOrg?: number;
  log?: (line: string) => void;
}

export async function isSeeded(deps: Pick<AppDeps, 'db'>): Promise<boolean> {
  const res = await deps.db.query(
    `select 1 from resource where resource_type = 'Organization' and content -> 'identifier' @> $1::jsonb limit 1`,
    [JSON.stringify([{ system: DEMO_ORG_SYSTEM }])],
  );
  return res.rows.length > 0;
}

export async function seedDemo(deps: AppDeps, opts: SeedOptions): Promise<{ seeded: boolean; resources: number; messages: number }> {
  if (await isSeeded(deps)) return { seeded: false, resources: 0, messages: 0 };
  const perOrg = opts.patientsPerOrg ?? 40;
  const log = opts.log ?? (() => undefined);
  let resources = 0;
  // Patients of the hospital about whom the practice and the laboratory send feeds.
  const shared: SharedPerson[] = [];
  for (const [n, org] of DEMO_ORGS.entries()) {
    log(`Seeding ${org.name}: ${perOrg} patients…`);
    const generated = generateOrganization({ seed: 1000 + n, organization: org });
    const organization = { ...generated.organization, identifier: [...(generated.organization.identifier ?? []), { system: DEMO_ORG_SYSTEM, value: org.id }] };
    const withMarker: Resource[] = [organization, ...generated.practitioners, generated.location];
    const ctx = { author: 'System/seed', sourceOrg: org.id };
    const actor = { kind: 'system', origin: 'seed', orgId: org.id } as const;
    await deps.store.transaction(async (repo, tx) => {
      const versions = await repo.createMany(withMarker.map((r) => ({ resource: r, id: r.id })), ctx);
      await registerOrganizationAsSource(tx, org.id, { name: org.name, hl7Facility: org.facility, oid: org.oid });
      await deps.audit.appendInTransaction(tx, bulkWriteEntries(actor, undefined, versions));
    });
    resources += withMarker.length;
    let batch: Resource[] = [];
    const flush = async (): Promise<void> => {
      const items = batch;
      batch = [];
      await writeAsSource(deps, org.id, items);
      resources += items.length;
    };
    for (const rec of generatePatientRecords({ seed: 2000 + n, patients: perOrg, organization: org, now: DEMO_NOW })) {
      batch.push(rec.patient, ...rec.resources);
      if (n === 0 && shared.length < SHARED_PATIENTS) {
        shared.push({ patient: rec.patient, immunizations: rec.resources.filter((r): r is Immunization => r.resourceType === 'Immunization') });
      }
      if (batch.length >= 1000) await flush();
    }
    if (batch.length > 0) await flush();
  }
  const messages = await sendDemoFeeds(deps, opts, shared);
  const sharedPatientId = shared[0]?.patient.id;
  if (!sharedPatientId) throw new Error('The demo needs at least one patient per organization');
  await seedDemoPeople(deps, { sharedPatientId, writeAsSource: (orgId, items) => writeAsSource(deps, orgId, items), log });
  if (!(await findClient(deps.db, DEMO_CLIENT.id))) {
    await createClient(deps.db, { name: 'Demo system client', scopes: DEMO_CLIENT.scopes, clientId: DEMO_CLIENT.id, secret: DEMO_CLIENT.secret });
  }
  return { seeded: true, resources, messages };
}

/** Writes resources as a source's initial load: one transaction, audited, each Patient linked by the MPI. */
async function writeAsSource(deps: AppDeps, orgId: string, resources: Resource[]): Promise<void> {
  const ctx = { author: 'System/seed', sourceOrg: orgId };
  const actor = { kind: 'system', origin: 'seed', orgId } as const;
  await deps.store.transaction(async (repo, tx) => {
    const versions = await repo.createMany(resources.map((r) => ({ resource: r, id: r.id })), ctx);
    const patients = versions.filter((v) => v.resourceType === 'Patient');
    await deps.audit.appendInTransaction(tx, bulkWriteEntries(actor, undefined, versions));
    if (deps.follower && patients.length > 0) await deps.follower.after(repo, tx, patients, ctx);
  });
}

/** Sends the demo organizations' feeds through ingest; a message that is not accepted stops the seed. */
async function sendDemoFeeds(deps: AppDeps, opts: SeedOptions, shared: SharedPerson[]): Promise<number> {
  const [hospital, practice, lab] = DEMO_ORGS as [FeedOrg, FeedOrg, FeedOrg];
  const feeds = demoFeeds(shared, { hospital, practice, lab });
  const log = opts.log ?? (() => undefined);
  log(`Sending ${feeds.length} feed messages (HL7 v2 results and ADT, C-CDA documents) for ${shared.length} shared people…`);
  const ingest = ingestDepsFor(deps, opts.dispatch);
  for (const msg of feeds) {
    if (msg.format === 'hl7v2') {
      const result = await ingestHl7v2(ingest, msg.content, 'file');
      if (result.code !== 'AA') throw new Error(`Demo feed ${msg.label} from ${msg.org} was not accepted: ${result.ack.replace(/\r/g, ' / ')}`);
    } else {
      await ingestCcda(ingest, msg.content, msg.org, deps.config.bodyLimit);
    }
  }
  // Work waiting for the HIE admin: a pair to review and a message from an unregistered source.
  const example = shared[3];
  if (example) {
    const { review, unknownSource } = adminExamples(example, hospital);
    const reviewed = await ingestHl7v2(ingest, review.content, 'file');
    if (reviewed.code !== 'AA') throw new Error(`Demo feed ${review.label} was not accepted: ${reviewed.ack.replace(/\r/g, ' / ')}`);
    const rejected = await ingestHl7v2(ingest, unknownSource.content, 'file');
    if (rejected.code === 'AA') throw new Error(`Demo feed ${unknownSource.label} should have been rejected`);
    log('Left a pair in the matching review queue and a rejected message from an unregistered hospital for the HIE admin');
  }
  return feeds.length;
}

/** Lines printed at start: the demo credentials, when the demo client exists. */
export async function demoLogins(deps: Pick<AppDeps, 'db' | 'config'>): Promise<string[]> {
  if (!(await findClient(deps.db, DEMO_CLIENT.id))) return [];
  const base = deps.config.baseUrl;
  return [
    '',
    'Demo logins (demo data only):',
    `  Portal, staff console and HIE admin: ${base}/  ${base}/staff  ${base}/admin`,
    ...demoPeopleLines(await demoPatientName(deps)),
    `  System client   client_id=${DEMO_CLIENT.id}  client_secret=${DEMO_CLIENT.secret}  scope="${DEMO_CLIENT.scopes}"`,
    `  Get a token:    curl -s -u ${DEMO_CLIENT.id}:${DEMO_CLIENT.secret} -d grant_type=client_credentials ${base}/oauth2/token`,
    `  Then:           curl -H "Authorization: Bearer $TOKEN" "${base}/fhir/R4/Patient?name=smith"`,
    '',
  ];
}
