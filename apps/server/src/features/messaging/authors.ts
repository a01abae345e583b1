import type { Patient } from 'fhir/r4';
import { findUserById, type UserRecord } from '../accounts/index.ts';
import type { MessagingContext } from './context.ts';
import type { MessageRow, ThreadRow } from './store.ts';

/**
 * How authors are shown, the same to everyone: staff by their name (or "Care team"), the
 * patient by the name on their record, and a proxy as "<proxy> acting for <patient>" so that
 * nobody mistakes a parent's words for the patient's. Names are looked up when shown, never
 * copied into the message tables.
 */
export interface AuthorView {
  kind: 'patient' | 'proxy' | 'staff';
  userId: string;
  displayName: string;
  /** The patient a proxy wrote for; null for the patient themself and for staff. */
  actingFor: { patientId: string; name: string } | null;
}

export function patientName(p: Patient | undefined): string | null {
  const n = p?.name?.[0];
  if (!n) return null;
  return n.text ?? ([...(n.given ?? []), n.family].filter(Boolean).join(' ') || null);
}

/** Looks up, once each, the accounts and patients a page of messages names. */
export class Names {
  private readonly users = new Map<string, Promise<UserRecord | null>>();
  private readonly patients = new Map<string, Promise<string | null>>();

  constructor(private readonly ctx: MessagingContext) {}

  user(id: string): Promise<UserRecord | null> {
    let u = this.users.get(id);
    if (!u) this.users.set(id, (u = findUserById(this.ctx.db, id)));
    return u;
  }

  patient(id: string): Promise<string | null> {
    let p = this.patients.get(id);
    if (!p) this.patients.set(id, (p = this.ctx.readPatient(id).then((r) => patientName(r?.patient))));
    return p;
  }

  /** A portal account as named to others: the name it gave, else its address. */
  async account(id: string): Promise<string> {
    const u = await this.user(id);
    return u?.displayName ?? u?.email ?? 'Someone';
  }

  async author(m: Pick<MessageRow, 'authorUserId' | 'authorKind' | 'actingForPatientId'>, thread: Pick<ThreadRow, 'patientId'>): Promise<AuthorView> {
    const base = { kind: m.authorKind, userId: m.authorUserId };
    if (m.authorKind === 'staff') {
      const u = await this.user(m.authorUserId);
      return { ...base, displayName: u?.displayName ?? 'Care team', actingFor: null };
    }
    if (m.authorKind === 'proxy') {
      const subject = m.actingForPatientId ?? thread.patientId;
      const name = (await this.patient(subject)) ?? 'the patient';
      return { ...base, displayName: `${await this.account(m.authorUserId)} acting for ${name}`, actingFor: { patientId: subject, name } };
    }
    const name = (await this.patient(thread.patientId)) ?? (await this.account(m.authorUserId));
    return { ...base, displayName: name, actingFor: null };
  }

  /** Who holds the conversation on the patient's side. */
  async heldBy(thread: Pick<ThreadRow, 'patientId' | 'partyProxyUserId'>): Promise<{ kind: 'patient' | 'proxy'; displayName: string }> {
    const name = (await this.patient(thread.patientId)) ?? 'the patient';
    if (thread.partyProxyUserId === null) return { kind: 'patient', displayName: name };
    return { kind: 'proxy', displayName: `${await this.account(thread.partyProxyUserId)} acting for ${name}` };
  }
}
