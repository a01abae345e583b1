import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import type { Database } from '@kennebec/db';
// db.ts directly: the package index also loads the whole server (test/support/app.ts), not needed here.
import { createTestDatabase } from '../../../../../test/support/db.ts';
import { loadConfig } from '../../config.ts';
import { ApiRegistry } from '../../http/api-routes.ts';
import { openApiDocument } from '../../http/openapi.ts';
import { createClient, disableClient, InvalidClientScopesError, smartAuthPlugin, type CreatedClient, type SmartAuthDeps } from './index.ts';

const BASE = 'https://kennebec.test';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
let db: Database;
let app: FastifyInstance;
let api: ApiRegistry;
let clock: { t: number; now(): Date };
let client: CreatedClient;
let ipCounter = 0;
/** A fresh remote address per test keeps the per-IP throttle out of unrelated tests. */
const freshIp = () => `10.0.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;

beforeAll(async () => {
  db = await createTestDatabase();
  clock = { t: Date.parse('2026-03-01T00:00:00Z'), now: () => new Date(clock.t) };
  const deps: SmartAuthDeps = {
    db,
    clock,
    config: loadConfig({ BASE_URL: BASE, ACCESS_TOKEN_TTL: '600' }),
    logger: pino({ level: 'silent' }),
  };
  app = fastify();
  // Response bodies are checked against their declared schemas, as in development.
  api = new ApiRegistry({ allowedOrigins: [BASE], validateResponses: true });
  await app.register(smartAuthPlugin, { deps, api, throttle: { windowSeconds: 60, maxFailuresPerClient: 3, maxFailuresPerIp: 5 } });
  await app.ready();
  await db.query(`insert into data_source (org_id, name, hl7_facility, identifier_system) values ('org-lab', 'Lab', 'LAB', 'urn:x')`);
  client = await createClient(db, { name: 'Lab feed', scopes: 'system/*.rs system/Observation.cruds', orgId: 'org-lab' });
});
afterAll(async () => {
  await app.close();
  await db.close();
});

function basic(id: string, secret: string): string {
  // RFC 6749 §2.3.1: form-urlencode each part before Basic encoding.
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`;
}

function token(body: Record<string, string>, opts: { authorization?: string; ip?: string } = {}) {
  return app.inject({
    method: 'POST',
    url: '/oauth2/token',
    headers: { ...FORM, ...(opts.authorization ? { authorization: opts.authorization } : {}) },
    payload: new URLSearchParams(body).toString(),
    remoteAddress: opts.ip ?? freshIp(),
  });
}

