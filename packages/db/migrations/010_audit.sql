-- The audit trail: one row per access or change of health data, append-only and chained by
-- hashes so that an altered or removed row is detected (`kennebec audit verify`).
--
-- Rows hold references only (Patient/123, Observation/9), never health data or demographics.
-- The hash of a row covers its content and the hash of the row before it:
--   hash = sha256(prev_hash || ':' || seq || ':' || digest)
-- where digest is the SHA-256 of the row's canonical serialization, computed by the
-- application (packages/audit/src/chain.ts), and prev_hash of seq 1 is 64 zeros.
create table audit_entry (
  seq bigint primary key,
  id text not null unique,
  recorded timestamptz not null,
  actor text not null,
  actor_org text,
  on_behalf_of text,
  patients text[] not null default '{}',
  action text not null,
  operation text,
  resource_type text,
  entities text[] not null default '{}',
  entities_total integer not null default 0,
  purpose_of_use text,
  outcome text not null check (outcome in ('success', 'denied', 'error')),
  status integer,
  client_ip text,
  user_agent text,
  request_id text,
  prev_hash text not null,
  hash text not null
);
create index audit_entry_recorded on audit_entry (recorded);
create index audit_entry_actor on audit_entry (actor, seq);
create index audit_entry_patients on audit_entry using gin (patients);
create index audit_entry_entities on audit_entry using gin (entities);

-- Appends entries (a JSON array of objects carrying the columns above and each entry's digest)
-- at the end of the chain. The advisory lock (key pair 4242, 10) is held until the calling
-- transaction ends, so appenders in any process or transaction take turns: each reads the last
-- committed row under the lock (every statement of a volatile function sees a fresh snapshot
-- under READ COMMITTED) and its rows become visible in seq order. Called in the transaction of a
-- write, its entries commit or roll back with the write.
create function audit_append(entries jsonb) returns bigint
language plpgsql as $$
declare
  last_seq bigint;
  last_hash text;
  e jsonb;
  h text;
begin
  perform pg_advisory_xact_lock(4242, 10);
  select a.seq, a.hash into last_seq, last_hash from audit_entry a order by a.seq desc limit 1;
  if last_seq is null then
    last_seq := 0;
    last_hash := repeat('0', 64);
  end if;
  for e in select value from jsonb_array_elements(entries) loop
    last_seq := last_seq + 1;
    h := encode(sha256(convert_to(last_hash || ':' || last_seq::text || ':' || (e ->> 'digest'), 'UTF8')), 'hex');
    insert into audit_entry (
      seq, id, recorded, actor, actor_org, on_behalf_of, patients, action, operation, resource_type,
      entities, entities_total, purpose_of_use, outcome, status, client_ip, user_agent, request_id, prev_hash, hash
    ) values (
      last_seq, e ->> 'id', (e ->> 'recorded')::timestamptz, e ->> 'actor', e ->> 'actorOrg', e ->> 'onBehalfOf',
      array(select jsonb_array_elements_text(e -> 'patients')), e ->> 'action', e ->> 'operation', e ->> 'resourceType',
      array(select jsonb_array_elements_text(e -> 'entities')), (e ->> 'entitiesTotal')::integer, e ->> 'purposeOfUse',
      e ->> 'outcome', (e ->> 'status')::integer, e ->> 'clientIp', e ->> 'userAgent', e ->> 'requestId', last_hash, h
    );
    last_hash := h;
  end loop;
  return last_seq;
end
$$;

-- Append-only: the application never updates or deletes entries, and the database refuses to.
create function audit_entry_refuse_change() returns trigger
language plpgsql as $$
begin
  raise exception 'audit_entry is append-only: % is not allowed', tg_op using errcode = 'insufficient_privilege';
end
$$;
create trigger audit_entry_append_only before update or delete on audit_entry
  for each row execute function audit_entry_refuse_change();
create trigger audit_entry_no_truncate before truncate on audit_entry
  for each statement execute function audit_entry_refuse_change();
