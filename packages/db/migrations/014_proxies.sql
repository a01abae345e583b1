-- Proxy access: a user account acting for a patient (a parent for a child, a guardian or an
-- attorney for a dependent adult, someone an adult chose). Plain tables, never exposed as FHIR.
-- The grant stores only facts (basis, dates, per-area levels); whether it is in force now is
-- decided at each request from these facts, the subject's birth date and the clock
-- (@kennebec/consent evaluateProxy), so a birthday or a review date takes effect by itself.
-- Times are written by the application's clock (never now()).

-- Guardianship orders and powers of attorney, kept as uploaded. Only staff download them.
create table proxy_document (
  id text primary key,
  subject_patient_id text not null,
  org_id text not null references data_source (org_id),
  kind text not null check (kind in ('guardianship', 'power-of-attorney')),
  content_type text not null,
  size integer not null check (size > 0),
  sha256 text not null,
  content bytea not null,
  uploaded_by text not null references user_account (id),
  uploaded_at timestamptz not null
);
create index proxy_document_subject on proxy_document (org_id, subject_patient_id);

create table proxy_grant (
  id text primary key,
  proxy_user_id text not null references user_account (id) on delete cascade,
  subject_patient_id text not null,
  org_id text not null references data_source (org_id),
  basis text not null check (basis in ('parent', 'guardian-of-minor', 'guardian-of-adult', 'power-of-attorney', 'adult-consent')),
  -- Who granted it: a staff user of the organization, or the subject through their own account.
  granted_by text not null references user_account (id),
  granted_by_kind text not null check (granted_by_kind in ('staff', 'subject')),
  granted_at timestamptz not null,
  -- Dependent adults: after this the grant is inactive until staff renew it.
  review_by timestamptz,
  -- Per-area levels for an adult's proxy (a minor's proxy has them by age band).
  perm_clinical text not null default 'none' check (perm_clinical in ('none', 'view', 'act')),
  perm_messaging text not null default 'none' check (perm_messaging in ('none', 'view', 'act')),
  perm_appointments text not null default 'none' check (perm_appointments in ('none', 'view', 'act')),
  perm_billing text not null default 'none' check (perm_billing in ('none', 'view', 'act')),
  document_id text references proxy_document (id),
  in_person_consent boolean not null default false,
  revoked_at timestamptz,
  revoked_by text references user_account (id),
  revoke_reason text,
  -- A guardian or an attorney needs their document on file; an adult's in-person consent is attested.
  check (basis not in ('guardian-of-adult', 'power-of-attorney') or document_id is not null),
  check ((revoked_at is null) = (revoked_by is null))
);
-- One grant in force per proxy and subject; a revoked one may be followed by a new one.
create unique index proxy_grant_live on proxy_grant (proxy_user_id, org_id, subject_patient_id) where revoked_at is null;
create index proxy_grant_subject on proxy_grant (org_id, subject_patient_id);

-- An adult's online invitation of a proxy: a link mailed to the invitee (token, SHA-256 kept)
-- and a code the adult passes on by other means (argon2id kept). Accepting creates the grant.
create table proxy_invitation (
  id text primary key,
  token_hash text not null unique,
  code_hash text not null check (code_hash like '$argon2id$%'),
  email text not null,
  subject_patient_id text not null,
  org_id text not null references data_source (org_id),
  invited_by text not null references user_account (id) on delete cascade,
  perm_clinical text not null check (perm_clinical in ('none', 'view', 'act')),
  perm_messaging text not null check (perm_messaging in ('none', 'view', 'act')),
  perm_appointments text not null check (perm_appointments in ('none', 'view', 'act')),
  perm_billing text not null check (perm_billing in ('none', 'view', 'act')),
  created_at timestamptz not null,
  expires_at timestamptz not null,
  failed_attempts integer not null default 0,
  accepted_at timestamptz,
  grant_id text references proxy_grant (id),
  cancelled_at timestamptz
);
create index proxy_invitation_subject on proxy_invitation (org_id, subject_patient_id);

-- Someone asks, with their own account, to become a patient's proxy; staff of the organization
-- find the record and approve (creating the grant) or decline.
create table proxy_request (
  id text primary key,
  requester_id text not null references user_account (id) on delete cascade,
  org_id text not null references data_source (org_id),
  basis text not null check (basis in ('parent', 'guardian-of-minor', 'guardian-of-adult', 'power-of-attorney', 'adult-consent')),
  subject_name text not null,
  subject_birth_date text not null,
  note text,
  created_at timestamptz not null,
  decided_at timestamptz,
  decided_by text references user_account (id),
  decision text check (decision in ('approved', 'declined')),
  grant_id text references proxy_grant (id)
);
create index proxy_request_open on proxy_request (org_id, created_at) where decided_at is null;

-- The subject a session is acting for (null: the user themself).
alter table user_session add column acting_grant_id text references proxy_grant (id) on delete set null;