describe('POST /oauth2/token', () => {
  it('issues a token with client_secret_basic', async () => {
    const res = await token({ grant_type: 'client_credentials' }, { authorization: basic(client.client_id, client.client_secret) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers.pragma).toBe('no-cache');
    const body = res.json();
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 600, scope: 'system/*.rs system/Observation.cruds' });
    expect(decodeProtectedHeader(body.access_token)).toMatchObject({ alg: 'ES256', typ: 'at+jwt', kid: expect.any(String) });
    const claims = decodeJwt(body.access_token);
    const now = clock.t / 1000;
    expect(claims).toMatchObject({
      iss: BASE,
      sub: client.client_id,
      client_id: client.client_id,
      aud: `${BASE}/fhir/R4`,
      scope: 'system/*.rs system/Observation.cruds',
      org: 'org-lab',
      iat: now,
      exp: now + 600,
    });
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('issues a token with client_secret_post', async () => {
    const res = await token({ grant_type: 'client_credentials', client_id: client.client_id, client_secret: client.client_secret });
    expect(res.statusCode).toBe(200);
    expect(res.json().access_token).toEqual(expect.any(String));
  });

  it('form-decodes Basic credentials (RFC 6749 §2.3.1)', async () => {
    const odd = await createClient(db, { name: 'Odd', scopes: 'system/Patient.r', clientId: 'odd~id.1', secret: 'p@ss:w+rd with spaces/ü%' });
    const res = await token({ grant_type: 'client_credentials' }, { authorization: basic(odd.client_id, odd.client_secret) });
    expect(res.statusCode).toBe(200);
  });

  it('answers a wrong secret and an unknown client alike (401 invalid_client)', async () => {
    const wrong = await token({ grant_type: 'client_credentials' }, { authorization: basic(client.client_id, 'not-the-secret') });
    const unknown = await token({ grant_type: 'client_credentials' }, { authorization: basic('no-such-client', client.client_secret) });
    const wrongPost = await token({ grant_type: 'client_credentials', client_id: client.client_id, client_secret: 'x' });
    for (const res of [wrong, unknown, wrongPost]) {
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Basic /);
      expect(res.headers['cache-control']).toBe('no-store');
    }
    expect(wrong.body).toBe(unknown.body);
    expect(wrong.body).toBe(wrongPost.body);
    expect(wrong.json()).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed' });
  });

  it('refuses a disabled client with the same answer', async () => {
    const c = await createClient(db, { name: 'Soon disabled', scopes: 'system/*.rs' });
    expect(await disableClient(db, c.client_id)).toBe(true);
    const res = await token({ grant_type: 'client_credentials' }, { authorization: basic(c.client_id, c.client_secret) });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed' });
  });

  it('rejects requests without client authentication or with two methods', async () => {
    expect((await token({ grant_type: 'client_credentials' })).statusCode).toBe(401);
    const both = await token(
      { grant_type: 'client_credentials', client_secret: client.client_secret },
      { authorization: basic(client.client_id, client.client_secret) },
    );
    expect(both.statusCode).toBe(400);
    expect(both.json().error).toBe('invalid_request');
    const bearer = await token({ grant_type: 'client_credentials' }, { authorization: 'Bearer abc' });
    expect(bearer.statusCode).toBe(401);
  });

  it('rejects other grant types and malformed requests', async () => {
    const auth = basic(client.client_id, client.client_secret);
    const grant = await token({ grant_type: 'password' }, { authorization: auth });
    expect(grant.statusCode).toBe(400);
    expect(grant.json().error).toBe('unsupported_grant_type');
    const missing = await token({}, { authorization: auth });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toEqual({ error: 'invalid_request', error_description: 'grant_type is required' });
    const twice = await app.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: { ...FORM, authorization: auth },
      payload: 'grant_type=client_credentials&scope=system/*.rs&scope=system/*.cruds',
    });
    expect(twice.json()).toEqual({ error: 'invalid_request', error_description: 'scope must appear exactly once' });
    const json = await app.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: { 'content-type': 'application/json', authorization: auth },
      payload: { grant_type: 'client_credentials' },
    });
    expect(json.statusCode).toBe(400);
    expect(json.json().error).toBe('invalid_request');
  });

  it('answers a request from a foreign web origin in RFC 6749 form too', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: { ...FORM, origin: 'https://evil.example', authorization: basic(client.client_id, client.client_secret) },
      payload: 'grant_type=client_credentials',
    });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ error: 'invalid_request', error_description: expect.stringContaining('evil.example') });
    expect(res.headers['cache-control']).toBe('no-store');
  });
});

describe('scope negotiation', () => {
  const ask = async (scope: string | undefined, c: CreatedClient = client) => {
    const res = await token({ grant_type: 'client_credentials', ...(scope !== undefined ? { scope } : {}) }, { authorization: basic(c.client_id, c.client_secret) });
    return { status: res.statusCode, body: res.json() };
  };

  it('grants all allowed scopes when none are requested', async () => {
    expect((await ask(undefined)).body.scope).toBe('system/*.rs system/Observation.cruds');
  });

  it('grants a requested subset as asked', async () => {
    expect((await ask('system/Patient.rs system/Observation.c')).body.scope).toBe('system/Observation.c system/Patient.rs');
  });

  it('narrows a request to what the client may have (intersection)', async () => {
    expect((await ask('system/Patient.cruds')).body.scope).toBe('system/Patient.rs');
    expect((await ask('system/*.cruds')).body.scope).toBe('system/*.rs system/Observation.cruds');
  });

  it('answers invalid_scope for scopes the client may not have, malformed ones, and non-system ones', async () => {
    for (const scope of ['system/Patient.c', 'system/Patient.sr', 'patient/*.rs', 'openid', 'system/*.rs bogus', '']) {
      const { status, body } = await ask(scope);
      expect({ scope, status, error: body.error }).toEqual({ scope, status: 400, error: 'invalid_scope' });
    }
  });

  it('accepts v1 scopes in the request and in the client registration, answering in v2 form', async () => {
    expect((await ask('system/*.read')).body.scope).toBe('system/*.rs');
    const v1 = await createClient(db, { name: 'Legacy', scopes: 'system/*.read system/Patient.write' });
    expect((await ask(undefined, v1)).body.scope).toBe('system/*.rs system/Patient.cud');
    expect((await ask('system/Patient.*', v1)).body.scope).toBe('system/Patient.cruds');
  });

  it('answers unauthorized_client when the client has no system scopes', async () => {
    const app2 = await createClient(db, { name: 'Patient app', scopes: 'patient/*.rs' });
    expect(await ask(undefined, app2)).toEqual({ status: 400, body: { error: 'unauthorized_client', error_description: expect.any(String) } });
  });
});

