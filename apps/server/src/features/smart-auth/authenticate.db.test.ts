import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import type { Database } from '@kennebec/db';
import { OutcomeError } from '@kennebec/fhir';
// db.ts directly: the package index also loads the whole server (test/support/app.ts), not needed here.
import { createTestDatabase } from '../../../../../test/support/db.ts';
import { loadConfig } from '../../config.ts';
import { createAuthenticator, createClient, disableClient, keyStoreFor, type Authenticator, type CreatedClient, type SmartAuthDeps } from './index.ts';
import { createKeyStore } from './keys.ts';
import { issueAccessToken, verifyAccessToken } from './tokens.ts';

const BASE = 'https://kennebec.test';
let db: Database;
let deps: SmartAuthDeps;
let clock: { t: number; now(): Date };
let authenticate: Authenticator;
let client: CreatedClient;
/** Counts queries, to show the hot path stays off the database. */
let queries = 0;

beforeAll(async () => {
  const real = await createTestDatabase();
  db = new Proxy(real, {
    get(target, prop, receiver) {
      if (prop === 'query') queries++;
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  clock = { t: Date.parse('2026-03-01T00:00:00Z'), now: () => new Date(clock.t) };
  deps = { db, clock, config: loadConfig({ BASE_URL: BASE, ACCESS_TOKEN_TTL: '600' }), logger: pino({ level: 'silent' }) };
  authenticate = createAuthenticator(deps);
  await db.query(`insert into data_source (org_id, name, hl7_facility, identifier_system) values ('org-1', 'Feed org', 'FEED', 'urn:x')`);
  client = await createClient(db, { name: 'Feed', scopes: 'system/*.rs system/Patient.cruds', orgId: 'org-1' });
});
afterAll(async () => {
  await db.close();
});

const issue = (c: CreatedClient = client, scope = c.scope) =>
  issueAccessToken(deps, keyStoreFor(deps), { clientId: c.client_id, orgId: c.org_id, scope }).then((t) => t.token);

async function refusal(header: string | undefined): Promise<OutcomeError> {
  const err: unknown = await authenticate(header).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OutcomeError);
  const e = err as OutcomeError;
  expect(e.status).toBe(401);
  return e;
}

/** Signs claims like a real token would have, with any key and header. */
async function forge(key: CryptoKey, kid: string, overrides: JWTPayload = {}, typ = 'at+jwt'): Promise<string> {
  const iat = Math.floor(clock.t / 1000);
  return new SignJWT({ client_id: client.client_id, scope: 'system/*.cruds', ...overrides })
    .setProtectedHeader({ alg: 'ES256', typ, kid })
    .setIssuer(String(overrides.iss ?? BASE))
    .setSubject(client.client_id)
    .setAudience(overrides.aud ?? `${BASE}/fhir/R4`)
    .setJti('forged')
    .setIssuedAt(iat)
    .setExpirationTime(iat + 600)
    .sign(key);
}

describe('createAuthenticator', () => {
  it('turns a valid bearer token into a client actor with parsed scopes', async () => {
    const actor = await authenticate(`Bearer ${await issue()}`);
    expect(actor).toEqual({
      kind: 'client',
      clientId: client.client_id,
      orgId: 'org-1',
      scopes: [
        { context: 'system', resourceType: '*', interactions: new Set(['r', 's']) },
        { context: 'system', resourceType: 'Patient', interactions: new Set(['c', 'r', 'u', 'd', 's']) },
      ],
    });
  });

  it('serves a repeated token from memory, without the database', async () => {
    const header = `Bearer ${await issue()}`;
    await authenticate(header);
    const before = queries;
    for (let i = 0; i < 100; i++) await authenticate(header);
    expect(queries).toBe(before);
  });

  it('sends a bare challenge when there are no credentials, and refuses other schemes', async () => {
    const none = await refusal(undefined);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="kennebec"');
    expect((await refusal('Basic Zm9vOmJhcg==')).headers['www-authenticate']).not.toContain('error=');
  });

  it('answers invalid_token for malformed, tampered and foreign tokens', async () => {
    const good = await issue();
    const [h, p, s] = good.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as JWTPayload;
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, scope: 'system/*.cruds' })).toString('base64url')}.${s}`;
    const other = await generateKeyPair('ES256');
    const { kid } = await keyStoreFor(deps).signingKey();
    for (const header of [
      'Bearer',
      'Bearer not-a-jwt',
      `Bearer ${tampered}`,
      `Bearer ${await forge(other.privateKey, kid)}`, // another key claiming our kid
      `Bearer ${await forge(other.privateKey, 'unknown-kid')}`,
    ]) {
      const e = await refusal(header);
      expect(e.headers['www-authenticate']).toMatch(/^Bearer realm="kennebec", error="invalid_token"/);
      expect(e.outcome.issue[0]?.code).toBe('login');
    }
  });

  it('refuses tokens for another audience or issuer, or of another type, even when signed by our key', async () => {
    const { kid, privateKey } = await keyStoreFor(deps).signingKey();
    await authenticate(`Bearer ${await forge(privateKey, kid)}`); // the control: accepted
    for (const token of [
      await forge(privateKey, kid, { aud: 'https://elsewhere.test/fhir/R4' }),
      await forge(privateKey, kid, { iss: 'https://elsewhere.test' }),
      await forge(privateKey, kid, {}, 'JWT'),
      await forge(privateKey, kid, { client_id: 'someone-else' }),
    ]) {
      await refusal(`Bearer ${token}`);
    }
  });

  it('refuses an expired token', async () => {
    const header = `Bearer ${await issue()}`;
    await authenticate(header);
    clock.t += 601_000;
    const e = await refusal(header);
    expect(e.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(e.outcome.issue[0]?.diagnostics).toBe('The token has expired');
  });

  it('refuses tokens of a disabled client within the client cache TTL', async () => {
    const c = await createClient(db, { name: 'To disable', scopes: 'system/*.rs' });
    const header = `Bearer ${await issue(c)}`;
    await authenticate(header);
    await disableClient(db, c.client_id);
    clock.t += 31_000;
    expect((await refusal(header)).outcome.issue[0]?.diagnostics).toBe('The client is disabled or unknown');
  });
});

describe('key rotation', () => {
  it('keeps verifying tokens of a retired key until they could have expired', async () => {
    const grace = { clock, verifyGraceSeconds: 600 };
    const before = createKeyStore(db, grace);
    const old = await issueAccessToken(deps, before, { clientId: client.client_id, orgId: null, scope: 'system/*.rs' });
    await db.query('update signing_key set retired_at = $1 where retired_at is null', [clock.now().toISOString()]);
    const after = createKeyStore(db, grace); // as a process started after the rotation
    const fresh = await issueAccessToken(deps, after, { clientId: client.client_id, orgId: null, scope: 'system/*.rs' });
    expect((await after.signingKey()).kid).not.toBe((await before.signingKey()).kid);
    expect(await verifyAccessToken(deps, after, old.token)).toMatchObject({ clientId: client.client_id });
    expect((await after.publicJwks()).map((k) => k.kid).sort()).toHaveLength(2);
    clock.t += 601_000;
    await expect(verifyAccessToken(deps, after, old.token)).rejects.toThrow(/expired|unknown key/);
    const later = createKeyStore(db, grace);
    expect(await later.verificationKey((await before.signingKey()).kid)).toBeUndefined();
    expect((await later.publicJwks()).map((k) => k.kid)).toEqual([(await after.signingKey()).kid]);
    await expect(verifyAccessToken(deps, later, fresh.token)).rejects.toThrow(/expired/);
  });
});
