import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabaseEnv, freePort } from '@kennebec/test-support';
import { openDatabase } from '@kennebec/db';
import { runCli } from './cli.ts';

/**
 * `kennebec audit verify` on a trail written by the CLI and by a real server process, which
 * appends its buffered entries when stopped with SIGTERM; then tampering, caught by verify.
 */
const ROOT = new URL('../../..', import.meta.url).pathname;
let env: Record<string, string>;
let cleanup: () => Promise<void>;
let dir: string;

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { env: { ...env, LOG_LEVEL: 'silent' }, out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function sql<R>(text: string, params: unknown[] = []): Promise<R[]> {
  const db = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR });
  try {
    return (await db.query<R>(text, params)).rows;
  } finally {
    await db.close();
  }
}

beforeAll(async () => {
  ({ env, cleanup } = await createTestDatabaseEnv());
  dir = await mkdtemp(join(tmpdir(), 'kennebec-audit-'));
});
afterAll(async () => {
  await cleanup();
  await rm(dir, { recursive: true, force: true });
});

describe('kennebec audit verify', () => {
  it('says there is no trail before the first migration, and an empty trail is OK', async () => {
    if (env.DATA_DIR) {
      // A fresh PGlite directory; test databases on PostgreSQL are cloned already migrated.
      const res = await run('audit', 'verify');
      expect(res.code).toBe(1);
      expect(res.err).toContain('kennebec migrate');
      expect((await run('migrate')).code).toBe(0);
    }
    const empty = await run('audit', 'verify');
    expect(empty.code, empty.err).toBe(0);
    expect(empty.out).toContain('OK: 0 audit entries');
  });

  it('prints OK, the count and the head once imports have been recorded', async () => {
    await writeFile(join(dir, 'p.ndjson'), [1, 2, 3].map((n) => JSON.stringify({ resourceType: 'Patient', id: `cli-${n}`, name: [{ family: 'Doe' }] })).join('\n'));
    expect((await run('import', join(dir, 'p.ndjson'))).code).toBe(0);
    const rows = await sql<{ actor: string; action: string; entities: string[]; purpose_of_use: string }>('select actor, action, entities, purpose_of_use from audit_entry order by seq');
    expect(rows).toEqual([{ actor: 'System/cli:import', action: 'create', entities: ['Patient/cli-1', 'Patient/cli-2', 'Patient/cli-3'], purpose_of_use: 'HOPERAT' }]);
    const res = await run('audit', 'verify');
    expect(res.code, res.err).toBe(0);
    expect(res.out).toMatch(/^OK: 1 audit entries verified/);
    expect(res.out).toMatch(/Head: 1:[0-9a-f]{64}/);
  });

  it('gets the buffered entries of a server process stopped with SIGTERM', async () => {
    const client = JSON.parse((await run('client', 'create', '--name', 'reader', '--scope', 'system/Patient.rs')).out) as { client_id: string; client_secret: string };
    const port = await freePort();
    const proc = spawn(process.execPath, ['bin/kennebec.js', 'serve'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port), MLLP_PORT: '0', HOST: '127.0.0.1', SEED_DEMO: 'false', LOG_LEVEL: 'warn', AUDIT_READS: 'buffered', AUDIT_FLUSH_MS: '60000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 60_000;
      while (!out.includes('Press Ctrl+C') && Date.now() < deadline && proc.exitCode === null) await new Promise((r) => setTimeout(r, 100));
      expect(out).toContain('Press Ctrl+C');
      const base = `http://127.0.0.1:${port}`;
      const tokenRes = await fetch(`${base}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret }),
      });
      const token = ((await tokenRes.json()) as { access_token: string }).access_token;
      const read = await fetch(`${base}/fhir/R4/Patient/cli-2`, { headers: { authorization: `Bearer ${token}` } });
      expect(read.status).toBe(200);
      const requestId = read.headers.get('x-request-id');
      proc.kill('SIGTERM');
      expect(await exited).toBe(0);
      const rows = await sql<{ actor: string; action: string; entities: string[] }>('select actor, action, entities from audit_entry where request_id = $1', [requestId]);
      expect(rows).toEqual([{ actor: `Client/${client.client_id}`, action: 'read', entities: ['Patient/cli-2'] }]);
    } finally {
      if (proc.exitCode === null) proc.kill('SIGKILL');
    }
    expect((await run('audit', 'verify')).out).toMatch(/^OK: 2 audit entries/);
  });

  it('finds an altered entry and a removed one, and checks an anchor', async () => {
    const ok = await run('audit', 'verify');
    const head = /Head: (\S+)/.exec(ok.out)?.[1] as string;
    expect((await run('audit', 'verify', '--anchor', head)).code).toBe(0);
    expect((await run('audit', 'verify', '--anchor', 'nonsense')).code).toBe(2);
    await sql('alter table audit_entry disable trigger audit_entry_append_only');
    await sql(`update audit_entry set actor = 'Client/someone-else' where seq = 2`);
    const altered = await run('audit', 'verify');
    expect(altered.code).toBe(1);
    expect(altered.err).toContain('BROKEN at seq 2');
    expect((await run('audit', 'verify', '--anchor', head)).code).toBe(1);
    await sql('delete from audit_entry where seq = 1');
    const removed = await run('audit', 'verify');
    expect(removed.code).toBe(1);
    expect(removed.err).toContain('BROKEN at seq 1: entries 1..1 are missing');
  });
});
