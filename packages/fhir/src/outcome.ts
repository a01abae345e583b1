import type { OperationOutcome, OperationOutcomeIssue } from 'fhir/r4';

/**
 * OperationOutcome helpers and the one table from issue code to HTTP status.
 * Every error the FHIR API returns is built here; docs/errors.md lists them.
 * See https://hl7.org/fhir/R4/operationoutcome.html and https://hl7.org/fhir/R4/http.html
 */
export type IssueCode = OperationOutcomeIssue['code'];
export type IssueSeverity = OperationOutcomeIssue['severity'];

/** HTTP status for an outcome whose first error issue has this code. */
const STATUS_BY_CODE: Partial<Record<IssueCode, number>> = {
  invalid: 400,
  structure: 400,
  required: 400,
  value: 400,
  invariant: 400,
  'code-invalid': 400,
  security: 403,
  login: 401,
  unknown: 401,
  expired: 401,
  forbidden: 403,
  suppressed: 403,
  processing: 422,
  'not-supported': 400,
  duplicate: 412,
  'multiple-matches': 412,
  'not-found': 404,
  deleted: 410,
  'too-long': 413,
  'too-costly': 422,
  conflict: 409,
  lock: 409,
  exception: 500,
  timeout: 503,
  transient: 503,
  throttled: 429,
  informational: 200,
};

export function statusForCode(code: IssueCode): number {
  return STATUS_BY_CODE[code] ?? 400;
}

export interface IssueInput {
  severity?: IssueSeverity;
  code: IssueCode;
  diagnostics: string;
  expression?: string[];
  /** Stable error identifier from docs/errors.md, carried in issue.details.coding. */
  errorCode?: string;
}

export const ERROR_CODE_SYSTEM = 'https://kennebec.health/fhir/CodeSystem/error';

export function outcome(issues: IssueInput[]): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: issues.map((i) => ({
      severity: i.severity ?? 'error',
      code: i.code,
      ...(i.errorCode ? { details: { coding: [{ system: ERROR_CODE_SYSTEM, code: i.errorCode }] } } : {}),
      diagnostics: i.diagnostics,
      ...(i.expression && i.expression.length > 0 ? { expression: i.expression } : {}),
    })),
  };
}

/** A failure that becomes an OperationOutcome response; the status comes from STATUS_BY_CODE unless given. */
export class OutcomeError extends Error {
  readonly outcome: OperationOutcome;
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(issues: IssueInput[], status?: number, headers: Record<string, string> = {}) {
    super(issues[0]?.diagnostics ?? 'error');
    this.name = 'OutcomeError';
    this.outcome = outcome(issues);
    const first = issues.find((i) => (i.severity ?? 'error') === 'error' || i.severity === 'fatal') ?? issues[0];
    this.status = status ?? (first ? statusForCode(first.code) : 400);
    this.headers = headers;
  }
}

export function isOutcomeError(err: unknown): err is OutcomeError {
  return err instanceof OutcomeError;
}

export function allOk(diagnostics = 'All OK'): OperationOutcome {
  return outcome([{ severity: 'information', code: 'informational', diagnostics }]);
}
