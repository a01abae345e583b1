import { randomBytes } from 'node:crypto';
import * as argon2 from 'argon2';
import type { Queryable } from '@kennebec/db';
import { parseScopes } from '@kennebec/fhir';

/**
 * Registered OAuth clients (RFC 6749 §2). Secrets are 256 random bits shown once at creation and
 * kept only as an argon2id hash; verification always runs one argon2 verify, against a dummy
 * hash for unknown or disabled clients, so response time does not reveal which ids exist.
 */

/** OWASP's argon2id baseline (m=19 MiB, t=2, p=1): the secrets are random, so this only slows offline attacks on a stolen table. */
const HASH_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Longest client_id / client_secret we accept, so an attacker cannot make us hash megabytes. */
export const MAX_CREDENTIAL_LENGTH = 256;

export interface ClientRecord {
  clientId: string;
  name: string;
  /** Space-separated scopes the client may be granted. */
  scope: string;
  orgId: string | null;
  createdAt: string;
  disabledAt: string | null;
}

/** Returned once by createClient; the secret cannot be recovered later. */
export interface CreatedClient {
  client_id: string;
  client_secret: string;
  name: string;
  scope: string;
  org_id: string | null;
}

export interface NewClient {
  name: string;
  /** Space-separated SMART scopes, or a list of scope tokens. */
  scopes: string | readonly string[];
  orgId?: string | null;
  /** A chosen client_id (demo data, migrations from another server); random when absent. */
  clientId?: string;
  /** A chosen secret (demo data only; at least 16 characters); 32 random bytes when absent. */
  secret?: string;
}

/** URL- and Basic-safe (RFC 3986 unreserved characters), so no encoding surprises (RFC 6749 §2.3.1). */
const CLIENT_ID = /^[A-Za-z0-9._~-]{1,128}$/;
const MIN_SECRET_LENGTH = 16;

export class InvalidClientScopesError extends Error {
  constructor(readonly invalid: readonly string[]) {
    super(
      `Invalid scope(s) for a client: ${invalid.map((s) => `'${s}'`).join(', ')}. ` +
        'Expected SMART scopes such as system/*.rs or system/Patient.cruds (letters c r u d s, in that order).',
    );
    this.name = 'InvalidClientScopesError';
  }
}

interface ClientRow {
  id: string;
  name: string;
  scopes: string;
  org_id: string | null;
  created_at: string | Date;
  disabled_at: string | Date | null;
}

const COLUMNS = 'id, name, scopes, org_id, created_at, disabled_at';

/** PGlite returns Date for timestamptz, node-postgres (as configured) a string. */
function iso(v: string | Date): string {
  return new Date(v).toISOString();
}

function toRecord(row: ClientRow): ClientRecord {
  return {
    clientId: row.id,
    name: row.name,
    scope: row.scopes,
    orgId: row.org_id,
    createdAt: iso(row.created_at),
    disabledAt: row.disabled_at === null ? null : iso(row.disabled_at),
  };
}

export async function createClient(db: Queryable, input: NewClient): Promise<CreatedClient> {
  const name = input.name.trim();
  if (name === '') throw new Error('A client needs a name');
  const raw = typeof input.scopes === 'string' ? input.scopes : input.scopes.join(' ');
  const parsed = parseScopes(raw);
  if (parsed.invalid.length > 0) throw new InvalidClientScopesError(parsed.invalid);
  if (parsed.scopes.length === 0) throw new InvalidClientScopesError([raw.trim() || '(none)']);
  // Store the tokens as given (deduplicated) so an operator reads back what they typed.
  const scope = [...new Set(raw.split(' ').filter((t) => t !== ''))].join(' ');
  const clientId = input.clientId ?? randomBytes(16).toString('base64url');
  if (!CLIENT_ID.test(clientId)) throw new Error('client_id must be 1-128 characters from A-Z a-z 0-9 . _ ~ -');
  const clientSecret = input.secret ?? randomBytes(32).toString('base64url');
  if (clientSecret.length < MIN_SECRET_LENGTH || clientSecret.length > MAX_CREDENTIAL_LENGTH) {
    throw new Error(`A client secret must be ${MIN_SECRET_LENGTH} to ${MAX_CREDENTIAL_LENGTH} characters`);
  }
  const secretHash = await argon2.hash(clientSecret, HASH_OPTIONS);
  const orgId = input.orgId ?? null;
  await db.query('insert into oauth_client (id, name, secret_hash, scopes, org_id) values ($1, $2, $3, $4, $5)', [
    clientId,
    name,
    secretHash,
    scope,
    orgId,
  ]);
  return { client_id: clientId, client_secret: clientSecret, name, scope, org_id: orgId };
}

export async function findClient(db: Queryable, clientId: string): Promise<ClientRecord | null> {
  const res = await db.query<ClientRow>(`select ${COLUMNS} from oauth_client where id = $1`, [clientId]);
  const row = res.rows[0];
  return row ? toRecord(row) : null;
}

export async function listClients(db: Queryable): Promise<ClientRecord[]> {
  const res = await db.query<ClientRow>(`select ${COLUMNS} from oauth_client order by created_at, id`);
  return res.rows.map(toRecord);
}

/** Disables a client: it can no longer get tokens, and its unexpired tokens stop working (within the authenticator's cache TTL). */
export async function disableClient(db: Queryable, clientId: string): Promise<boolean> {
  const res = await db.query('update oauth_client set disabled_at = now() where id = $1 and disabled_at is null', [clientId]);
  return res.rowCount > 0;
}

let dummyHash: Promise<string> | undefined;
/** A hash of a random secret with the same parameters, verified when the client is unknown. */
function getDummyHash(): Promise<string> {
  dummyHash ??= argon2.hash(randomBytes(32).toString('base64url'), HASH_OPTIONS);
  return dummyHash;
}

/** Computes the dummy hash ahead of the first request, so the first unknown client is not slower. */
export async function prepareSecretVerification(): Promise<void> {
  await getDummyHash();
}

async function safeVerify(hash: string, secret: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, secret);
  } catch {
    return false;
  }
}

/**
 * The client when `secret` is its secret and it is not disabled; otherwise null. Unknown,
 * disabled and wrong-secret cases all cost one argon2 verify.
 */
export async function verifyClientSecret(db: Queryable, clientId: string, secret: string): Promise<ClientRecord | null> {
  if (clientId.length > MAX_CREDENTIAL_LENGTH || secret.length > MAX_CREDENTIAL_LENGTH) {
    await safeVerify(await getDummyHash(), '');
    return null;
  }
  const res = await db.query<ClientRow & { secret_hash: string }>(
    `select ${COLUMNS}, secret_hash from oauth_client where id = $1`,
    [clientId],
  );
  const row = res.rows[0];
  const ok = await safeVerify(row?.secret_hash ?? (await getDummyHash()), secret);
  if (!row || !ok || row.disabled_at !== null) return null;
  return toRecord(row);
}
