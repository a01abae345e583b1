-- Master patient index. Every source Patient is linked to exactly one Person (the enterprise
-- identity, itself a FHIR Person resource). Candidates are found through blocking keys stored
-- here, so that any process (server, CLI import) finds the same candidates.
create table mpi_block (
  key text not null,
  patient_id text not null
);
create index mpi_block_key on mpi_block (key);
create index mpi_block_patient on mpi_block (patient_id);

-- The link of a Patient to its Person, with the score and per-field evidence that decided it
-- (weights and agreement levels, never the compared values).
create table mpi_link (
  patient_id text primary key,
  person_id text not null,
  decision text not null check (decision in ('link', 'new', 'review')),
  score real,
  matched_patient_id text,
  evidence jsonb not null default '[]',
  created_at timestamptz not null default now()
);
create index mpi_link_person on mpi_link (person_id);

-- Pairs scored between the lower and upper thresholds, for HIE staff to link or keep apart.
create table mpi_review (
  id bigserial primary key,
  patient_id text not null,
  candidate_patient_id text not null,
  score real not null,
  evidence jsonb not null,
  status text not null default 'open' check (status in ('open', 'linked', 'kept-apart')),
  reason text,
  decided_by text,
  decided_at timestamptz,
  created_at timestamptz not null default now()
);
create index mpi_review_open on mpi_review (created_at) where status = 'open';
