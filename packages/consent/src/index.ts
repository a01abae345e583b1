/** @kennebec/consent: pure privacy rules (sensitivity labels from code lists, proxy access by age and grant); no I/O. */
export { ACT_CODE_SYSTEM, SensitivityLabel, ALL_LABELS, LABEL_DISPLAY, TEEN_CONFIDENTIAL, CONSENT_RESTRICTED, isSensitivityLabel } from './labels.ts';
export { DEFAULT_CODE_LISTS, CODE_SYSTEMS, type CodeLists, type CodeRule } from './code-lists.ts';
export { classifyResource, withSensitivityLabels, labelsOf } from './classify.ts';
export {
  evaluateProxy,
  allows,
  visibleToProxy,
  ageOn,
  ageBand,
  minorAccessEnds,
  DEFAULT_PROXY_POLICY,
  PROXY_AREAS,
  PROXY_BASES,
  type ProxyGrant,
  type ProxyDecision,
  type ProxyPolicy,
  type ProxyBasis,
  type ProxyArea,
  type AccessLevel,
  type Permissions,
  type AgeBand,
  type InactiveReason,
} from './proxy.ts';
