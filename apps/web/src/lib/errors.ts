import type { MessageKey } from '../i18n/en.ts';
import { ApiError } from './api.ts';
import { PasskeyCancelled } from './webauthn.ts';
import type { Translate } from './i18n.tsx';

/**
 * Plain-language messages for the server's errors, by their stable KB- code (docs/errors.md).
 * The server's own diagnostics are English; they are shown only where they say something the
 * code alone cannot (and then translated when we know the sentence).
 */
const BY_CODE: Record<string, MessageKey> = {
  NETWORK: 'error.network',
  'KB-SIGN-IN-FAILED': 'error.signInFailed',
  'KB-EMAIL-UNVERIFIED': 'error.emailUnverified',
  'KB-CODE-INVALID': 'error.codeInvalid',
  'KB-TOKEN-INVALID': 'error.tokenInvalid',
  'KB-PASSWORD-REJECTED': 'error.passwordRejected',
  'KB-INVITATION-INVALID': 'error.invitationInvalid',
  'KB-INVITATION-LOCKED': 'error.invitationLocked',
  'KB-INVITATION-PENDING': 'error.invitationPending',
  'KB-PATIENT-LINKED': 'error.patientLinked',
  'KB-PROXY-INACTIVE': 'error.proxyInactive',
  'KB-PROXY-CONFLICT': 'error.proxyConflict',
  'KB-CSRF': 'error.csrf',
  'KB-SESSION-REQUIRED': 'error.sessionRequired',
  'KB-MFA-REQUIRED': 'error.mfaRequired',
  'KB-FORBIDDEN': 'error.forbidden',
  'KB-NOT-FOUND': 'error.notFound',
  'KB-UNAVAILABLE': 'error.unavailable',
  'KB-INTERNAL': 'error.internal',
  'KB-BAD-REQUEST': 'error.badRequest',
  'KB-UNPROCESSABLE': 'error.unprocessable',
  'KB-PASSKEY-REJECTED': 'passkey.rejected',
  'KB-PASSKEY-LAST': 'passkey.lastFactor',
};

/** Password rules as the server words them, and our key for each. */
const PASSWORD_REASONS: [RegExp, MessageKey][] = [
  [/at least (\d+) characters/i, 'password.tooShort'],
  [/too common/i, 'password.common'],
  [/email address, your name/i, 'password.personal'],
  [/repeat/i, 'password.repeat'],
  [/more different characters/i, 'password.variety'],
  [/sequences/i, 'password.sequence'],
];

export function passwordReasons(err: ApiError, t: Translate): string[] {
  return err.issues.map((i) => {
    const text = i.diagnostics ?? '';
    for (const [re, key] of PASSWORD_REASONS) {
      const m = re.exec(text);
      if (m) return t(key, { n: m[1] ?? '' });
    }
    return text;
  });
}

export function errorMessage(err: unknown, t: Translate): string {
  if (err instanceof PasskeyCancelled) return t(err.reason === 'exists' ? 'passkey.exists' : err.reason === 'unsupported' ? 'passkey.unsupported' : 'passkey.cancelled');
  if (!(err instanceof ApiError)) return t('error.internal');
  const code = err.code;
  if (code === 'KB-THROTTLED') return t('error.throttled', { seconds: err.retryAfter ?? 30 });
  if (code === 'KB-ENROLLMENT-ANSWER') {
    const left = /(\d+) attempts? left/.exec(err.issues[0]?.diagnostics ?? '')?.[1] ?? '?';
    const field = err.issues[0]?.expression[0] ?? 'code';
    const key: MessageKey = field === 'birthDate' ? 'error.answerBirthDate' : field === 'ssnLast4' ? 'error.answerSsn' : 'error.answerCode';
    return t(key, { left });
  }
  if (code && BY_CODE[code]) return t(BY_CODE[code]);
  if (err.status === 0) return t('error.network');
  if (err.status === 401) return t('error.sessionRequired');
  if (err.status === 403) return t('error.forbidden');
  if (err.status === 404) return t('error.notFound');
  if (err.status === 429) return t('error.throttled', { seconds: err.retryAfter ?? 30 });
  if (err.status >= 500) return t('error.internal');
  return t('error.badRequest');
}
