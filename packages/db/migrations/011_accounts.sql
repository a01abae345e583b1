-- Accounts of the patient portal and the staff console: one table for patients and staff,
-- their sessions, second factors, external (OpenID Connect) identities, the tokens sent by
-- email, and the failed sign-in counters. Plain tables, never exposed as FHIR. Secrets are
-- never stored in clear: passwords and recovery codes as argon2id hashes, session and email
-- tokens as SHA-256 hashes of 256 random bits, TOTP secrets sealed with the server's key.
-- Times are written by the application's clock (never now()), so expiry is testable.

-- Email is unique without regard to case (lower() of the address as given).
create table user_account (
  id text primary key,
  kind text not null check (kind in ('patient', 'staff')),
  email text not null,
  display_name text,
  password_hash text check (password_hash is null or password_hash like '$argon2id$%'),
  email_verified_at timestamptz,
  password_changed_at timestamptz,
  created_at timestamptz not null,
  disabled_at timestamptz
);
create unique index user_account_email on user_account (lower(email));

-- A staff user's organization (a registered data source; none for HIE-wide roles) and roles.
create table staff_member (
  user_id text primary key references user_account (id) on delete cascade,
  org_id text references data_source (org_id),
  roles text[] not null check (
    cardinality(roles) > 0
    and roles <@ array['front-desk', 'nurse', 'provider', 'billing', 'org-admin', 'hie-privacy-officer', 'hie-admin']::text[]
  )
);
create index staff_member_org on staff_member (org_id) where org_id is not null;

-- Single-use links sent by email: verify an address, reset a password, set a first password.
-- `email` is the address the link was sent to: the link is void once the account's address changes.
create table account_token (
  token_hash text primary key,
  user_id text not null references user_account (id) on delete cascade,
  purpose text not null check (purpose in ('verify-email', 'reset-password', 'set-password')),
  email text not null,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  used_at timestamptz
);
create index account_token_user on account_token (user_id, purpose);

-- Signed-in sessions. The cookie carries a random token; only its hash is kept. `id` is a
-- separate random handle by which a user lists and ends sessions. `mfa_at` is when the second
-- factor was verified in this session (null: not yet).
create table user_session (
  id text primary key,
  token_hash text not null unique,
  user_id text not null references user_account (id) on delete cascade,
  auth_method text not null check (auth_method in ('password', 'oidc')),
  created_at timestamptz not null,
  last_seen_at timestamptz not null,
  expires_at timestamptz not null,
  mfa_at timestamptz,
  user_agent text
);
create index user_session_user on user_session (user_id);

-- TOTP (RFC 6238). The secret is sealed (AES-256-GCM with a key derived from the server's key).
-- A row without confirmed_at is an enrolment not yet confirmed with a first code. last_step is
-- the last time step accepted: a code of that step or earlier is refused (no replay).
create table mfa_totp (
  user_id text primary key references user_account (id) on delete cascade,
  secret_sealed text not null,
  created_at timestamptz not null,
  confirmed_at timestamptz,
  last_step bigint
);

-- Single-use recovery codes, argon2id hashes.
create table mfa_recovery_code (
  id text primary key,
  user_id text not null references user_account (id) on delete cascade,
  code_hash text not null check (code_hash like '$argon2id$%'),
  used_at timestamptz
);
create index mfa_recovery_code_user on mfa_recovery_code (user_id);

-- External identities (OpenID Connect issuer + subject) linked to an account.
create table user_identity (
  issuer text not null,
  subject text not null,
  user_id text not null references user_account (id) on delete cascade,
  created_at timestamptz not null,
  primary key (issuer, subject)
);
create index user_identity_user on user_identity (user_id);

-- Failed sign-in counters per account name and per client address. Keys are keyed hashes
-- (never the address or email in clear), and exist whether or not an account does, so that
-- throttling behaves the same for every name tried.
create table sign_in_throttle (
  key text primary key,
  failures integer not null,
  last_failure_at timestamptz not null,
  locked_until timestamptz
);
