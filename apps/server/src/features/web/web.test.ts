import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_HINT, webPlugin } from './index.ts';

let dir: string;
let app: FastifyInstance;
const script = `console.log(${JSON.stringify('x'.repeat(4000))});`;

async function appFor(webDir: string): Promise<FastifyInstance> {
  const a = Fastify();
  a.setNotFoundHandler((_req, reply) => reply.code(404).type('application/fhir+json').send({ resourceType: 'OperationOutcome' }));
  a.get('/api/session', async () => ({ authenticated: false }));
  await a.register(webPlugin, { dir: webDir });
  await a.ready();
  return a;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kennebec-web-'));
  await mkdir(join(dir, 'assets'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>Kennebec</title><script type="module" src="/assets/index-abc123.js"></script>');
  await writeFile(join(dir, 'assets/index-abc123.js'), script);
  await writeFile(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  await writeFile(join(tmpdir(), 'kennebec-web-secret.txt'), 'secret');
  app = await appFor(dir);
});
afterAll(async () => {
  await app.close();
  await rm(dir, { recursive: true, force: true });
});

describe('web app', () => {
  it('answers every page path with index.html under a strict Content-Security-Policy', async () => {
    for (const url of ['/', '/health/results/abc', '/staff', '/staff/patients/1', '/admin', '/enroll?token=x']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('<title>Kennebec</title>');
      expect(res.headers['cache-control']).toBe('no-cache');
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
    }
  });

  it('serves hashed assets for a year, gzipped when the browser accepts it', async () => {
    const res = await app.inject({ method: 'GET', url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'gzip, br' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/javascript');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(res.rawPayload).toString()).toBe(script);
    const plain = await app.inject({ method: 'GET', url: '/assets/index-abc123.js' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(script);
    expect((await app.inject({ method: 'GET', url: '/favicon.svg' })).headers['content-type']).toContain('image/svg+xml');
  });

  it('leaves API paths, unknown files and paths outside the build to the not-found handler', async () => {
    for (const url of ['/api/nope', '/fhir/R4/nope', '/oauth2/nope', '/assets/missing.js', '/missing.png', '/assets/..%2F..%2Fkennebec-web-secret.txt']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toContain('application/fhir+json');
    }
    expect((await app.inject({ method: 'GET', url: '/api/session' })).json()).toEqual({ authenticated: false });
  });

  it('says how to build the app when it has not been built', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'kennebec-web-empty-'));
    const bare = await appFor(empty);
    const res = await bare.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toBe(BUILD_HINT);
    expect(res.body).toContain('npm run build');
    await bare.close();
    await rm(empty, { recursive: true, force: true });
  });
});
