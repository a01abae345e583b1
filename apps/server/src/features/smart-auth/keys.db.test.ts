import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@kennebec/db';
// db.ts directly: the package index also loads the whole server (test/support/app.ts), not needed here.
import { createTestDatabase } from '../../../../../test/support/db.ts';
import { createKeyStore } from './keys.ts';

let db: Database;
const clock = { now: () => new Date('2026-03-01T00:00:00Z') };

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.close();
});

describe('signing keys', () => {
  it('creates exactly one active key when several processes start together', async () => {
    const stores = Array.from({ length: 6 }, () => createKeyStore(db, { clock, verifyGraceSeconds: 600 }));
    const keys = await Promise.all(stores.map((s) => s.signingKey()));
    expect(new Set(keys.map((k) => k.kid)).size).toBe(1);
    const rows = await db.query<{ n: number }>('select count(*)::int as n from signing_key where retired_at is null');
    expect(rows.rows[0]?.n).toBe(1);
  });

  it('keeps the imported key in memory after the first load', async () => {
    const store = createKeyStore(db, { clock, verifyGraceSeconds: 600 });
    const first = await store.signingKey();
    expect(await store.signingKey()).toBe(first);
  });

  it('stores the private key as a JWK and publishes only the public part', async () => {
    const store = createKeyStore(db, { clock, verifyGraceSeconds: 600 });
    const { kid } = await store.signingKey();
    const row = (await db.query<{ alg: string; private_jwk: Record<string, unknown>; public_jwk: Record<string, unknown> }>(
      'select alg, private_jwk, public_jwk from signing_key where kid = $1',
      [kid],
    )).rows[0];
    expect(row?.alg).toBe('ES256');
    expect(row?.private_jwk).toMatchObject({ kty: 'EC', crv: 'P-256', d: expect.any(String) });
    expect(row?.public_jwk).not.toHaveProperty('d');
    const jwks = await store.publicJwks();
    expect(jwks).toEqual([expect.objectContaining({ kid, kty: 'EC', use: 'sig', alg: 'ES256' })]);
    expect(jwks[0]).not.toHaveProperty('d');
  });
});
