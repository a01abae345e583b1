import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '@kennebec/test-support';
import { SYNTHETIC_CCD } from '../../../../../packages/ccda/src/test-fixtures.ts';
import { createSource, type DataSource } from '../sources/index.ts';

let t: TestServer;
let clinic: DataSource;
let headers: Record<string, string>;

beforeAll(async () => {
  t = await createTestServer();
  clinic = await createSource(t.deps, { name: 'Harbor Clinic', hl7Facility: 'HARBOR' });
  headers = { authorization: `Bearer ${await t.token('system/*.cruds', clinic.id)}`, 'content-type': 'application/xml' };
});
afterAll(async () => t?.close());

async function countByType(): Promise<Record<string, number>> {
  const res = await t.deps.db.query<{ resource_type: string; n: string }>(
    'select resource_type, count(*) as n from resource where source_org = $1 and not deleted group by resource_type',
    [clinic.id],
  );
  return Object.fromEntries(res.rows.map((r) => [r.resource_type, Number(r.n)]));
}

describe('POST /ingest/ccda', () => {
  it('stores the facts and the document itself, attributed to the source', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/ingest/ccda', headers, payload: SYNTHETIC_CCD });
    expect(res.statusCode, res.body).toBe(200);
    const counts = await countByType();
    expect(counts.Patient).toBe(1);
    expect(counts.DocumentReference).toBe(1);
    expect(counts.Binary).toBe(1);
    expect((counts.Condition ?? 0) + (counts.Observation ?? 0)).toBeGreaterThan(0);
  });

  it('adds no duplicate facts when the same document arrives again', async () => {
    const before = await countByType();
    const res = await t.app.inject({ method: 'POST', url: '/ingest/ccda', headers, payload: SYNTHETIC_CCD });
    expect(res.statusCode).toBe(200);
    expect(await countByType()).toEqual(before);
  });

  it('refuses XML with a DOCTYPE (no external entities) and stores nothing', async () => {
    const before = await countByType();
    const xxe = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><ClinicalDocument xmlns="urn:hl7-org:v3">&e;</ClinicalDocument>`;
    const res = await t.app.inject({ method: 'POST', url: '/ingest/ccda', headers, payload: xxe });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('ccda-doctype-forbidden');
    expect(res.body).not.toContain('root:');
    expect(await countByType()).toEqual(before);
  });

  it('refuses what is not a C-CDA document, and an oversized one', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/ingest/ccda', headers, payload: '<html/>' })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'POST', url: '/ingest/ccda', headers, payload: 'not xml' })).statusCode).toBe(400);
    const small = await createTestServer({ env: { BODY_LIMIT: '4096' } });
    try {
      const source = await createSource(small.deps, { name: 'S', hl7Facility: 'S' });
      const token = await small.token('system/*.cruds', source.id);
      const res = await small.app.inject({ method: 'POST', url: '/ingest/ccda', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/xml' }, payload: SYNTHETIC_CCD });
      expect(res.statusCode).toBe(413);
    } finally {
      await small.close();
    }
  });

  it('refuses a client that belongs to no source', async () => {
    const token = await t.token('system/*.cruds');
    const res = await t.app.inject({ method: 'POST', url: '/ingest/ccda', headers: { ...headers, authorization: `Bearer ${token}` }, payload: SYNTHETIC_CCD });
    expect(res.statusCode).toBe(403);
  });
});
