import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Observation, Patient } from 'fhir/r4';
import type { Database, Queryable } from '@kennebec/db';
import { createTestDatabase } from '@kennebec/test-support';
import { OutcomeError } from '@kennebec/fhir';
import { buildIndexRows } from './search/index.ts';
import { SqlFhirStore } from './sql-store.ts';
import type { TokenKey, UpdateManyItem } from './sql-repository.ts';
import { sameContent } from './write-many.ts';

/** The batched writes (updateMany), lookups (findByTokens) and locks (lockKeys) of the store. */
let db: Database;
let store: SqlFhirStore;
let tick = Date.parse('2026-02-01T00:00:00Z');

beforeAll(async () => {
  db = await createTestDatabase();
  store = new SqlFhirStore(db, { buildIndexRows, now: () => new Date((tick += 1000)) });
});
afterAll(async () => {
  await db.close();
});

const ctx = { author: 'Client/test', sourceOrg: 'org-1' };
const MRN = 'urn:oid:2.16.840.1.113883.3.77';
let seq = 0;
const unique = (prefix: string): string => `${prefix}-${++seq}-${Math.random().toString(36).slice(2, 8)}`;

function patient(id: string, mrn: string, family = 'Lowell'): Patient & { id: string } {
  return { resourceType: 'Patient', id, identifier: [{ system: MRN, value: mrn }], name: [{ family, given: ['Ada'] }], gender: 'female' };
}

function observation(id: string, value: number): Observation & { id: string } {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    identifier: [{ system: 'https://lab.example/obs', value: id }],
    code: { coding: [{ system: 'http://loinc.org', code: '2345-7' }] },
    subject: { reference: 'Patient/p' },
    valueQuantity: { value, unit: 'mg/dL', system: 'http://unitsofmeasure.org', code: 'mg/dL' },
  };
}

/** Everything stored about some resources: current rows, history and every index row, without timestamps. */
async function snapshot(q: Queryable, ids: string[]): Promise<unknown> {
  const rows = async (sql: string): Promise<unknown[]> => (await q.query(sql, [ids])).rows;
  const tables = ['sp_string', 'sp_token', 'sp_reference', 'sp_date', 'sp_number', 'sp_quantity', 'sp_uri'];
  const index: Record<string, unknown[]> = {};
  for (const t of tables) {
    index[t] = await rows(`select x.* from ${t} x where x.resource_id = any($1::text[]) order by x::text`);
  }
  return {
    current: await rows(`select resource_type, id, version_id, deleted, content - 'meta' as content, author, source_org from resource where id = any($1::text[]) order by id`),
    history: await rows(`select resource_type, id, version_id, deleted, method, content - 'meta' as content from resource_history where id = any($1::text[]) order by id, version_id`),
    index,
  };
}

