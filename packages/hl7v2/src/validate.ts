/**
 * Header checks that decide between processing, AE and AR before any mapping
 * (HL7 v2.5.1 chapter 2.9.2 "Message response using the original processing rules":
 * MSH-9, MSH-11 and MSH-12 are checked by the receiver's protocol layer and fail with AR).
 */
import { HL7_ERROR, type Hl7Issue } from './errors.ts';
import type { Hl7Message } from './message.ts';

/** Versions this package accepts: 2.3 through 2.8 with their point releases. */
export const SUPPORTED_VERSION = /^2\.(3(\.1)?|4|5(\.1)?|6|7(\.1)?|8(\.[12])?)$/;

export function isSupportedVersion(version: string): boolean {
  return SUPPORTED_VERSION.test(version);
}

/** Problems with MSH that stop processing; empty when the header is usable. */
export function checkHeader(msg: Hl7Message): Hl7Issue[] {
  const issues: Hl7Issue[] = [];
  const msh = msg.header;
  const req = (field: number, name: string): boolean => {
    if (msh.field(field).isEmpty) {
      issues.push({ severity: 'E', code: HL7_ERROR.requiredFieldMissing, message: `MSH-${field} (${name}) is missing`, location: { segment: 'MSH', sequence: 1, field } });
      return false;
    }
    return true;
  };
  if (req(9, 'message type')) {
    const t = msg.messageType;
    if (t.trigger === '') issues.push({ severity: 'E', code: HL7_ERROR.requiredFieldMissing, message: 'MSH-9.2 (trigger event) is missing', location: { segment: 'MSH', sequence: 1, field: 9, component: 2 } });
  }
  req(10, 'message control id');
  if (req(11, 'processing id')) {
    const p = msh.get(11);
    if (!['P', 'T', 'D'].includes(p)) issues.push({ severity: 'E', code: HL7_ERROR.unsupportedProcessingId, message: `MSH-11 processing id "${p}" is not P, T or D (table 0103)`, location: { segment: 'MSH', sequence: 1, field: 11 } });
  }
  if (req(12, 'version id') && !isSupportedVersion(msg.version)) {
    issues.push({ severity: 'E', code: HL7_ERROR.unsupportedVersionId, message: `MSH-12 version "${msg.version}" is not supported (2.3–2.8)`, location: { segment: 'MSH', sequence: 1, field: 12 } });
  }
  return issues;
}

/** The v2 version as numbers for comparisons ("2.5.1" → [2, 5, 1]); unknown → [2, 5]. */
export function versionParts(version: string): number[] {
  const parts = version.split('.').map(Number);
  return parts.every((n) => Number.isFinite(n)) && parts.length >= 2 ? parts : [2, 5];
}

export function versionAtLeast(version: string, major: number, minor: number, patch = 0): boolean {
  const [a = 0, b = 0, c = 0] = versionParts(version);
  return a !== major ? a > major : b !== minor ? b > minor : c >= patch;
}