describe('throttling failed client authentication', () => {
  it('blocks a client id after repeated failures, also for the right secret, until the window passes', async () => {
    const c = await createClient(db, { name: 'Target', scopes: 'system/*.rs' });
    for (let i = 0; i < 3; i++) {
      expect((await token({ grant_type: 'client_credentials' }, { authorization: basic(c.client_id, 'wrong') })).statusCode).toBe(401);
    }
    const blocked = await token({ grant_type: 'client_credentials' }, { authorization: basic(c.client_id, c.client_secret) });
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.json().error).toBe('invalid_request');
    clock.t += 61_000;
    expect((await token({ grant_type: 'client_credentials' }, { authorization: basic(c.client_id, c.client_secret) })).statusCode).toBe(200);
  });

  it('blocks an address that fails for many client ids', async () => {
    const ip = freshIp();
    for (let i = 0; i < 5; i++) {
      expect((await token({ grant_type: 'client_credentials' }, { authorization: basic(`guess-${i}`, 'x'), ip })).statusCode).toBe(401);
    }
    const res = await token({ grant_type: 'client_credentials' }, { authorization: basic(client.client_id, client.client_secret), ip });
    expect(res.statusCode).toBe(429);
    expect((await token({ grant_type: 'client_credentials' }, { authorization: basic(client.client_id, client.client_secret) })).statusCode).toBe(200);
  });
});

describe('client storage', () => {
  it('keeps only an argon2id hash of the secret', async () => {
    const res = await db.query<Record<string, unknown>>('select * from oauth_client where id = $1', [client.client_id]);
    const row = res.rows[0]!;
    expect(String(row.secret_hash)).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(row)).not.toContain(client.client_secret);
    expect(client.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(client.client_id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('refuses invalid scopes at registration with a clear error', async () => {
    await expect(createClient(db, { name: 'Bad', scopes: 'system/*.sr system/Patient.rs' })).rejects.toThrow(InvalidClientScopesError);
    await expect(createClient(db, { name: 'Bad', scopes: 'system/*.sr' })).rejects.toThrow(/'system\/\*\.sr'/);
    await expect(createClient(db, { name: 'Bad', scopes: '' })).rejects.toThrow(InvalidClientScopesError);
  });
});

describe('discovery', () => {
  it('serves the SMART configuration', async () => {
    for (const url of ['/.well-known/smart-configuration', '/fhir/R4/.well-known/smart-configuration']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        token_endpoint: `${BASE}/oauth2/token`,
        jwks_uri: `${BASE}/oauth2/jwks`,
        grant_types_supported: ['client_credentials'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        capabilities: expect.arrayContaining(['client-confidential-symmetric']),
      });
    }
  });

  it('publishes the public signing key, without private parts', async () => {
    const res = await app.inject({ method: 'GET', url: '/oauth2/jwks' });
    expect(res.statusCode).toBe(200);
    const { keys } = res.json() as { keys: Record<string, unknown>[] };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: expect.any(String) });
    expect(keys[0]).not.toHaveProperty('d');
    expect(res.headers['content-type']).toContain('application/jwk-set+json');
    expect(res.headers['cache-control']).toBe('public, max-age=300');
  });

  it('documents the form-encoded token request and the RFC 6749 answers in OpenAPI', () => {
    const doc = openApiDocument(api.routes, { title: 't', version: '0', serverUrl: BASE, sessionCookie: 'c' }) as { paths: Record<string, Record<string, Record<string, unknown>>> };
    const op = doc.paths['/oauth2/token']?.post as { requestBody: { content: Record<string, { schema: unknown }> }; responses: Record<string, { content: Record<string, unknown> }> };
    expect(Object.keys(op.requestBody.content)).toEqual(['application/x-www-form-urlencoded']);
    expect(Object.keys(op.responses['401']?.content ?? {})).toEqual(['application/json']);
    expect(Object.keys(doc.paths['/oauth2/jwks']?.get?.responses as object)).toContain('200');
  });
});
