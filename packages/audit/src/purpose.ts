/**
 * HL7 v3 PurposeOfUse codes (https://terminology.hl7.org/ValueSet-v3-PurposeOfUse.html), the
 * reason an actor gives for an access. ETREAT is the emergency access of break-the-glass.
 */
export const PURPOSE_OF_USE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';

const PURPOSES: Record<string, string> = {
  TREAT: 'treatment',
  ETREAT: 'Emergency Treatment',
  BTG: 'break the glass',
  COC: 'coordination of care',
  CAREMGT: 'care management',
  HPAYMT: 'healthcare payment',
  COVERAGE: 'coverage under policy or program',
  HOPERAT: 'healthcare operations',
  HSYSADMIN: 'system administration',
  RECORDMGT: 'records management',
  PATRQT: 'patient requested',
  FAMRQT: 'family requested',
  PWATRNY: 'power of attorney',
  SUPNWK: 'support network',
  PUBHLTH: 'public health',
  HRESCH: 'healthcare research',
  CLINTRCH: 'clinical trial research',
  HLEGAL: 'legal',
  HMARKT: 'marketing',
  HDIRECT: 'directory',
  HTEST: 'test health data',
  SYSDEV: 'system development',
  TRAIN: 'training',
  DISASTER: 'disaster',
  THREAT: 'threat',
};

export function isPurposeOfUse(code: string): boolean {
  return Object.hasOwn(PURPOSES, code);
}

export function purposeOfUseDisplay(code: string): string | undefined {
  return Object.hasOwn(PURPOSES, code) ? PURPOSES[code] : undefined;
}
