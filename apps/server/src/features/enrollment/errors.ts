import { OutcomeError, type IssueInput } from '@kennebec/fhir';

/**
 * Coded errors of enrollment by invitation, documented in docs/errors.md (a test keeps the two
 * in step). Same shape as every other error: an OperationOutcome whose issue carries a KB- code.
 */
const one = (code: IssueInput['code'], errorCode: string, diagnostics: string, status: number, expression?: string[]) =>
  new OutcomeError([{ code, errorCode, diagnostics, ...(expression ? { expression } : {}) }], status);

export type InvitationProblem = 'unknown' | 'expired' | 'accepted' | 'revoked';

const PROBLEM_TEXT: Record<InvitationProblem, string> = {
  unknown: 'This invitation link is not valid: it is unknown, or a newer invitation has replaced it',
  expired: 'This invitation has expired: ask the organization to send a new one',
  accepted: 'This invitation has already been used',
  revoked: 'This invitation was withdrawn by the organization',
};

export const enrollmentErrors = {
  /** The link's token is unknown, replaced by a resend, expired, already used or revoked. */
  invitationInvalid: (problem: InvitationProblem) => one('invalid', 'KB-INVITATION-INVALID', PROBLEM_TEXT[problem], 400, ['token']),
  /** Too many wrong answers: only a new invitation (resend) can be accepted. */
  invitationLocked: () =>
    one('lock-error', 'KB-INVITATION-LOCKED', 'This invitation is locked after too many wrong answers: ask the organization to send a new one', 403),
  /** The code or the identity answer (birth date, SSN digits) is wrong; the failure is counted. */
  answerWrong: (field: 'code' | 'birthDate' | 'ssnLast4', attemptsLeft: number) =>
    one(
      'invalid',
      'KB-ENROLLMENT-ANSWER',
      `${field === 'code' ? 'The code does not match the one in the invitation email' : field === 'birthDate' ? 'The date of birth does not match our records' : 'The last four digits of the Social Security number do not match our records'}; ${attemptsLeft} attempt${attemptsLeft === 1 ? '' : 's'} left before the invitation is locked`,
      400,
      [field],
    ),
  /** The patient's record is already linked to another account (or the same person's record elsewhere is). */
  patientLinked: (diagnostics = 'This patient record is already linked to another account') => one('conflict', 'KB-PATIENT-LINKED', diagnostics, 409),
  /** A pending invitation already exists for this patient (resend or revoke it instead). */
  invitationPending: () =>
    one('conflict', 'KB-INVITATION-PENDING', 'This patient already has a pending invitation: resend or revoke it instead', 409),
} as const;
