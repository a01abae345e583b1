-- Master patient index: name frequencies for scoring, and the version of the stored keys.

-- Each linked Patient's first given name and family name, normalized as the matcher counts them
-- (nameKeys in @kennebec/matching); written with its blocking keys. Null when not recorded.
create table mpi_name (
  patient_id text primary key,
  given text,
  family text
);

-- How often each name occurs among the Patients of mpi_name, deleted Patients left out: a
-- snapshot built from mpi_name (at server start when the number of names has changed by a
-- tenth since, and by `kennebec mpi reindex`). Scoring reads the counts of the names it compares
-- and the totals: a rare name agreeing weighs more, a common one less.
create table mpi_name_frequency (
  field text not null check (field in ('given', 'family')),
  value text not null,
  count integer not null check (count > 0),
  primary key (field, value)
);
create table mpi_name_frequency_total (
  field text primary key check (field in ('given', 'family')),
  -- Patients counted, and the sum of the squared counts (the chance that two random Patients share a name is sum_squares / records²).
  records integer not null,
  sum_squares bigint not null,
  -- mpi_name rows when the snapshot was built: the start-up check compares it with the current number.
  source_rows integer not null,
  built_at timestamptz not null default now()
);

-- The version of the keys stored in mpi_block and mpi_name (KEYS_VERSION in @kennebec/matching).
-- Patients linked before this migration have no names and may lack the names + street blocking
-- key: version 1 until `kennebec mpi reindex` rebuilds them (a database without links is
-- brought to the current version at start-up, there being nothing to rebuild).
create table mpi_index_state (
  id integer primary key check (id = 1),
  keys_version integer not null
);
insert into mpi_index_state (id, keys_version) values (1, 1);
