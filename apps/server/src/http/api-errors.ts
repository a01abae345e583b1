import { OutcomeError, type IssueInput } from '@kennebec/fhir';

/**
 * Coded errors of the JSON API (accounts, sessions, staff) beyond the shared catalogue in
 * @kennebec/fhir. Same shape: an OperationOutcome whose issues carry a KB- code, documented in
 * docs/errors.md (a test keeps the two in step).
 */
const one = (code: IssueInput['code'], errorCode: string, diagnostics: string, status: number, headers: Record<string, string> = {}, expression?: string[]) =>
  new OutcomeError([{ code, errorCode, diagnostics, ...(expression ? { expression } : {}) }], status, headers);

const PASSKEY_REFUSALS: Record<string, string> = {
  'no-challenge': 'No passkey challenge is waiting here: it was answered already, expired after 5 minutes, or was asked for in another browser; ask for new options',
  'wrong-type': 'The passkey response is not of the expected kind (registration or sign-in)',
  'wrong-origin': 'The passkey response was made for another site',
  'wrong-challenge': 'The passkey response answers another challenge',
  'user-not-verified': 'The passkey did not verify the user (PIN or biometric), which this needs',
  'unknown-credential': 'This passkey is not registered to the account',
  'user-handle-mismatch': 'This passkey is not registered to the account',
  'signature-invalid': 'The passkey response could not be verified',
  'already-registered': 'This passkey is already registered',
  'sign-count-regressed': "The passkey's signature counter went backwards, as when a key has been copied; it was refused and the event recorded",
};

export const apiErrors = {
  /** A state-changing request from another site, or without the session's CSRF token. */
  csrf: (diagnostics: string) => one('forbidden', 'KB-CSRF', diagnostics, 403),
  /** No session cookie, or one whose session ended (signed out, idle or absolute timeout). */
  sessionRequired: (diagnostics = 'Sign in first: there is no active session') => one('login', 'KB-SESSION-REQUIRED', diagnostics, 401),
  /** Wrong email or password, unknown account, disabled account: one answer for all. */
  signInFailed: () => one('login', 'KB-SIGN-IN-FAILED', 'The email address or password is not correct', 401),
  /** Too many failures for this account name or from this address. */
  throttled: (retryAfterSeconds: number) =>
    one('throttled', 'KB-THROTTLED', `Too many failed attempts; try again in ${retryAfterSeconds} s`, 429, { 'retry-after': String(retryAfterSeconds) }),
  /** The session has signed in with a password but its second factor is still to do. */
  mfaRequired: (next: 'enrol' | 'verify') =>
    one(
      'forbidden',
      'KB-MFA-REQUIRED',
      next === 'enrol'
        ? 'Set up an authenticator app (POST /api/mfa/totp/enrol, then /api/mfa/totp/confirm) or a passkey (POST /api/passkeys/options, then /api/passkeys) first'
        : 'Enter a code from your authenticator app or a recovery code (POST /api/session/mfa), or use a passkey (POST /api/session/mfa/passkey/options, then /api/session/mfa/passkey), first',
      403,
    ),
  /** A passkey registration or assertion that was refused; the diagnostics say why. */
  passkeyRejected: (reason: string) => one('invalid', 'KB-PASSKEY-REJECTED', PASSKEY_REFUSALS[reason] ?? 'The passkey response could not be verified', 400, {}, ['response']),
  /** A TOTP or recovery code that is wrong, expired or already used. */
  codeInvalid: () => one('invalid', 'KB-CODE-INVALID', 'The code is not valid (wrong, expired or already used)', 400, {}, ['code']),
  /** An emailed link's token that is unknown, expired or already used. */
  tokenInvalid: () => one('invalid', 'KB-TOKEN-INVALID', 'This link is not valid: it is unknown, has expired or was already used', 400, {}, ['token']),
  /** Password policy: one issue per reason. */
  passwordRejected: (reasons: readonly string[]) =>
    new OutcomeError(
      reasons.map((r) => ({ code: 'invalid' as const, errorCode: 'KB-PASSWORD-REJECTED', diagnostics: r, expression: ['password'] })),
      400,
    ),
  /** The account's email address has not been verified yet. */
  emailUnverified: () =>
    one('forbidden', 'KB-EMAIL-UNVERIFIED', 'Verify your email address first: we have sent a new link to it', 403),
  /** Sign-in with the external OpenID Connect provider did not complete. */
  oidcFailed: (diagnostics: string) => one('login', 'KB-OIDC-FAILED', diagnostics, 400),
  /** A proxy grant exists but is not in force now (ended at 18, review due, revoked…). */
  proxyInactive: (diagnostics: string) => one('forbidden', 'KB-PROXY-INACTIVE', diagnostics, 403),
  /** The proxy already has a grant in force for this patient, or the request was already decided. */
  proxyConflict: (diagnostics: string) => one('conflict', 'KB-PROXY-CONFLICT', diagnostics, 409),
} as const;
