export {
  KNOWN_ACTIONS,
  MAX_REFERENCES,
  normalizeEntry,
  outcomeForStatus,
  type AuditAction,
  type AuditEntryInput,
  type AuditOutcome,
  type AuditRecord,
  type ChainedRecord,
  type KnownAction,
} from './entry.ts';
export { CHAIN_FORMAT, GENESIS_HASH, ChainVerifier, canonicalEntry, chainHash, entryDigest, type ChainBreak } from './chain.ts';
export { isPurposeOfUse, purposeOfUseDisplay, PURPOSE_OF_USE_SYSTEM } from './purpose.ts';
export { patientsInJson, patientsInResource, unversioned } from './patients.ts';
export {
  ACTOR_SYSTEM,
  SUBTYPE_OF_ACTION,
  USER_AGENT_EXTENSION,
  actionCode,
  actionsForCode,
  outcomeCode,
  toAuditEvent,
  whoReference,
  type AuditEventOptions,
} from './audit-event.ts';
