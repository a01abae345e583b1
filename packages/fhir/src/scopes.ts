/**
 * SMART on FHIR resource scopes: parsing, formatting and intersection. Pure; no I/O.
 *
 * Grammar (SMART App Launch v2, https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html):
 *   ( "patient" | "user" | "system" ) "/" ( ResourceType | "*" ) "." permissions
 * where v2 permissions are a non-empty, in-order subset of `cruds`, and the v1 suffixes
 * `read`, `write` and `*` are accepted and mapped to their v2 equivalents (rs, cud, cruds) as the
 * guide's v1 → v2 table does. Scopes are case-sensitive and space-delimited (RFC 6749 §3.3).
 *
 * Granular scopes (`patient/Observation.rs?category=…`) are reported as invalid for now: the
 * access layer cannot honour the query restriction yet, and silently dropping it would grant
 * more than was asked for.
 */
export type ScopeContext = 'system' | 'user' | 'patient';
export type ScopeInteraction = 'c' | 'r' | 'u' | 'd' | 's';

/** Structurally the same as `GrantedScope` in the server's access feature. */
export interface ParsedScope {
  context: ScopeContext;
  /** A resource type or '*'. */
  resourceType: string;
  interactions: ReadonlySet<ScopeInteraction>;
}

export interface ParsedScopes {
  /** Resource scopes, one per valid token, in request order (not merged). */
  scopes: ParsedScope[];
  /** Recognised non-resource scopes (openid, fhirUser, launch, offline_access, …), deduplicated. */
  other: string[];
  /** Tokens that are neither, deduplicated, in request order. */
  invalid: string[];
}

/** Canonical order of the permission letters. */
export const SCOPE_INTERACTIONS: readonly ScopeInteraction[] = ['c', 'r', 'u', 'd', 's'];

/** Non-resource scopes SMART defines (identity, launch context, refresh). */
const OTHER_SCOPES = new Set([
  'openid',
  'fhirUser',
  'profile',
  'launch',
  'launch/patient',
  'launch/encounter',
  'offline_access',
  'online_access',
]);

const RESOURCE_SCOPE = /^(system|user|patient)\/(\*|[A-Z][A-Za-z]{0,63})\.([a-z*]+)$/;
/** Any subset of c r u d s, in that order, at least one letter. */
const V2_PERMISSIONS = /^(?=[cruds])c?r?u?d?s?$/;
// A Map, not an object literal: `system/Patient.constructor` must not find Object.prototype.
const V1_PERMISSIONS = new Map<string, readonly ScopeInteraction[]>([
  ['read', ['r', 's']],
  ['write', ['c', 'u', 'd']],
  ['*', SCOPE_INTERACTIONS],
]);

/** Parses one token; undefined when it is not a (supported) resource scope. */
export function parseResourceScope(token: string): ParsedScope | undefined {
  const m = RESOURCE_SCOPE.exec(token);
  if (!m) return undefined;
  const [, context, resourceType, perms] = m;
  if (context === undefined || resourceType === undefined || perms === undefined) return undefined;
  let letters: readonly ScopeInteraction[];
  const v1 = V1_PERMISSIONS.get(perms);
  if (v1) letters = v1;
  else if (V2_PERMISSIONS.test(perms)) letters = [...perms] as ScopeInteraction[];
  else return undefined;
  return { context: context as ScopeContext, resourceType, interactions: new Set(letters) };
}

export function parseScopes(s: string): ParsedScopes {
  const out: ParsedScopes = { scopes: [], other: [], invalid: [] };
  for (const token of s.split(' ')) {
    if (token === '') continue;
    const parsed = parseResourceScope(token);
    if (parsed) out.scopes.push(parsed);
    else if (OTHER_SCOPES.has(token)) {
      if (!out.other.includes(token)) out.other.push(token);
    } else if (!out.invalid.includes(token)) out.invalid.push(token);
  }
  return out;
}

/** The v2 form: `system/Patient.rs`. Interactions are written in canonical cruds order. */
export function formatScope(scope: ParsedScope): string {
  const letters = SCOPE_INTERACTIONS.filter((i) => scope.interactions.has(i)).join('');
  return `${scope.context}/${scope.resourceType}.${letters}`;
}

export function formatScopes(scopes: readonly ParsedScope[]): string {
  return scopes.map(formatScope).join(' ');
}

/**
 * Merges scopes with the same context and resource type, drops empty ones and specific-type
 * scopes already covered by a wildcard of the same context. Output is sorted for stable tokens.
 */
export function normalizeScopes(scopes: readonly ParsedScope[]): ParsedScope[] {
  const merged = new Map<string, { context: ScopeContext; resourceType: string; interactions: Set<ScopeInteraction> }>();
  for (const s of scopes) {
    const key = `${s.context}/${s.resourceType}`;
    const entry = merged.get(key) ?? { context: s.context, resourceType: s.resourceType, interactions: new Set() };
    for (const i of s.interactions) entry.interactions.add(i);
    merged.set(key, entry);
  }
  const out: ParsedScope[] = [];
  for (const s of merged.values()) {
    if (s.interactions.size === 0) continue;
    const wildcard = s.resourceType === '*' ? undefined : merged.get(`${s.context}/*`);
    if (wildcard && [...s.interactions].every((i) => wildcard.interactions.has(i))) continue;
    out.push(s);
  }
  // Code-point order, not locale order: the same scope string on every machine.
  return out
    .map((s) => ({ s, key: formatScope(s) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ s }) => s);
}

/**
 * What `allowed` grants of one `requested` scope: same context, matching type ('*' on either side
 * matches; a requested wildcard narrows to the allowed types), interactions intersected.
 * Empty when nothing of it is allowed.
 */
export function intersectScope(requested: ParsedScope, allowed: readonly ParsedScope[]): ParsedScope[] {
  const out: ParsedScope[] = [];
  for (const a of allowed) {
    if (a.context !== requested.context) continue;
    if (requested.resourceType !== '*' && a.resourceType !== '*' && a.resourceType !== requested.resourceType) continue;
    const interactions = new Set([...requested.interactions].filter((i) => a.interactions.has(i)));
    if (interactions.size === 0) continue;
    out.push({ context: a.context, resourceType: requested.resourceType === '*' ? a.resourceType : requested.resourceType, interactions });
  }
  return normalizeScopes(out);
}