describe('updateMany', () => {
  it('stores what one update after another would: versions, history and index rows', async () => {
    const [a, b, c] = [unique('a'), unique('b'), unique('c')];
    const [a2, b2, c2] = [unique('a'), unique('b'), unique('c')];
    // Same starting point for both: a exists, b exists and is deleted, c does not exist.
    for (const [x, y] of [[a, b], [a2, b2]] as const) {
      await store.transaction(async (repo) => {
        await repo.create(observation(x, 1), ctx, x);
        await repo.create(observation(y, 1), ctx, y);
        await repo.delete('Observation', y, ctx);
      });
    }
    const one = await store.transaction(async (repo) => [
      await repo.update(observation(a, 2), ctx),
      await repo.update(observation(b, 3), ctx),
      await repo.update(observation(c, 4), ctx),
    ]);
    const many = await store.transaction((repo) => repo.updateMany([{ resource: observation(a2, 2) }, { resource: observation(b2, 3) }, { resource: observation(c2, 4) }], ctx));
    expect(many.map((r) => [r.version.versionId, r.created])).toEqual(one.map((r) => [r.version.versionId, r.created]));
    expect(many.map((r) => [r.version.versionId, r.created])).toEqual([
      [2, false],
      [3, true],
      [1, true],
    ]);
    const rename = (s: unknown): string => JSON.stringify(s).replaceAll(a2, a).replaceAll(b2, b).replaceAll(c2, c);
    expect(rename(await snapshot(db, [a2, b2, c2]))).toBe(JSON.stringify(await snapshot(db, [a, b, c])));
  });

  it('writes a resource named twice as two versions, in order', async () => {
    const id = unique('twice');
    const res = await store.transaction((repo) => repo.updateMany([{ resource: observation(id, 1) }, { resource: observation(id, 2) }], ctx));
    expect(res.map((r) => r.version.versionId)).toEqual([1, 2]);
    const current = await store.read('Observation', id);
    expect((current?.resource as Observation).valueQuantity?.value).toBe(2);
    expect((await store.history('Observation', id)).total).toBe(2);
  });

  it('keeps the current version when the content is unchanged, keys in any order', async () => {
    const id = unique('same');
    const [first] = await store.transaction((repo) => repo.updateMany([{ resource: patient(id, unique('mrn')) }], ctx));
    const stored = first?.version.resource as Patient;
    // The same content with its keys in another order and the server's meta: not a change.
    const reordered = Object.fromEntries(Object.entries(stored).reverse()) as Patient & { id: string };
    const [again] = await store.transaction((repo) => repo.updateMany([{ resource: reordered }], ctx, { keepUnchanged: true }));
    expect(again).toMatchObject({ created: false, unchanged: true });
    expect(again?.version.versionId).toBe(1);
    expect((await store.history('Patient', id)).total).toBe(1);
    const [changed] = await store.transaction((repo) => repo.updateMany([{ resource: { ...reordered, gender: 'male' } }], ctx, { keepUnchanged: true }));
    expect(changed?.unchanged).toBeUndefined();
    expect(changed?.version.versionId).toBe(2);
  });

  it('rejects a stale If-Match with 412 and writes nothing', async () => {
    const id = unique('ifmatch');
    const other = unique('other');
    await store.transaction((repo) => repo.updateMany([{ resource: observation(id, 1) }, { resource: observation(id, 2) }], ctx));
    await expect(store.transaction((repo) => repo.updateMany([{ resource: observation(other, 1) }, { resource: observation(id, 3), ifMatch: 1 }], ctx))).rejects.toSatisfy(
      (e) => e instanceof OutcomeError && e.status === 412,
    );
    expect(await store.read('Observation', other)).toBeUndefined();
    expect((await store.read('Observation', id))?.versionId).toBe(2);
  });

  it('trusts the current versions the caller read under lock, and creates for null', async () => {
    const id = unique('known');
    const fresh = unique('fresh');
    await store.transaction((repo) => repo.create(observation(id, 1), ctx, id));
    const res = await store.transaction(async (repo) => {
      const key: TokenKey = { resourceType: 'Observation', param: 'identifier', system: 'https://lab.example/obs', code: id };
      const [[current]] = (await repo.findByTokens([key])) as [[NonNullable<UpdateManyItem['current']>]];
      return repo.updateMany([{ resource: observation(id, 5), current }, { resource: observation(fresh, 6), current: null }], ctx);
    });
    expect(res.map((r) => [r.version.versionId, r.created])).toEqual([
      [2, false],
      [1, true],
    ]);
    expect((await store.read('Observation', fresh))?.versionId).toBe(1);
  });

  it("stores every version with the server's additions (prepareContent) and compares content with them", async () => {
    const label = { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'HIV' };
    const labelled = new SqlFhirStore(db, {
      buildIndexRows,
      now: () => new Date((tick += 1000)),
      prepareContent: (r) => ({ ...r, meta: { ...r.meta, security: [label] } }),
    });
    const id = unique('label');
    const fresh = unique('label');
    await labelled.transaction((repo) => repo.create(observation(id, 1), ctx, id));
    const res = await labelled.transaction((repo) => repo.updateMany([{ resource: observation(id, 2) }, { resource: observation(fresh, 3) }], ctx));
    for (const r of res) expect(r.version.resource?.meta?.security).toEqual([label]);
    for (const i of [id, fresh]) {
      expect((await labelled.read('Observation', i))?.resource?.meta?.security).toEqual([label]);
      const hist = await db.query<{ content: { meta?: { security?: unknown } } }>('select content from resource_history where id = $1 order by version_id desc limit 1', [i]);
      expect(hist.rows[0]?.content.meta?.security).toEqual([label]);
    }
    // The same content sent again, without the label the server adds: unchanged, no new version.
    const [again] = await labelled.transaction((repo) => repo.updateMany([{ resource: observation(id, 2) }], ctx, { keepUnchanged: true }));
    expect(again).toMatchObject({ unchanged: true });
    expect(again?.version.versionId).toBe(2);
  });
});

