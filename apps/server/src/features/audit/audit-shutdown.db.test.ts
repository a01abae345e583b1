import { describe, expect, it } from 'vitest';
import { createTestDatabaseEnv, createTestServer } from '@kennebec/test-support';
import { openDatabase } from '@kennebec/db';
import { compose } from '../../compose.ts';
import { loadConfig } from '../../config.ts';
import { startServer } from '../../main.ts';
import { verifyAuditChain } from './verify-chain.ts';

/** Buffered audit entries of reads are appended on a clean shutdown, never dropped. */
async function count(db: { query: <R>(sql: string) => Promise<{ rows: R[] }> }): Promise<number> {
  return Number((await db.query<{ n: string | number }>('select count(*) as n from audit_entry')).rows[0]?.n);
}

describe('audit trail at shutdown', () => {
  it('appends buffered entries when the app is closed', async () => {
    const t = await createTestServer({ env: { AUDIT_READS: 'buffered', AUDIT_FLUSH_MS: '60000' } });
    const auth = { authorization: `Bearer ${await t.token()}` };
    const before = await count(t.deps.db);
    const res = await t.app.inject({ method: 'GET', url: '/fhir/R4/Patient?_count=1', headers: auth });
    expect(res.statusCode).toBe(200);
    expect(t.deps.audit.pending).toBe(1);
    expect(await count(t.deps.db)).toBe(before);
    await t.app.close();
    expect(await count(t.deps.db)).toBe(before + 1);
    await t.deps.db.close();
  });

  it('appends buffered entries when the running server stops (the SIGTERM path), on its own database', async () => {
    const where = await createTestDatabaseEnv();
    try {
      const config = loadConfig({ ...where.env, PORT: '0', MLLP_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', SEED_DEMO: 'false', AUDIT_READS: 'buffered', AUDIT_FLUSH_MS: '60000' });
      const deps = await compose(config);
      const server = await startServer(deps);
      const base = server.url.replace('localhost', '127.0.0.1');
      const statuses: number[] = [];
      for (const path of ['Patient/unknown', 'Patient?_count=1', 'Observation?_count=1']) {
        statuses.push((await fetch(`${base}/fhir/R4/${path}`)).status);
      }
      expect(statuses).toEqual([401, 401, 401]);
      expect(deps.audit.pending).toBe(3);
      await server.stop();
      const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        const rows = await db.query<{ actor: string; outcome: string }>('select actor, outcome from audit_entry order by seq');
        expect(rows.rows).toEqual([1, 2, 3].map(() => ({ actor: 'anonymous', outcome: 'denied' })));
        expect((await verifyAuditChain(db)).ok).toBe(true);
      } finally {
        await db.close();
      }
    } finally {
      await where.cleanup();
    }
  });
});
