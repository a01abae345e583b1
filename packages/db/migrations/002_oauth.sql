-- OAuth 2.0 clients (client_credentials grant, RFC 6749 §4.4) and the keys that sign access tokens.
-- Written to PostgreSQL 15; runs unchanged on PGlite.

-- A registered system client. The secret is never stored: only its argon2id hash (the check
-- constraint refuses anything else). `scopes` is the space-separated list of SMART scopes the
-- client may be granted. org_id names the organization the client belongs to; the organization
-- table arrives later, so no foreign key yet.
create table oauth_client (
  id text primary key,
  name text not null,
  secret_hash text not null check (secret_hash like '$argon2id$%'),
  scopes text not null,
  org_id text,
  created_at timestamptz not null default now(),
  disabled_at timestamptz
);
create index oauth_client_org on oauth_client (org_id) where org_id is not null;

-- JWT signing keys (JWK form, RFC 7517). kid is the RFC 7638 thumbprint of the public key.
-- A retired key is no longer used to sign but still verifies tokens issued before retirement
-- until they expire. At most one active key per algorithm: the partial unique index lets
-- processes that start together race on `insert … on conflict do nothing` and agree on one key.
create table signing_key (
  kid text primary key,
  alg text not null,
  private_jwk jsonb not null,
  public_jwk jsonb not null,
  created_at timestamptz not null default now(),
  retired_at timestamptz
);
create unique index signing_key_one_active on signing_key (alg) where retired_at is null;
