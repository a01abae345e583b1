import { OutcomeError, type IssueInput } from './outcome.ts';

/**
 * The catalogue of coded errors. Each constructor's code is documented in docs/errors.md;
 * keep the two in step (a test checks that every code here appears there).
 */
export const errors = {
  notFound: (ref: string) =>
    new OutcomeError([{ code: 'not-found', errorCode: 'KB-NOT-FOUND', diagnostics: `Resource ${ref} is not known` }]),
  gone: (ref: string) =>
    new OutcomeError([{ code: 'deleted', errorCode: 'KB-GONE', diagnostics: `Resource ${ref} has been deleted` }]),
  unknownType: (type: string) =>
    new OutcomeError([{ code: 'not-supported', errorCode: 'KB-UNKNOWN-TYPE', diagnostics: `Unknown resource type '${type}'` }], 404),
  badRequest: (diagnostics: string, expression?: string[]) =>
    new OutcomeError([{ code: 'invalid', errorCode: 'KB-BAD-REQUEST', diagnostics, ...(expression ? { expression } : {}) }]),
  malformedJson: (detail: string) =>
    new OutcomeError([{ code: 'structure', errorCode: 'KB-MALFORMED-JSON', diagnostics: `Body is not valid JSON: ${detail}` }]),
  invalidResource: (issues: IssueInput[]) =>
    new OutcomeError(issues.map((i) => ({ ...i, errorCode: i.errorCode ?? 'KB-INVALID-RESOURCE' })), 400),
  invalidDocument: (diagnostics: string) =>
    new OutcomeError([{ code: 'invalid', errorCode: 'KB-DOCUMENT-INVALID', diagnostics }], 400),
  unprocessable: (diagnostics: string, expression?: string[]) =>
    new OutcomeError([{ code: 'processing', errorCode: 'KB-UNPROCESSABLE', diagnostics, ...(expression ? { expression } : {}) }], 422),
  versionConflict: (ref: string, expected: string, actual: string) =>
    new OutcomeError(
      [{ code: 'conflict', errorCode: 'KB-VERSION-CONFLICT', diagnostics: `${ref} is at version ${actual}, not ${expected}` }],
      412,
    ),
  multipleMatches: (diagnostics: string) =>
    new OutcomeError([{ code: 'multiple-matches', errorCode: 'KB-MULTIPLE-MATCHES', diagnostics }], 412),
  tooLarge: (limit: number) =>
    new OutcomeError([{ code: 'too-long', errorCode: 'KB-TOO-LARGE', diagnostics: `Request body exceeds ${limit} bytes` }], 413),
  unsupportedMediaType: (type: string) =>
    new OutcomeError(
      [{ code: 'not-supported', errorCode: 'KB-MEDIA-TYPE', diagnostics: `Unsupported content type '${type}'` }],
      415,
    ),
  notAcceptable: (format: string) =>
    new OutcomeError([{ code: 'not-supported', errorCode: 'KB-FORMAT', diagnostics: `Unsupported format '${format}'` }], 406),
  methodNotAllowed: (method: string, path: string) =>
    new OutcomeError(
      [{ code: 'not-supported', errorCode: 'KB-METHOD', diagnostics: `${method} is not supported on ${path}` }],
      405,
    ),
  unsupportedSearch: (param: string, type: string) =>
    new OutcomeError([
      { code: 'not-supported', errorCode: 'KB-SEARCH-PARAM', diagnostics: `Unknown search parameter '${param}' for ${type}` },
    ]),
  /** RFC 6750 §3: a request with a token that fails verification says error="invalid_token". */
  unauthenticated: (diagnostics = 'A valid bearer token is required', bearerError?: 'invalid_token') =>
    new OutcomeError([{ code: 'login', errorCode: 'KB-UNAUTHENTICATED', diagnostics }], 401, {
      'www-authenticate': bearerError
        ? `Bearer realm="kennebec", error="${bearerError}", error_description="${diagnostics.replace(/["\\]/g, '')}"`
        : 'Bearer realm="kennebec"',
    }),
  forbidden: (diagnostics: string) =>
    new OutcomeError([{ code: 'forbidden', errorCode: 'KB-FORBIDDEN', diagnostics }], 403),
  internal: (requestId: string) =>
    new OutcomeError(
      [{ code: 'exception', errorCode: 'KB-INTERNAL', diagnostics: `Internal error; quote request id ${requestId}` }],
      500,
    ),
  /** The master patient index changed in a way that makes this staff action impossible. */
  mpiConflict: (diagnostics: string) =>
    new OutcomeError([{ code: 'conflict', errorCode: 'KB-MPI-CONFLICT', diagnostics }], 409),
  mpiNotUndoable: (diagnostics: string) =>
    new OutcomeError([{ code: 'processing', errorCode: 'KB-MPI-NOT-UNDOABLE', diagnostics }], 422),
  unavailable: (diagnostics: string) =>
    new OutcomeError([{ code: 'transient', errorCode: 'KB-UNAVAILABLE', diagnostics }], 503),
} as const;

export type ErrorName = keyof typeof errors;
