/**
 * The JSON API as the pages use it: same-origin requests with the session cookie, the session's
 * CSRF token on every state change, and errors as ApiError carrying the server's stable code
 * (KB-…, docs/errors.md) so the page can say in plain words what went wrong.
 */
export interface Issue {
  code: string | null;
  diagnostics: string | null;
  expression: string[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly issues: Issue[],
    readonly retryAfter: number | null = null,
  ) {
    super(issues[0]?.diagnostics ?? `HTTP ${status}`);
  }
  /** The KB- code of the first issue. */
  get code(): string | null {
    return this.issues[0]?.code ?? null;
  }
  /** Issues about one field, by the last part of their expression (`body.email` → `email`). */
  forField(name: string): Issue[] {
    return this.issues.filter((i) => i.expression.some((e) => e === name || e.endsWith(`.${name}`)));
  }
}

interface OutcomeIssue {
  details?: { coding?: { code?: string }[] };
  diagnostics?: string;
  expression?: string[];
}

async function toError(res: Response): Promise<ApiError> {
  let issues: Issue[] = [];
  try {
    const body = (await res.json()) as { resourceType?: string; issue?: OutcomeIssue[] };
    if (body.resourceType === 'OperationOutcome' && Array.isArray(body.issue)) {
      issues = body.issue.map((i) => ({ code: i.details?.coding?.[0]?.code ?? null, diagnostics: i.diagnostics ?? null, expression: i.expression ?? [] }));
    }
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  const retry = Number(res.headers.get('retry-after'));
  return new ApiError(res.status, issues, Number.isFinite(retry) && retry > 0 ? retry : null);
}

let csrfToken: string | null = null;
let onUnauthorized: (() => void) | null = null;

/** The session's CSRF token (from GET /api/session), sent as X-CSRF-Token on state changes. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when a request finds the session ended (401) while someone was using the app. */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export async function request<T>(method: Method, path: string, body?: unknown, opts: { quiet401?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? null : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, [{ code: 'NETWORK', diagnostics: null, expression: [] }]);
  }
  if (!res.ok) {
    const err = await toError(res);
    if (res.status === 401 && !opts.quiet401) onUnauthorized?.();
    throw err;
  }
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  return (type.includes('json') ? await res.json() : undefined) as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body: unknown = {}, opts?: { quiet401?: boolean }) => request<T>('POST', path, body, opts),
  put: <T>(path: string, body: unknown = {}) => request<T>('PUT', path, body),
  del: <T>(path: string, body?: unknown) => request<T>('DELETE', path, body),
};
