-- The audit trail: one row per access or change of health data, append-only and chained by
-- hashes so that an altered or removed row is detected (`kennebec audit verify`).
--
-- Entries reach the chain in two ways. A write stages its entries in audit_pending inside its
-- own transaction (they commit or roll back with the write, and writers never wait for one
-- another); audit_append then moves staged entries into the chain, in batches, under the
-- chain's lock. Entries of reads are appended directly in batches, or staged first.
--
-- Rows hold references only (Patient/123, Observation/9), never health data or demographics.
-- The hash of a row covers its content and the hash of the row before it:
--   hash = sha256(prev_hash || ':' || seq || ':' || digest)
-- where digest is the SHA-256 of the row's canonical serialization, computed by the
-- application (packages/audit/src/chain.ts), and prev_hash of seq 1 is 64 zeros.
create table audit_entry (
  seq bigint primary key,
  id uuid not null unique,
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
-- Entries arrive in time order, so a BRIN index serves date ranges at almost no cost per insert.
create index audit_entry_recorded on audit_entry using brin (recorded);
create index audit_entry_actor on audit_entry (actor, seq);
create index audit_entry_patients on audit_entry using gin (patients) with (fastupdate = off);
create index audit_entry_entities on audit_entry using gin (entities) with (fastupdate = off);

create table audit_pending (
  pending_no bigserial primary key,
  entry jsonb not null
);

-- Appends to the chain, under its lock: first up to max_staged entries staged by committed
-- transactions (removed from audit_pending in the same transaction), then `entries` (a JSON
-- array of objects carrying the columns above and each entry's digest). Returns how many staged
-- entries were moved, so a caller knows when to call again.
--
-- The advisory lock (key pair 4242, 10) is held until the calling transaction ends, so
-- appenders in any process take turns: each reads the last committed row under the lock (every
-- statement of a volatile function sees a fresh snapshot under READ COMMITTED) and its rows
-- become visible in seq order.
create function audit_append(entries jsonb, max_staged integer default 5000) returns integer
language plpgsql as $$
declare
  last_seq bigint;
  last_hash text;
  staged jsonb;
  staged_nos bigint[];
  moved integer;
  prevs text[] := '{}';
  hashes text[] := '{}';
  d text;
  n integer := 0;
begin
  perform pg_advisory_xact_lock(4242, 10);
  select coalesce(jsonb_agg(p.entry order by p.pending_no), '[]'::jsonb), coalesce(array_agg(p.pending_no), '{}')
    into staged, staged_nos
    from (select pending_no, entry from audit_pending order by pending_no limit max_staged) p;
  moved := cardinality(staged_nos);
  if moved > 0 then
    delete from audit_pending where pending_no = any(staged_nos);
    entries := staged || entries;
  end if;
  if jsonb_array_length(entries) = 0 then
    return 0;
  end if;
  select a.seq, a.hash into last_seq, last_hash from audit_entry a order by a.seq desc limit 1;
  if last_seq is null then
    last_seq := 0;
    last_hash := repeat('0', 64);
  end if;
  -- Each hash needs the one before it: computed in order here, then all rows inserted at once.
  for d in select x.e ->> 'digest' from jsonb_array_elements(entries) with ordinality as x(e, ord) order by x.ord loop
    n := n + 1;
    prevs := prevs || last_hash;
    last_hash := encode(sha256(convert_to(last_hash || ':' || (last_seq + n)::text || ':' || d, 'UTF8')), 'hex');
    hashes := hashes || last_hash;
  end loop;
  insert into audit_entry (
    seq, id, recorded, actor, actor_org, on_behalf_of, patients, action, operation, resource_type,
    entities, entities_total, purpose_of_use, outcome, status, client_ip, user_agent, request_id, prev_hash, hash
  )
  select last_seq + x.ord, (x.e ->> 'id')::uuid, (x.e ->> 'recorded')::timestamptz, x.e ->> 'actor', x.e ->> 'actorOrg', x.e ->> 'onBehalfOf',
    array(select jsonb_array_elements_text(x.e -> 'patients')), x.e ->> 'action', x.e ->> 'operation', x.e ->> 'resourceType',
    array(select jsonb_array_elements_text(x.e -> 'entities')), (x.e ->> 'entitiesTotal')::integer, x.e ->> 'purposeOfUse',
    x.e ->> 'outcome', (x.e ->> 'status')::integer, x.e ->> 'clientIp', x.e ->> 'userAgent', x.e ->> 'requestId', prevs[x.ord], hashes[x.ord]
  from jsonb_array_elements(entries) with ordinality as x(e, ord);
  return moved;
end
$$;

-- Append-only: the application never updates or deletes entries, and the database refuses to.
-- (audit_pending is a queue: staged entries leave it when they join the chain.)
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
