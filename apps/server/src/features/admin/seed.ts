import type { Patient, Resource } from 'fhir/r4';
import { generateOrganization, generatePatientRecords } from '@kennebec/bench/generate';
import type { AppDeps } from '../../deps.ts';
import { createClient, findClient } from '../smart-auth/index.ts';
import { registerOrganizationAsSource } from '../sources/index.ts';
import { bulkWriteEntries } from '../fhir-api/index.ts';

/**
 * Demo data for `npm start` on an empty database: three organizations with their staff
 * (Practitioners), a synthetic population for each, and a demo system client whose
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

export async function seedDemo(deps: AppDeps, opts: SeedOptions = {}): Promise<{ seeded: boolean; resources: number }> {
  if (await isSeeded(deps)) return { seeded: false, resources: 0 };
  const perOrg = opts.patientsPerOrg ?? 40;
  const log = opts.log ?? (() => undefined);
  let resources = 0;
  // People who are patients of the first organization and also of the second, registered
  // there under its own MRN: the MPI links each pair to one Person, so the demo shows merged records.
  const shared: Patient[] = [];
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
      const items = batch.map((r) => ({ resource: r, id: r.id }));
      batch = [];
      await deps.store.transaction(async (repo, tx) => {
        const versions = await repo.createMany(items, ctx);
        const patients = versions.filter((v) => v.resourceType === 'Patient');
        await deps.audit.appendInTransaction(tx, bulkWriteEntries(actor, undefined, versions));
        if (deps.follower && patients.length > 0) await deps.follower.after(repo, tx, patients, ctx);
      });
      resources += items.length;
    };
    for (const rec of generatePatientRecords({ seed: 2000 + n, patients: perOrg, organization: org, now: DEMO_NOW })) {
      batch.push(rec.patient, ...rec.resources);
      if (n === 0 && shared.length < SHARED_PATIENTS) shared.push(rec.patient);
      if (batch.length >= 1000) await flush();
    }
    if (n === 1) {
      for (const [i, p] of shared.entries()) {
        const again: Patient = { ...p, id: `${org.id}-shared-${i}`, identifier: [{ system: org.mrnSystem, value: `S${String(i).padStart(6, '0')}`, type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] } }] };
        batch.push(again);
      }
    }
    if (batch.length > 0) await flush();
  }
  if (!(await findClient(deps.db, DEMO_CLIENT.id))) {
    await createClient(deps.db, { name: 'Demo system client', scopes: DEMO_CLIENT.scopes, clientId: DEMO_CLIENT.id, secret: DEMO_CLIENT.secret });
  }
  return { seeded: true, resources };
}

/** Lines printed at start: the demo credentials, when the demo client exists. */
export async function demoLogins(deps: Pick<AppDeps, 'db' | 'config'>): Promise<string[]> {
  if (!(await findClient(deps.db, DEMO_CLIENT.id))) return [];
  const base = deps.config.baseUrl;
  return [
    '',
    'Demo logins (demo data only):',
    `  System client   client_id=${DEMO_CLIENT.id}  client_secret=${DEMO_CLIENT.secret}  scope="${DEMO_CLIENT.scopes}"`,
    `  Get a token:    curl -s -u ${DEMO_CLIENT.id}:${DEMO_CLIENT.secret} -d grant_type=client_credentials ${base}/oauth2/token`,
    `  Then:           curl -H "Authorization: Bearer $TOKEN" "${base}/fhir/R4/Patient?name=smith"`,
    '',
  ];
}
