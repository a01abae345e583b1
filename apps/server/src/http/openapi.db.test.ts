import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, TestBrowser, type TestServer } from '@kennebec/test-support';
import { apiRegistryOf } from './api-routes.ts';

/**
 * Routes that predate the API route helper and are not in the OpenAPI document yet. Convert a
 * route to the helper and remove it here; never add to this list: new routes use apiRoute().
 */
const NOT_YET_DECLARED = new Set([
  'GET /healthz',
  'POST /oauth2/token',
  'GET /oauth2/jwks',
  'GET /.well-known/smart-configuration',
  'GET /admin/sources',
  'POST /admin/sources',
  'POST /admin/sources/:id/certificates',
  'DELETE /admin/sources/:id/certificates/:fingerprint',
  'GET /admin/mpi/reviews',
  'POST /admin/mpi/reviews/:id',
  'GET /admin/mpi/persons/:personId',
  'GET /admin/mpi/patients/:patientId/history',
  'POST /admin/mpi/patients/:patientId/unlink',
  'POST /admin/mpi/persons/:personId/merge',
  'POST /admin/mpi/changes/:changeId/undo',
  'GET /admin/messages',
  'POST /admin/messages/:id/reprocess',
  'POST /ingest/hl7v2',
  'POST /ingest/ccda',
]);

let t: TestServer;
beforeAll(async () => {
  t = await createTestServer();
});
afterAll(async () => t.close());

describe('OpenAPI document', () => {
  it('lists every route outside FHIR (except the legacy list, which only shrinks)', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    const documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`)));
    const registry = apiRegistryOf(t.app);
    expect(registry).toBeDefined();
    const routes = (registry?.seen ?? []).filter((r) => r.method !== 'HEAD' && !r.url.startsWith('/fhir/R4')).map((r) => `${r.method} ${r.url}`);
    const missing = routes.filter((r) => !documented.has(r) && !NOT_YET_DECLARED.has(r));
    expect(missing, 'declare these with apiRoute() so they appear in /api/openapi.json').toEqual([]);
    const stale = [...NOT_YET_DECLARED].filter((r) => !routes.includes(r) || documented.has(r));
    expect(stale, 'remove these from NOT_YET_DECLARED').toEqual([]);
    expect(documented.has('GET /api/openapi.json')).toBe(true);
    expect(documented.has('POST /api/session')).toBe(true);
  });

  it('describes bodies, parameters, responses and security with JSON Schema', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const signIn = doc.paths['/api/session'].post;
    expect(signIn.operationId).toBe('signIn');
    expect(signIn.requestBody.content['application/json'].schema).toMatchObject({ type: 'object', required: ['email', 'password'] });
    expect(Object.keys(signIn.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '429']));
    const endOne = doc.paths['/api/sessions/{id}'].delete;
    expect(endOne.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'id', in: 'path', required: true }), expect.objectContaining({ name: 'x-csrf-token', in: 'header' })]));
    expect(endOne.security).toEqual([{ session: [] }]);
    const ids = Object.values(doc.paths as Record<string, Record<string, { operationId: string }>>).flatMap((ops) => Object.values(ops).map((o) => o.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    expect(JSON.stringify(doc)).not.toContain('#/$defs/');
  });

  it('answers bad input with 400 and an OperationOutcome naming each problem', async () => {
    const res = await new TestBrowser(t.app).post('/api/session', { email: 42 });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/fhir+json');
    const body = res.json();
    expect(body.resourceType).toBe('OperationOutcome');
    expect(body.issue[0].details.coding[0].code).toBe('KB-BAD-REQUEST');
    expect(body.issue[0].expression).toEqual(expect.arrayContaining(['body.email', 'body.password']));
    const notJson = await t.app.inject({ method: 'POST', url: '/api/session', headers: { 'content-type': 'application/json' }, payload: '{nope' });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.body).toContain('KB-MALFORMED-JSON');
  });
});
