import { z } from 'zod';
import { STAFF_ROLES } from '../access/index.ts';
import { MAX_PASSWORD_LENGTH } from './passwords/policy.ts';

/** Request and response bodies of the accounts API (JSON shapes of our own, not FHIR). */
export const email = z.email().max(254).describe('Email address (compared without regard to case)');
// The policy (length, common passwords…) is checked by checkPassword, which names every reason;
// the schema only bounds the size so that nobody makes the server hash megabytes.
export const password = z.string().min(1).max(MAX_PASSWORD_LENGTH * 4).describe('Password (NFKC-normalized; see the password rules in the README)');
const token = z.string().min(1).max(128).describe('The token from the emailed link');
const isoTime = z.string().describe('ISO 8601 time');

export const signUpBody = z.object({ email, password, name: z.string().trim().min(1).max(200).optional().describe('Display name') });
export const emailBody = z.object({ email });
export const tokenBody = z.object({ token });
export const resetBody = z.object({ token, password });
export const signInBody = z.object({ email, password });
export const changePasswordBody = z.object({ currentPassword: password, newPassword: password });
export const codeBody = z.object({ code: z.string().trim().min(1).max(16).describe('6-digit code from the authenticator app') });
export const secondFactorBody = z
  .object({
    code: z.string().trim().min(1).max(16).optional().describe('6-digit code from the authenticator app'),
    recoveryCode: z.string().trim().min(1).max(32).optional().describe('One of the recovery codes (xxxx-xxxx-xxxx)'),
  })
  .refine((b) => (b.code === undefined) !== (b.recoveryCode === undefined), { message: 'Give either code or recoveryCode' });

export const accepted = z.object({ status: z.literal('accepted'), message: z.string() });

export const stage = z
  .enum(['full', 'mfa-enrol', 'mfa-verify'])
  .describe('full: signed in; mfa-enrol: set up TOTP or a passkey first; mfa-verify: enter a TOTP or recovery code, or use a passkey, first');
const authMethod = z.enum(['password', 'oidc', 'passkey']);

export const userView = z.object({
  id: z.string(),
  kind: z.enum(['patient', 'staff']),
  email: z.string(),
  name: z.string().nullable(),
  emailVerified: z.boolean(),
  mfa: z.object({ totp: z.boolean(), recoveryCodesLeft: z.number().int(), passkeys: z.number().int().describe('How many passkeys the account has') }),
  staff: z.object({ orgId: z.string().nullable(), roles: z.array(z.enum(STAFF_ROLES)) }).nullable(),
});

export const sessionView = z.discriminatedUnion('authenticated', [
  z.object({
    authenticated: z.literal(true),
    stage,
    csrfToken: z.string().describe('Send as X-CSRF-Token with every state-changing request of this session'),
    user: userView,
    session: z.object({ id: z.string(), authMethod, createdAt: isoTime, expiresAt: isoTime, idleExpiresAt: isoTime }),
  }),
  z.object({
    authenticated: z.literal(false),
    signInMethods: z.array(z.enum(['password', 'passkey', 'oidc'])),
  }),
]);

export const sessionList = z.object({
  sessions: z.array(
    z.object({
      id: z.string(),
      authMethod,
      createdAt: isoTime,
      lastSeenAt: isoTime,
      expiresAt: isoTime,
      userAgent: z.string().nullable(),
      current: z.boolean(),
    }),
  ),
});

export const sessionIdParams = z.object({ id: z.string().min(1).max(64) });
export const endSessionsQuery = z.object({
  keep: z.enum(['current']).optional().describe('`current` ends every session but this one; absent ends them all'),
});
export const endedSessions = z.object({ ended: z.number().int() });

export const totpEnrolment = z.object({
  secret: z.string().describe('Base32 secret to type into an authenticator app'),
  otpauthUri: z.string().describe('otpauth:// URI to show as a QR code'),
});
export const recoveryCodes = z.object({
  recoveryCodes: z.array(z.string()).describe('Single-use codes, shown once: store them safely'),
});

export const oidcStartQuery = z.object({
  returnTo: z
    .string()
    .max(500)
    .regex(/^\/(?![/\\])[^\s]*$/, 'must be a path on this server')
    .optional()
    .describe('Path to return to after sign-in (default /)'),
});
export const oidcCallbackQuery = z
  .object({
    code: z.string().max(2048).optional(),
    state: z.string().max(512).optional(),
    error: z.string().max(200).optional(),
    error_description: z.string().max(1000).optional(),
    iss: z.string().max(500).optional(),
  })
  .loose();
