-- Passkeys: WebAuthn public key credentials registered to an account
-- (https://www.w3.org/TR/webauthn-3/#sctn-registering-a-new-credential). Used as the second
-- factor after a password, and alone for sign-in (discoverable credential with user
-- verification). Nothing here is secret: the private key never leaves the authenticator.

-- `credential_id` is the authenticator's id (base64url), unique across all accounts (a
-- registration that presents one already known is refused). `public_key` is the COSE_Key as the
-- authenticator gave it. `sign_count` is the last signature counter accepted: an assertion must
-- raise it (unless the authenticator keeps none and both are 0), checked and stored in one UPDATE.
create table passkey (
  id text primary key,
  user_id text not null references user_account (id) on delete cascade,
  credential_id text not null unique,
  public_key bytea not null,
  sign_count bigint not null check (sign_count >= 0),
  transports text[] not null,
  name text not null check (char_length(name) between 1 and 100),
  aaguid text,
  backed_up boolean not null,
  created_at timestamptz not null,
  last_used_at timestamptz
);
create index passkey_user on passkey (user_id);

-- Outstanding WebAuthn challenges, one per binding and purpose. `binding` is `s:` and the id of
-- the session that asked (registration, second factor) or `c:` and the SHA-256 of a random
-- cookie set with the options (passwordless sign-in, before there is a session). A challenge is
-- taken (deleted) by the first answer, right or wrong, and is void after expires_at.
create table webauthn_challenge (
  binding text not null,
  purpose text not null check (purpose in ('register', 'second-factor', 'sign-in')),
  challenge text not null,
  user_id text references user_account (id) on delete cascade,
  expires_at timestamptz not null,
  primary key (binding, purpose)
);
create index webauthn_challenge_expiry on webauthn_challenge (expires_at);

-- A session may now begin with a passkey.
alter table user_session drop constraint user_session_auth_method_check;
alter table user_session add constraint user_session_auth_method_check check (auth_method in ('password', 'oidc', 'passkey'));
