-- Organizations registered as data sources of the HIE. Each is also a FHIR Organization
-- resource (org_id is its id); this table holds what routing and authentication need:
-- the HL7 v2 sending facility (MSH-4) accepted from it, its OID, and the identifier system
-- given to its medical record numbers when a message does not carry an OID of its own.
create table data_source (
  org_id text primary key,
  name text not null,
  hl7_facility text not null unique,
  oid text unique,
  identifier_system text not null,
  created_at timestamptz not null default now(),
  disabled_at timestamptz
);

-- A source's system client is tied to it: what the client sends is attributed to that organization.
alter table oauth_client add constraint oauth_client_org_fk foreign key (org_id) references data_source (org_id);
