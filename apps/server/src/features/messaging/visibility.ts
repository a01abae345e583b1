import type { MessageCategory, PatientGroup } from '../access/index.ts';

/**
 * What one reader may see of the message tables, as the access point's permit says: turned here
 * into SQL conditions on `message_thread t` and `message m`, so that lists, counts and single
 * reads apply the same rule inside their queries (nothing is fetched and then dropped).
 *
 * - Patient side (`patients`): threads about the permit's patients. A group that hides the
 *   subject's messages (a 13–17-year-old's parent or guardian) sees only the threads held by
 *   the reader themself (they started them, or staff started them with the reader), and never a
 *   message the subject wrote.
 * - Staff (`organization`): the organization's threads of the categories permitted.
 */
export type Visibility =
  | { kind: 'patients'; userId: string; groups: readonly Pick<PatientGroup, 'patientIds' | 'hidesSubjectMessages' | 'relation'>[] }
  | { kind: 'organization'; userId: string; orgId: string; categories: readonly MessageCategory[] };

export interface SqlCondition {
  sql: string;
  params: unknown[];
}

/** `$n` placeholders numbered from `first` (the caller's params come before). */
class Params {
  readonly values: unknown[] = [];
  constructor(private readonly first: number) {}
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.first + this.values.length - 1}`;
  }
}

/** The threads the reader sees. */
export function threadCondition(v: Visibility, first: number): SqlCondition {
  const p = new Params(first);
  if (v.kind === 'organization') {
    return { sql: `(t.org_id = ${p.add(v.orgId)} and t.category = any(${p.add([...v.categories])}::text[]))`, params: p.values };
  }
  if (v.groups.length === 0) return { sql: 'false', params: [] };
  const parts = v.groups.map((g) => {
    const own = g.hidesSubjectMessages ? ` and t.party_proxy_user_id = ${p.add(v.userId)}` : '';
    return `(t.patient_id = any(${p.add([...g.patientIds])}::text[])${own})`;
  });
  return { sql: `(${parts.join(' or ')})`, params: p.values };
}

/** The messages the reader sees within threads they see (joined as `t`). */
export function messageCondition(v: Visibility, first: number): SqlCondition {
  if (v.kind === 'organization') return { sql: 'true', params: [] };
  const p = new Params(first);
  if (v.groups.length === 0) return { sql: 'false', params: [] };
  const parts = v.groups.map((g) => `(t.patient_id = any(${p.add([...g.patientIds])}::text[])${g.hidesSubjectMessages ? " and m.author_kind <> 'patient'" : ''})`);
  return { sql: `(${parts.join(' or ')})`, params: p.values };
}
