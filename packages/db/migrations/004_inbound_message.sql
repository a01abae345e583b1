-- Every message received from a source, kept raw with its outcome and the acknowledgement
-- sent, so that a resent message is acknowledged again without being applied twice, and failed
-- messages can be inspected and reprocessed. Idempotency key: (source, control id = MSH-10).
create table inbound_message (
  id bigserial primary key,
  source_org text references data_source (org_id),
  channel text not null,
  control_id text,
  message_type text,
  received_at timestamptz not null default now(),
  status text not null check (status in ('processed', 'error', 'rejected')),
  error text,
  raw text not null,
  ack text not null,
  -- The logged message this one re-ran (admin reprocessing), if any.
  retry_of bigint references inbound_message (id)
);
create unique index inbound_message_key on inbound_message (source_org, control_id) where status = 'processed';
create index inbound_message_failed on inbound_message (received_at) where status <> 'processed';
