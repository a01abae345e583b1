import { TEEN_CONFIDENTIAL, type SensitivityLabel } from './labels.ts';

/**
 * Proxy rules: what someone acting for another person may do, decided from the grant, the
 * subject's age and the clock, never stored as a precomputed flag (so that a birthday or an
 * expiry takes effect by itself).
 *
 * - A parent or guardian of a child 0–12 has full access.
 * - For a teen 13–17 the proxy does not see teen-confidential information (sexual and
 *   reproductive health, mental health, substance use, by their labels) nor the teen's own
 *   messages.
 * - At 18 a parent's or minor guardian's access ends by itself.
 * - A dependent adult's proxy (court-appointed guardian, power of attorney, or the adult's own
 *   consent) has the areas the grant lists, each none, view or act, until the grant's review
 *   date; after it, access stops until staff renew it.
 */
export type ProxyBasis = 'parent' | 'guardian-of-minor' | 'guardian-of-adult' | 'power-of-attorney' | 'adult-consent';
export const PROXY_BASES: readonly ProxyBasis[] = ['parent', 'guardian-of-minor', 'guardian-of-adult', 'power-of-attorney', 'adult-consent'];
export type ProxyArea = 'clinical' | 'messaging' | 'appointments' | 'billing';
export const PROXY_AREAS: readonly ProxyArea[] = ['clinical', 'messaging', 'appointments', 'billing'];
export type AccessLevel = 'none' | 'view' | 'act';
export type Permissions = Record<ProxyArea, AccessLevel>;

export interface ProxyGrant {
  basis: ProxyBasis;
  /** The subject's birth date, YYYY-MM-DD. */
  subjectBirthDate: string;
  /** When the grant starts (ISO date-time). */
  grantedAt: string;
  /** When the grant must be reviewed (dependent adults); after it the grant is inactive. */
  reviewBy?: string | null;
  revokedAt?: string | null;
  /** Per-area levels for a dependent adult's proxy; ignored for minors. */
  permissions?: Partial<Permissions>;
}

export type AgeBand = 'child' | 'teen' | 'adult';

export type InactiveReason = 'revoked' | 'not-yet-valid' | 'subject-is-adult' | 'review-due' | 'subject-is-minor' | 'invalid-birth-date';

export interface ProxyDecision {
  active: boolean;
  reason?: InactiveReason;
  ageBand: AgeBand;
  /** Age in whole years on the day of `now`. */
  age: number;
  permissions: Permissions;
  /** Labels whose resources the proxy must not see. */
  hiddenLabels: ReadonlySet<SensitivityLabel>;
  /** The subject's own messages are hidden from the proxy. */
  hideSubjectMessages: boolean;
}

const NONE: Permissions = { clinical: 'none', messaging: 'none', appointments: 'none', billing: 'none' };
const FULL: Permissions = { clinical: 'act', messaging: 'act', appointments: 'act', billing: 'act' };
const MINOR_BASES: ReadonlySet<ProxyBasis> = new Set(['parent', 'guardian-of-minor']);

export interface ProxyPolicy {
  /** First age of the limited (teen) band. Default 13. */
  teenAge: number;
  /** Age at which a minor's proxy access ends. Default 18. */
  adultAge: number;
  /** Labels hidden from proxies of teens. */
  teenConfidential: ReadonlySet<SensitivityLabel>;
}

export const DEFAULT_PROXY_POLICY: ProxyPolicy = { teenAge: 13, adultAge: 18, teenConfidential: TEEN_CONFIDENTIAL };

/**
 * Age in whole years on the calendar day of `on` (UTC). Someone born on 29 February turns a
 * year older on 1 March in years without a 29 February.
 */
export function ageOn(birthDate: string, on: Date): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate);
  if (!m) return null;
  const [by, bm, bd] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (bm < 1 || bm > 12 || bd < 1 || bd > 31) return null;
  const y = on.getUTCFullYear();
  const mo = on.getUTCMonth() + 1;
  const d = on.getUTCDate();
  let age = y - by;
  // The birthday this year; 29 Feb becomes 1 Mar in common years.
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const [bMonth, bDay] = bm === 2 && bd === 29 && !leap ? [3, 1] : [bm, bd];
  if (mo < bMonth || (mo === bMonth && d < bDay)) age -= 1;
  return age;
}

export function ageBand(age: number, policy: ProxyPolicy = DEFAULT_PROXY_POLICY): AgeBand {
  if (age >= policy.adultAge) return 'adult';
  return age >= policy.teenAge ? 'teen' : 'child';
}

export function evaluateProxy(grant: ProxyGrant, now: Date, policy: ProxyPolicy = DEFAULT_PROXY_POLICY): ProxyDecision {
  const age = ageOn(grant.subjectBirthDate, now);
  const inactive = (reason: InactiveReason, band: AgeBand = 'adult', a = age ?? -1): ProxyDecision => ({
    active: false,
    reason,
    ageBand: band,
    age: a,
    permissions: NONE,
    hiddenLabels: new Set(),
    hideSubjectMessages: true,
  });
  if (age === null || age < 0) return inactive('invalid-birth-date');
  const band = ageBand(age, policy);
  if (grant.revokedAt && Date.parse(grant.revokedAt) <= now.getTime()) return inactive('revoked', band);
  if (Date.parse(grant.grantedAt) > now.getTime()) return inactive('not-yet-valid', band);
  if (MINOR_BASES.has(grant.basis)) {
    if (band === 'adult') return inactive('subject-is-adult', band);
    if (band === 'child') return { active: true, ageBand: band, age, permissions: FULL, hiddenLabels: new Set(), hideSubjectMessages: false };
    return { active: true, ageBand: band, age, permissions: FULL, hiddenLabels: policy.teenConfidential, hideSubjectMessages: true };
  }
  // A dependent adult's proxy.
  if (band !== 'adult') return inactive('subject-is-minor', band);
  if (grant.reviewBy && Date.parse(grant.reviewBy) <= now.getTime()) return inactive('review-due', band);
  const permissions: Permissions = { ...NONE, ...grant.permissions };
  return { active: true, ageBand: band, age, permissions, hiddenLabels: new Set(), hideSubjectMessages: false };
}

const RANK: Record<AccessLevel, number> = { none: 0, view: 1, act: 2 };

/** Whether a decision allows `need` in `area`. */
export function allows(decision: ProxyDecision, area: ProxyArea, need: Exclude<AccessLevel, 'none'>): boolean {
  return decision.active && RANK[decision.permissions[area]] >= RANK[need];
}

/** Whether a resource with these labels is visible to the proxy. */
export function visibleToProxy(decision: ProxyDecision, labels: Iterable<SensitivityLabel>): boolean {
  if (!decision.active) return false;
  for (const l of labels) if (decision.hiddenLabels.has(l)) return false;
  return true;
}

/** The date a minor's proxy access ends (the subject's 18th birthday by default). */
export function minorAccessEnds(birthDate: string, policy: ProxyPolicy = DEFAULT_PROXY_POLICY): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate);
  if (!m) return null;
  const y = Number(m[1]) + policy.adultAge;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return m[2] === '02' && m[3] === '29' && !leap ? `${y}-03-01` : `${y}-${m[2]}-${m[3]}`;
}
