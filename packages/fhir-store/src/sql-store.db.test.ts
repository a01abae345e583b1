import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Observation, Patient } from 'fhir/r4';
import type { Database } from '@kennebec/db';
import { createTestDatabase } from '@kennebec/test-support';
import { OutcomeError } from '@kennebec/fhir';
import { SqlFhirStore } from './sql-store.ts';
import { emptyIndexRows } from './types.ts';

let db: Database;
let store: SqlFhirStore;
let tick = Date.parse('2026-01-01T00:00:00Z');

beforeAll(async () => {
  db = await createTestDatabase();
  store = new SqlFhirStore(db, { buildIndexRows: () => emptyIndexRows(), now: () => new Date((tick += 1000)) });
});
afterAll(async () => {
  await db.close();
});

const ctx = { author: 'Client/test', sourceOrg: 'org-1' };
const patient: Patient = { resourceType: 'Patient', name: [{ family: 'Lowell', given: ['Ada'] }] };

describe('SqlFhirStore contract', () => {
  it('creates with a server id and version 1, and reads it back', async () => {
    const created = await store.transaction((repo) => repo.create(patient, ctx));
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.versionId).toBe(1);
    const read = await store.read('Patient', created.id);
    expect(read?.resource).toMatchObject({ resourceType: 'Patient', id: created.id, meta: { versionId: '1' } });
    expect(read?.author).toBe('Client/test');
    expect(read?.sourceOrg).toBe('org-1');
  });

  it('updates to a new version and keeps the old one for vread', async () => {
    const created = await store.transaction((repo) => repo.create(patient, ctx));
    const { version } = await store.transaction((repo) =>
      repo.update({ ...patient, id: created.id, gender: 'female' }, { author: 'Client/other' }),
    );
    expect(version.versionId).toBe(2);
    expect((await store.vread('Patient', created.id, 1))?.resource).not.toHaveProperty('gender');
    expect((await store.vread('Patient', created.id, 2))?.resource).toMatchObject({ gender: 'female' });
    expect((await store.read('Patient', created.id))?.author).toBe('Client/other');
  });

  it('rejects an update whose If-Match version is stale', async () => {
    const created = await store.transaction((repo) => repo.create(patient, ctx));
    await store.transaction((repo) => repo.update({ ...patient, id: created.id }, ctx, { ifMatch: 1 }));
    await expect(store.transaction((repo) => repo.update({ ...patient, id: created.id }, ctx, { ifMatch: 1 }))).rejects.toSatisfy(
      (e) => e instanceof OutcomeError && e.status === 412,
    );
  });

  it('creates on update when the id is new (update-as-create)', async () => {
    const res = await store.transaction((repo) => repo.update({ ...patient, id: 'chosen-id-1' }, ctx));
    expect(res.created).toBe(true);
    expect(res.version.versionId).toBe(1);
  });

  it('marks a deleted resource, keeps its history, and deleting again is a no-op', async () => {
    const created = await store.transaction((repo) => repo.create(patient, ctx));
    const del = await store.transaction((repo) => repo.delete('Patient', created.id, ctx));
    expect(del?.versionId).toBe(2);
    const read = await store.read('Patient', created.id);
    expect(read?.deleted).toBe(true);
    expect(read?.resource).toBeUndefined();
    expect(await store.transaction((repo) => repo.delete('Patient', created.id, ctx))).toBeUndefined();
    const hist = await store.history('Patient', created.id);
    expect(hist.versions.map((v) => [v.versionId, v.method])).toEqual([
      [2, 'DELETE'],
      [1, 'POST'],
    ]);
  });

  it('rolls back every write of a failed transaction', async () => {
    const obs: Observation = { resourceType: 'Observation', status: 'final', code: { text: 'x' } };
    let id = '';
    await expect(
      store.transaction(async (repo) => {
        id = (await repo.create(obs, ctx)).id;
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.read('Observation', id)).toBeUndefined();
  });

  it('pages type history with a cursor that survives concurrent writes', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await store.transaction((repo) => repo.create({ resourceType: 'Goal', lifecycleStatus: 'active', description: { text: 'g' }, subject: { reference: 'Patient/x' } }, ctx))).id);
    const p1 = await store.history('Goal', undefined, { count: 2 });
    expect(p1.total).toBe(5);
    await store.transaction((repo) => repo.create({ resourceType: 'Goal', lifecycleStatus: 'active', description: { text: 'late' }, subject: { reference: 'Patient/x' } }, ctx));
    const p2 = await store.history('Goal', undefined, { count: 2, ...(p1.nextCursor ? { cursor: p1.nextCursor } : {}) });
    const p3 = await store.history('Goal', undefined, { count: 2, ...(p2.nextCursor ? { cursor: p2.nextCursor } : {}) });
    const seen = [...p1.versions, ...p2.versions, ...p3.versions].map((v) => v.id);
    expect(new Set(seen).size).toBe(5);
    expect(seen.sort()).toEqual([...ids].sort());
  });
});
