import { intersectScope, normalizeScopes, parseScopes, type ParsedScope } from '@kennebec/fhir';

/**
 * Which scopes a client_credentials request gets (RFC 6749 §3.3, SMART Backend Services).
 * Only `system/` resource scopes make sense without a user or patient, so only those are
 * granted. With no `scope` parameter the client gets everything it is allowed. Each requested
 * scope is intersected with the allowed ones and may come back narrower (e.g. asking for
 * system/Patient.cruds when allowed system/*.rs grants system/Patient.rs); a requested scope of
 * which nothing is allowed, a malformed one, or a non-resource one fails with invalid_scope.
 */
export type ScopeDecision =
  | { ok: true; scopes: ParsedScope[] }
  | { ok: false; error: 'invalid_scope' | 'unauthorized_client'; description: string };

export function decideScopes(allowedScope: string, requested: string | undefined): ScopeDecision {
  const allowed = parseScopes(allowedScope).scopes.filter((s) => s.context === 'system');
  if (allowed.length === 0) {
    return { ok: false, error: 'unauthorized_client', description: 'This client is not allowed any system scopes' };
  }
  if (requested === undefined) return { ok: true, scopes: normalizeScopes(allowed) };
  const parsed = parseScopes(requested);
  if (parsed.invalid.length > 0) {
    return { ok: false, error: 'invalid_scope', description: `Unknown or malformed scope: ${parsed.invalid.join(' ')}` };
  }
  if (parsed.other.length > 0) {
    return { ok: false, error: 'invalid_scope', description: `Not available with client_credentials: ${parsed.other.join(' ')}` };
  }
  if (parsed.scopes.length === 0) return { ok: false, error: 'invalid_scope', description: 'scope is empty' };
  // Every token is a resource scope here, so tokens and parsed.scopes line up one to one.
  const tokens = requested.split(' ').filter((t) => t !== '');
  const granted: ParsedScope[] = [];
  const refused: string[] = [];
  for (const [i, s] of parsed.scopes.entries()) {
    const g = intersectScope(s, allowed);
    if (g.length === 0) refused.push(tokens[i] ?? '');
    granted.push(...g);
  }
  if (refused.length > 0) {
    return { ok: false, error: 'invalid_scope', description: `Scope not allowed for this client: ${refused.join(' ')}` };
  }
  return { ok: true, scopes: normalizeScopes(granted) };
}
