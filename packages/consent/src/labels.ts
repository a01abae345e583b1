/**
 * Sensitivity labels: HL7 v3 ActCode information-sensitivity policy codes, carried in
 * `meta.security` of the resources they apply to. They decide who may see what: a proxy of a
 * 13–17-year-old does not see the teen-confidential ones; the HIE shows the consent-restricted
 * ones to other organizations only with the person's consent or in an emergency.
 */
export const ACT_CODE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

export const SensitivityLabel = {
  /** Mental health (psychiatry information sensitivity). */
  mentalHealth: 'PSY',
  /** Substance use (alcohol or drug-abuse information; 42 CFR Part 2). */
  substanceUse: 'ETH',
  /** HIV/AIDS information. */
  hiv: 'HIV',
  /** Sexuality and reproductive health. */
  sexualHealth: 'SEX',
  /** Sexually transmitted disease. */
  sti: 'STD',
} as const;
export type SensitivityLabel = (typeof SensitivityLabel)[keyof typeof SensitivityLabel];

export const ALL_LABELS: readonly SensitivityLabel[] = Object.values(SensitivityLabel);

export const LABEL_DISPLAY: Record<SensitivityLabel, string> = {
  PSY: 'psychiatry information sensitivity',
  ETH: 'substance abuse information sensitivity',
  HIV: 'HIV/AIDS information sensitivity',
  SEX: 'sexuality and reproductive health information sensitivity',
  STD: 'sexually transmitted disease information sensitivity',
};

/** What a proxy of a 13–17-year-old does not see: sexual and reproductive health, mental health, substance use (and HIV and STIs, which are part of sexual health). */
export const TEEN_CONFIDENTIAL: ReadonlySet<SensitivityLabel> = new Set(['SEX', 'STD', 'HIV', 'PSY', 'ETH']);

/** What the HIE shares across organizations only with the person's consent or in an emergency. */
export const CONSENT_RESTRICTED: ReadonlySet<SensitivityLabel> = new Set(['PSY', 'HIV', 'ETH']);

export function isSensitivityLabel(code: string): code is SensitivityLabel {
  return (ALL_LABELS as readonly string[]).includes(code);
}
