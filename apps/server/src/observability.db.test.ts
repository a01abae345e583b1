import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, type TestServer } from '@kennebec/test-support';
import { createLogger } from './logger.ts';

/** Logs are JSON with request ids and never carry health data or credentials. */
const lines: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    done();
  },
});
let t: TestServer;
let token: string;

beforeAll(async () => {
  t = await createTestServer({ logger: createLogger('debug', sink), env: { LOG_LEVEL: 'debug' } });
  token = await t.token();
});
afterAll(async () => t?.close());

describe('logging', () => {
  it('logs requests as JSON with ids, without query strings, bodies or tokens', async () => {
    const auth = { authorization: `Bearer ${token}` };
    await t.app.inject({ method: 'POST', url: '/fhir/R4/Patient', headers: { ...auth, 'content-type': 'application/fhir+json' }, payload: { resourceType: 'Patient', name: [{ family: 'Pelletier' }], birthDate: '1950-05-05' } });
    const res = await t.app.inject({ method: 'GET', url: '/fhir/R4/Patient?family=Pelletier&birthdate=1950-05-05', headers: auth });
    expect(res.statusCode).toBe(200);
    await t.app.inject({ method: 'POST', url: '/fhir/R4/Patient', headers: { ...auth, 'content-type': 'application/fhir+json' }, payload: { resourceType: 'Patient', name: [{ family: 'Pelletier' }], gender: 'bogus' } });
    expect(lines.length).toBeGreaterThan(0);
    const all = lines.join('\n');
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(all).toContain(res.headers['x-request-id'] as string);
    expect(all).not.toContain('Pelletier');
    expect(all).not.toContain('1950-05-05');
    expect(all).not.toContain(token);
  });
});

describe('health', () => {
  it('answers 200 while the database answers, and 503 once it does not', async () => {
    const other = await createTestServer();
    const ok = await other.app.inject({ method: 'GET', url: '/healthz' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'ok' });
    await other.deps.db.close();
    const down = await other.app.inject({ method: 'GET', url: '/healthz' });
    expect(down.statusCode).toBe(503);
    await other.app.close();
  });
});
