import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestServer, TestBrowser, type TestServer } from '@kennebec/test-support';
import { apiRegistryOf } from './api-routes.ts';

let t: TestServer;
beforeAll(async () => {
  t = await createTestServer();
});
afterAll(async () => t.close());

describe('OpenAPI document', () => {
  it('lists every route outside FHIR', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    const documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`)));
    const registry = apiRegistryOf(t.app);
    expect(registry).toBeDefined();
    const routes = (registry?.seen ?? []).filter((r) => r.method !== 'HEAD' && !r.url.startsWith('/fhir/R4')).map((r) => `${r.method} ${r.url}`);
    const missing = routes.filter((r) => !documented.has(r));
    expect(missing, 'declare these with apiRoute() so they appear in /api/openapi.json').toEqual([]);
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

  it('describes form, text and XML bodies, non-JSON answers, and routes open to a session or a bearer token', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const token = doc.paths['/oauth2/token'].post;
    expect(Object.keys(token.requestBody.content)).toEqual(['application/x-www-form-urlencoded']);
    expect(token.responses['400'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/TokenError' });
    const hl7 = doc.paths['/ingest/hl7v2'].post;
    expect(Object.keys(hl7.requestBody.content)).toEqual(['x-application/hl7-v2+er7', 'application/hl7-v2', 'text/plain']);
    expect(hl7.responses['200'].content['x-application/hl7-v2+er7'].schema).toMatchObject({ type: 'string' });
    expect(hl7.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/ingest/ccda'].post.requestBody.content['application/xml'].schema).toMatchObject({ type: 'string', contentMediaType: 'application/xml' });
    expect(doc.paths['/oauth2/jwks'].get.responses['200'].content).toHaveProperty('application/jwk-set+json');
    const unlink = doc.paths['/admin/mpi/patients/{patientId}/unlink'].post;
    expect(unlink.security).toEqual([{ session: [] }, { bearer: [] }]);
    expect(unlink.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'x-csrf-token', in: 'header', required: false })]));
    expect(doc.components.schemas.FeedStatus.properties.total).toEqual({ $ref: '#/components/schemas/FeedCounts' });
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
