-- Client certificates a data source may present on the MLLP/TLS listener. Only the certificate's
-- SHA-256 fingerprint (of its DER encoding, written as openssl prints it: AB:CD:…) is needed to
-- recognise it; subject, issuer, serial and validity are kept for display. Never a private key.
-- A certificate belongs to at most one source.
create table data_source_cert (
  fingerprint_sha256 text primary key check (fingerprint_sha256 ~ '^([0-9A-F]{2}:){31}[0-9A-F]{2}$'),
  org_id text not null references data_source (org_id),
  -- Null when the certificate was registered by its fingerprint alone.
  subject text,
  issuer text,
  serial_number text,
  not_before timestamptz,
  not_after timestamptz,
  added_at timestamptz not null default now()
);
create index data_source_cert_org on data_source_cert (org_id);
