-- Secure messaging between a patient (or a proxy acting for them) and an organization's care
-- team. Plain tables, not FHIR resources (see docs/adr/0009-messages-in-plain-tables.md).
-- Who may read or write a thread is decided at each request by the access point; these tables
-- hold facts only. Times are written by the application's clock (never now()).

-- A conversation about one patient (`patient_id`, a Patient of the organization) between the
-- organization's care team and one person on the patient's side: the patient themself
-- (`party_proxy_user_id` null) or one proxy acting for them. `created_by_kind` says who opened it.
create table message_thread (
  id text primary key,
  org_id text not null references data_source (org_id),
  patient_id text not null,
  category text not null check (category in ('clinical', 'billing')),
  subject text not null check (char_length(subject) between 1 and 200),
  party_proxy_user_id text references user_account (id),
  created_by text not null references user_account (id),
  created_by_kind text not null check (created_by_kind in ('patient', 'proxy', 'staff')),
  created_at timestamptz not null
);
create index message_thread_org on message_thread (org_id, created_at);
create index message_thread_patient on message_thread (patient_id, created_at);

-- One message. `author_user_id` is who wrote it; a proxy's message also names the patient it
-- was written for (`acting_for_patient_id`), a staff member's the organization. `seq` orders
-- messages and marks how far a reader has read.
create table message (
  id text primary key,
  seq bigint generated always as identity unique,
  thread_id text not null references message_thread (id),
  author_user_id text not null references user_account (id),
  author_kind text not null check (author_kind in ('patient', 'proxy', 'staff')),
  acting_for_patient_id text,
  author_org_id text references data_source (org_id),
  body text not null check (char_length(body) between 1 and 5000),
  created_at timestamptz not null,
  check ((author_kind = 'proxy') = (acting_for_patient_id is not null)),
  check ((author_kind = 'staff') = (author_org_id is not null))
);
create index message_thread_seq on message (thread_id, seq);

-- How far each account has read each thread (unread: later messages written by someone else).
create table message_read (
  thread_id text not null references message_thread (id),
  user_id text not null references user_account (id) on delete cascade,
  last_read_seq bigint not null,
  read_at timestamptz not null,
  primary key (thread_id, user_id)
);
