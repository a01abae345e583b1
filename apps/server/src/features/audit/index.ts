export { AuditTrail, type AuditReadMode, type AuditTrailOptions } from './audit-trail.ts';
export { auditEventProvider, AUDIT_EVENT_SEARCH_PARAMS, type AuditEventDeps } from './audit-events.ts';
export { verifyAuditChain, type VerifyResult } from './verify-chain.ts';
