-- Master patient index: link history, staff decisions, re-evaluation of updated Patients.

-- 'manual': placed by an explicit decision (HIE staff, or a source's ADT^A40 merge), which
-- automatic re-evaluation never overrides.
alter table mpi_link drop constraint mpi_link_decision_check;
alter table mpi_link add constraint mpi_link_decision_check check (decision in ('link', 'new', 'review', 'manual'));

-- Why a pair was queued: a new record scored between the thresholds, an updated record no
-- longer matches its own Person, or an updated record now matches another Person.
alter table mpi_review add column cause text not null default 'new-record'
  check (cause in ('new-record', 'demographics-changed', 'matches-another-person'));
create index mpi_review_pair on mpi_review (patient_id, candidate_patient_id);

-- Every change of a Patient's Person, append-only. Rows written together share change_id (a
-- merge moves several Patients at once); an undo names the change it reverts in `undoes`.
-- Evidence holds agreement levels and weights, never the compared values.
create sequence mpi_change_seq;
create table mpi_link_history (
  id bigserial primary key,
  change_id bigint not null,
  patient_id text not null,
  from_person_id text,
  to_person_id text not null,
  action text not null check (action in ('auto-link', 'new', 'review-link', 'unlink', 'merge', 'undo', 'a40', 're-evaluation')),
  score real,
  matched_patient_id text,
  evidence jsonb not null default '[]',
  reason text,
  actor text not null,
  review_id bigint,
  undoes bigint,
  created_at timestamptz not null default now()
);
create index mpi_link_history_patient on mpi_link_history (patient_id, id);
create index mpi_link_history_from on mpi_link_history (from_person_id) where from_person_id is not null;
create index mpi_link_history_to on mpi_link_history (to_person_id);
create index mpi_link_history_change on mpi_link_history (change_id);
create index mpi_link_history_undoes on mpi_link_history (undoes) where undoes is not null;

create function mpi_link_history_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'mpi_link_history is append-only' using errcode = '55000';
end
$$;
create trigger mpi_link_history_no_change before update or delete on mpi_link_history
  for each row execute function mpi_link_history_append_only();

-- The links that existed before history was kept, so every Person's history starts somewhere.
insert into mpi_link_history (change_id, patient_id, from_person_id, to_person_id, action, score, matched_patient_id, evidence, reason, actor, created_at)
select nextval('mpi_change_seq'), patient_id, null, person_id,
  case when decision = 'link' then 'auto-link' else 'new' end,
  score, matched_patient_id, evidence, 'linked before link history was kept', 'System/mpi', created_at
from mpi_link order by created_at, patient_id;

-- Pairs HIE staff said are different people (kept apart, split, or a link undone): automatic
-- linking and re-evaluation never join them again, and do not queue them for review again.
-- Stored once per pair, smaller id first.
create table mpi_apart (
  patient_id text not null,
  other_patient_id text not null,
  change_id bigint,
  review_id bigint,
  created_at timestamptz not null default now(),
  primary key (patient_id, other_patient_id),
  check (patient_id < other_patient_id)
);
create index mpi_apart_other on mpi_apart (other_patient_id);
create index mpi_apart_change on mpi_apart (change_id) where change_id is not null;