describe('findByTokens', () => {
  it('finds per key what the search `param=system|code` finds: none, one, several; never a deleted one', async () => {
    const [one, two, gone, none] = [unique('one'), unique('two'), unique('gone'), unique('none')];
    const ids = { one: unique('p'), twoA: unique('p'), twoB: unique('p'), gone: unique('p') };
    await store.transaction(async (repo) => {
      await repo.create(patient(ids.one, one), ctx, ids.one);
      await repo.create(patient(ids.twoA, two), ctx, ids.twoA);
      await repo.create(patient(ids.twoB, two), ctx, ids.twoB);
      await repo.create(patient(ids.gone, gone), ctx, ids.gone);
      await repo.delete('Patient', ids.gone, ctx);
    });
    const key = (code: string, system = MRN): TokenKey => ({ resourceType: 'Patient', param: 'identifier', system, code });
    const found = await store.transaction((repo) => repo.findByTokens([key(two), key(none), key(one), key(gone), key(one, 'urn:other'), key(one)]));
    expect(found.map((list) => list.map((v) => v.id).sort())).toEqual([[ids.twoA, ids.twoB].sort(), [], [ids.one], [], [], [ids.one]]);
    expect(found[2]?.[0]?.resource).toMatchObject({ resourceType: 'Patient', id: ids.one, meta: { versionId: '1' } });
    expect(found[2]?.[0]?.personId).toBeNull();
    await db.query(`update resource set person_id = 'person-1' where resource_type = 'Patient' and id = $1`, [ids.one]);
    const [[again]] = (await store.transaction((repo) => repo.findByTokens([key(one)]))) as [[NonNullable<UpdateManyItem['current']>]];
    expect(again.personId).toBe('person-1');
  });
});

describe('conditional writes at once', () => {
  /** lockKeys + findByTokens + updateMany: what a conditional update does, as one writer. */
  async function conditionalUpsert(mrn: string, family: string): Promise<void> {
    await store.transaction(async (repo) => {
      await repo.lockKeys([`Patient?identifier=${MRN}|${mrn}`]);
      const [matches = []] = await repo.findByTokens([{ resourceType: 'Patient', param: 'identifier', system: MRN, code: mrn }]);
      const current = matches[0];
      const id = current?.id ?? unique('new');
      await repo.updateMany([{ resource: patient(id, mrn, family), current: current ?? null }], ctx);
    });
  }

  it('creates one resource when several writers race on the same criteria', async () => {
    const mrn = unique('race');
    await Promise.all(Array.from({ length: 6 }, (_, i) => conditionalUpsert(mrn, `Family${i}`)));
    const res = await db.query<{ id: string; version_id: number }>(
      `select r.id, r.version_id from resource r join sp_token t on t.resource_type = r.resource_type and t.resource_id = r.id
       where r.resource_type = 'Patient' and t.param = 'identifier' and t.system = $1 and t.code = $2`,
      [MRN, mrn],
    );
    expect(res.rows).toHaveLength(1);
    expect(Number(res.rows[0]?.version_id)).toBe(6);
  });

  it('takes many keys in one order, so writers naming them in opposite orders do not deadlock', async () => {
    const keys = Array.from({ length: 8 }, () => unique('k'));
    const lockThenWait = (order: string[]): Promise<void> =>
      store.transaction(async (repo, tx) => {
        await repo.lockKeys(order);
        await tx.query('select pg_sleep(0.05)');
      });
    await expect(Promise.all([lockThenWait(keys), lockThenWait([...keys].reverse()), lockThenWait([...keys.slice(4), ...keys.slice(0, 4)])])).resolves.toBeDefined();
  });
});

describe('sameContent', () => {
  it('ignores key order, id, meta.versionId and meta.lastUpdated, and nothing else', () => {
    const a = { resourceType: 'Patient', id: 'x', meta: { versionId: '3', lastUpdated: '2026-01-01T00:00:00Z' }, name: [{ given: ['A', 'B'], family: 'C' }] } as Patient;
    const b = { name: [{ family: 'C', given: ['A', 'B'] }], resourceType: 'Patient' } as Patient;
    expect(sameContent(a, b)).toBe(true);
    expect(sameContent(a, { ...b, name: [{ family: 'C', given: ['B', 'A'] }] } as Patient)).toBe(false);
    expect(sameContent(a, { ...b, meta: { tag: [{ code: 't' }] } })).toBe(false);
    expect(sameContent(a, { ...b, active: true } as Patient)).toBe(false);
  });
});
