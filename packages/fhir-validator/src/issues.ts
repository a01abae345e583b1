/**
 * Issue types of the public API. Codes are FHIR IssueType codes
 * (https://hl7.org/fhir/R4/valueset-issue-type.html) so the server can copy them into an
 * OperationOutcome unchanged.
 */

export type Severity = 'fatal' | 'error' | 'warning' | 'information';

export type IssueCode =
  | 'structure'
  | 'required'
  | 'value'
  | 'invariant'
  | 'code-invalid'
  | 'invalid'
  | 'not-supported'
  | 'too-long'
  | 'security';

export interface ValidationIssue {
  severity: Severity;
  code: IssueCode;
  /** Human text in English; quotes at most a short offending primitive, never free text. */
  diagnostics: string;
  /** FHIRPath location(s), e.g. ["Patient.name[0].given[1]"] */
  expression: string[];
}

export interface ValidationResult {
  issues: ValidationIssue[];
  /** true when no issue has severity fatal or error */
  valid: boolean;
}

/** Collects issues during one validation. */
export class IssueList {
  readonly issues: ValidationIssue[] = [];

  add(severity: Severity, code: IssueCode, diagnostics: string, expression: string): void {
    this.issues.push({ severity, code, diagnostics, expression: [expression] });
  }

  error(code: IssueCode, diagnostics: string, expression: string): void {
    this.add('error', code, diagnostics, expression);
  }

  result(): ValidationResult {
    const valid = !this.issues.some((i) => i.severity === 'error' || i.severity === 'fatal');
    return { issues: this.issues, valid };
  }
}
