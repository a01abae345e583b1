import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabaseEnv, freePort } from '@kennebec/test-support';

/**
 * What the README promises: `npm start` (build the bundle, then `node bin/kennebec.js serve`) starts the
 * server on a fresh database, seeds demo data, prints the URLs and demo logins that work, and
 * stops cleanly on SIGTERM.
 */
const ROOT = new URL('..', import.meta.url).pathname;
let child: ChildProcess | undefined;
let cleanup: (() => Promise<void>) | undefined;

afterAll(async () => {
  child?.kill('SIGKILL');
  await cleanup?.();
});

describe('npm start', () => {
  it('starts with seeded demo data, prints working demo logins, and stops on SIGTERM', async () => {
    const db = await createTestDatabaseEnv();
    cleanup = db.cleanup;
    const port = await freePort();
    // Exactly what `npm start` runs: its prestart (the bundle build), then start.
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const proc = spawn('sh', ['-c', `${scripts.prestart} && exec ${scripts.start}`], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...db.env, PORT: String(port), MLLP_PORT: '0', HOST: '127.0.0.1', SEED_PATIENTS: '3', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let out = '';
    let err = '';
    proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    const deadline = Date.now() + 240_000;
    while (!out.includes('Press Ctrl+C') && Date.now() < deadline && proc.exitCode === null) {
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(out, err).toContain('Press Ctrl+C');
    expect(out).toContain(`http://127.0.0.1:${port}/fhir/R4`);
    const m = /client_id=(\S+)\s+client_secret=(\S+)/.exec(out);
    expect(m).not.toBeNull();
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const tokenRes = await fetch(`${base}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${m?.[1]}:${m?.[2]}`).toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    expect(tokenRes.status).toBe(200);
    const { access_token: token } = (await tokenRes.json()) as { access_token: string };
    const search = await fetch(`${base}/fhir/R4/Patient?_summary=count`, { headers: { authorization: `Bearer ${token}` } });
    expect(search.status).toBe(200);
    expect(((await search.json()) as { total: number }).total).toBeGreaterThanOrEqual(9);
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    if (db.env.DATA_DIR) expect(existsSync(join(db.env.DATA_DIR, 'pglite.lock'))).toBe(false);
  }, 300_000);
});
