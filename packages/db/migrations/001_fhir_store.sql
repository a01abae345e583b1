-- FHIR resource store: current versions, history, and typed search-index tables.
-- Written to PostgreSQL 15; runs unchanged on PGlite.
--
-- Every clinical row can carry the person it belongs to (person_id: the enterprise identity
-- assigned by record matching) and its source organization, so consent checks, opt-out purges
-- and access reports are one-key operations, and a distributed PostgreSQL could shard by
-- person without a rewrite.

create extension if not exists pg_trgm;
create extension if not exists fuzzystrmatch;

create table resource (
  resource_type text not null,
  id text not null,
  version_id integer not null,
  last_updated timestamptz not null,
  deleted boolean not null default false,
  content jsonb,
  person_id text,
  source_org text,
  author text not null,
  primary key (resource_type, id)
);
create index resource_type_updated on resource (resource_type, last_updated);
create index resource_person on resource (person_id) where person_id is not null;

create table resource_history (
  resource_type text not null,
  id text not null,
  version_id integer not null,
  last_updated timestamptz not null,
  deleted boolean not null default false,
  method text not null,
  content jsonb,
  source_org text,
  author text not null,
  primary key (resource_type, id, version_id)
);
create index resource_history_type_updated on resource_history (resource_type, last_updated);
create index resource_history_updated on resource_history (last_updated);

-- Search index. One row per indexed value; rebuilt for a resource on each write.
-- value columns are normalized (lower case, accents removed) where the search is insensitive.
create table sp_string (
  resource_type text not null,
  resource_id text not null,
  param text not null,
  value text not null,
  exact text not null
);
create index sp_string_lookup on sp_string (resource_type, param, value text_pattern_ops, resource_id);
create index sp_string_trgm on sp_string using gin (value gin_trgm_ops);
create index sp_string_owner on sp_string (resource_type, resource_id);

create table sp_token (
  resource_type text not null,
  resource_id text not null,
  param text not null,
  system text,
  code text,
  text text
);
create index sp_token_lookup on sp_token (resource_type, param, code, system, resource_id);
create index sp_token_owner on sp_token (resource_type, resource_id);

create table sp_reference (
  resource_type text not null,
  resource_id text not null,
  param text not null,
  target_type text,
  target_id text,
  url text
);
create index sp_reference_lookup on sp_reference (resource_type, param, target_id, resource_id);
create index sp_reference_target on sp_reference (target_type, target_id);
create index sp_reference_owner on sp_reference (resource_type, resource_id);

create table sp_date (
  resource_type text not null,
  resource_id text not null,
  param text not null,
  low timestamptz,
  high timestamptz
);
create index sp_date_lookup on sp_date (resource_type, param, low, high, resource_id);
create index sp_date_owner on sp_date (resource_type, resource_id);

create table sp_number (
  resource_type text not null,
  resource_id text not null,
  param text not null,
  value numeric not null,
  low numeric not null,
  high numeric not null
);
create index sp_number_lookup on sp_number (resource_type, param, value, resource_id);
create index sp_number_owner on sp_number (resource_type, resource_id);

create table sp_quantity (
  resource_type text not null,
  resource_id text not null,
  param text not null,
  value numeric not null,
  low numeric not null,
  high numeric not null,
  system text,
  code text,
  unit text
);
create index sp_quantity_lookup on sp_quantity (resource_type, param, code, value, resource_id);
create index sp_quantity_owner on sp_quantity (resource_type, resource_id);

create table sp_uri (
  resource_type text not null,
  resource_id text not null,
  param text not null,
  value text not null
);
create index sp_uri_lookup on sp_uri (resource_type, param, value, resource_id);
create index sp_uri_owner on sp_uri (resource_type, resource_id);
