-- Enrollment by invitation: staff of an organization check a patient's photo ID in person and
-- invite them by email to link a portal account to their record (a Patient of that
-- organization). Plain tables, never exposed as FHIR. Secrets are never stored in clear: the
-- link's token as the SHA-256 of 256 random bits, the short code as an argon2id hash. Times
-- are written by the application's clock (never now()), so expiry is testable.

-- Per-organization enrollment settings: which identity question the person answers when
-- accepting (their date of birth, or the last four digits of their SSN). No row: birth-date.
create table enrollment_setting (
  org_id text primary key references data_source (org_id),
  identity_check text not null check (identity_check in ('birth-date', 'ssn-last4')),
  updated_by text not null references user_account (id),
  updated_at timestamptz not null
);

-- An in-person photo ID check: which kind of document, who checked it, when. Never a copy or a
-- number of the document.
create table enrollment_id_check (
  id text primary key,
  org_id text not null references data_source (org_id),
  patient_id text not null,
  id_type text not null check (id_type in ('driver-licence', 'passport', 'state-id', 'military-id', 'other')),
  checked_by text not null references user_account (id),
  checked_at timestamptz not null
);
create index enrollment_id_check_patient on enrollment_id_check (org_id, patient_id);

-- An invitation to link an account to a Patient of the organization. Resending replaces the
-- token and code hashes (the old link and code stop working) and resets the failure count.
-- Status is derived: accepted_at, revoked_at, locked_at (after too many failed answers), or
-- expires_at in the past; otherwise pending.
create table patient_invitation (
  id text primary key,
  org_id text not null references data_source (org_id),
  patient_id text not null,
  email text not null,
  id_check_id text not null references enrollment_id_check (id),
  token_hash text not null unique,
  code_hash text not null check (code_hash like '$argon2id$%'),
  created_by text not null references user_account (id),
  created_at timestamptz not null,
  sent_at timestamptz not null,
  sent_count integer not null default 1,
  expires_at timestamptz not null,
  failed_attempts integer not null default 0,
  locked_at timestamptz,
  accepted_at timestamptz,
  accepted_by text references user_account (id),
  revoked_at timestamptz,
  revoked_by text references user_account (id)
);
create index patient_invitation_org on patient_invitation (org_id, created_at);
create index patient_invitation_patient on patient_invitation (patient_id);

-- The link an accepted invitation creates: this account may act as this Patient of this
-- organization. One account per Patient; an account may hold Patients of several organizations.
create table patient_account_link (
  patient_id text primary key,
  user_id text not null references user_account (id) on delete cascade,
  org_id text not null references data_source (org_id),
  invitation_id text not null references patient_invitation (id),
  linked_at timestamptz not null
);
create index patient_account_link_user on patient_account_link (user_id);
