import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { z } from 'zod';
import { errors } from '@kennebec/fhir';
import { apiErrors } from './api-errors.ts';
import type { StaffRole } from '../features/access/index.ts';

/**
 * The JSON API's routes (everything outside FHIR) are declared once, with zod schemas for the
 * body, query, path parameters and every response. One declaration registers the Fastify route
 * (input parsed and validated before the handler runs; bad input is a 400 OperationOutcome
 * naming each problem) and feeds the OpenAPI 3.1 document at GET /api/openapi.json (see
 * openapi.ts), so the document cannot drift from what the server does.
 *
 * Outside production the registry also checks each response body against its declared schema
 * and fails loudly (500) when they differ, so a test exercising a route also tests its docs.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** How a route authenticates, for the document (the handler enforces it). */
export type ApiSecurity = 'none' | 'session' | 'bearer';

/**
 * Who may call a route: 'anyone' (no credentials), 'account' (any signed-in account, for its
 * own settings), 'patient' (a signed-in portal account, for itself or those it acts for), a
 * staff role (a signed-in staff user holding it), or 'client' (an OAuth client with the
 * route's scopes). The handler enforces it; the document shows it (x-callers) and the
 * authorization matrix tries every route as every caller not listed, expecting a refusal.
 */
export type Caller = 'anyone' | 'account' | 'patient' | 'client' | StaffRole;

export interface ApiResponseSpec {
  description: string;
  /** Body schema; absent for an empty body (204) or a redirect. */
  schema?: z.ZodType;
  /**
   * The Content-Type of the body, when it is not the default (application/json, and
   * application/fhir+json for errors): an HL7 ACK, a JWK Set. A string body is sent as is.
   */
  contentType?: string;
  /** Documented response headers (name → description). */
  headers?: Record<string, string>;
}

type Schema = z.ZodType | undefined;
type Out<S extends Schema> = S extends z.ZodType ? z.output<S> : undefined;

export interface ApiInput<B extends Schema, Q extends Schema, P extends Schema> {
  body: Out<B>;
  query: Out<Q>;
  params: Out<P>;
  req: FastifyRequest;
  reply: FastifyReply;
}

/** Input that failed its schema (or came in a media type the route does not take). */
export interface InvalidInput {
  where: 'body' | 'query' | 'params' | 'content-type';
  issues: { path: string; message: string }[];
}

/** What a handler answers: a status declared in `responses`, a body, and headers. */
export interface ApiResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ApiRoute<B extends Schema = Schema, Q extends Schema = Schema, P extends Schema = Schema> {
  method: HttpMethod;
  /** Fastify path syntax: /api/sessions/:id */
  url: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  /** One scheme, or several any of which the route accepts (a session or a bearer token). */
  security: ApiSecurity | readonly ApiSecurity[];
  /** Who may call it (see Caller); everyone else is refused. */
  who: readonly Caller[];
  /** Sends and checks the CSRF token header (cookie-authenticated state changes). */
  csrf?: boolean;
  body?: B;
  /**
   * Media types the body may come in (default application/json, not checked). When given, a
   * request in another type is invalid input; a parser for each must be registered in the
   * route's plugin (form fields, HL7 v2 text, XML).
   */
  bodyTypes?: readonly string[];
  /** Largest body accepted, in bytes (default: the server's BODY_LIMIT). */
  bodyLimit?: number;
  query?: Q;
  params?: P;
  responses: Record<number, ApiResponseSpec>;
  /**
   * Checks the caller's credentials and permission before the input is read (the gate only
   * knows the kind of caller), so that a request without valid credentials is answered 401,
   * and one without permission 403, whatever it sent. Throws to refuse.
   */
  admit?: (req: FastifyRequest) => Promise<void>;
  /**
   * Answers invalid input in the route's own shape (an OAuth error) instead of the 400
   * OperationOutcome every other route gives. The result must be a declared response.
   */
  invalidInput?: (problem: InvalidInput) => ApiResult;
  handler: (input: ApiInput<B, Q, P>) => Promise<ApiResult>;
}

/** Declares a route with its types inferred from its schemas. */
export function apiRoute<B extends Schema = undefined, Q extends Schema = undefined, P extends Schema = undefined>(
  route: ApiRoute<B, Q, P>,
): ApiRoute {
  return route as unknown as ApiRoute;
}

/** A route seen by Fastify (any plugin), for checking that the document lists every route. */
export interface SeenRoute {
  method: string;
  url: string;
}

/** The error body every API error has: an OperationOutcome (docs/errors.md). */
export const problemSchema = z
  .object({
    resourceType: z.literal('OperationOutcome'),
    issue: z.array(
      z.object({
        severity: z.string(),
        code: z.string(),
        details: z.object({ coding: z.array(z.object({ system: z.string(), code: z.string() })) }).optional(),
        diagnostics: z.string().optional(),
        expression: z.array(z.string()).optional(),
      }),
    ),
  })
  .meta({ id: 'Problem', description: 'An OperationOutcome; each issue carries a stable KB- code (docs/errors.md)' });

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

class InvalidInputError extends Error {
  constructor(readonly problem: InvalidInput) {
    super(problem.issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  }
}

function parse<S extends Schema>(schema: S, value: unknown, where: 'body' | 'query' | 'params'): Out<S> {
  if (!schema) return undefined as Out<S>;
  const res = schema.safeParse(where === 'body' && value === undefined ? {} : value);
  if (!res.success) {
    throw new InvalidInputError({ where, issues: res.error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message })) });
  }
  return res.data as Out<S>;
}

/** The media type of a request (no parameters, lower case), or '' without one. */
function mediaType(req: FastifyRequest): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function checkBodyType(route: ApiRoute, req: FastifyRequest): void {
  if (!route.body || !route.bodyTypes) return;
  const type = mediaType(req);
  if (!route.bodyTypes.includes(type)) {
    throw new InvalidInputError({ where: 'content-type', issues: [{ path: 'content-type', message: `The body must be ${route.bodyTypes.join(' or ')}${type ? `, not ${type}` : ''}` }] });
  }
}

function readInput(route: ApiRoute, req: FastifyRequest, reply: FastifyReply): ApiInput<Schema, Schema, Schema> {
  checkBodyType(route, req);
  return {
    params: parse(route.params, req.params, 'params'),
    query: parse(route.query, req.query, 'query'),
    body: parse(route.body, req.body, 'body'),
    req,
    reply,
  };
}

/** Who sent a request, as far as the route gate needs to know (the handler checks the rest). */
export type CallerIdentity =
  | { kind: 'anonymous' }
  | { kind: 'account'; userId: string; orgId: string | null; accountKind: 'patient' | 'staff'; roles: readonly StaffRole[]; stage: 'full' | 'mfa-enrol' | 'mfa-verify' }
  | { kind: 'client' };

/**
 * Whether a caller is among those a route admits. Coarse on purpose: it looks at the kind of
 * account and the roles held, not at organizations, patients or session stages, which the
 * handler and the access decision point check for the data concerned.
 */
export function admits(who: readonly Caller[], caller: CallerIdentity): boolean {
  if (who.includes('anyone')) return true;
  if (caller.kind === 'client') return who.includes('client');
  if (caller.kind === 'anonymous') return false;
  if (who.includes('account')) return true;
  if (caller.accountKind === 'patient') return who.includes('patient');
  return caller.roles.some((r) => who.includes(r));
}

function describeCallers(who: readonly Caller[]): string {
  const roles = who.filter((w) => w !== 'anyone' && w !== 'account' && w !== 'patient' && w !== 'client');
  const parts = [
    ...(who.includes('patient') ? ['a patient account'] : []),
    ...(roles.length > 0 ? [`staff with the role ${roles.join(' or ')}`] : []),
    ...(who.includes('client') ? ['an OAuth client with the scope'] : []),
  ];
  return parts.join(' or ');
}

export interface ApiRegistryOptions {
  /** Origins allowed to make state-changing requests (the server's own, from BASE_URL). */
  allowedOrigins: readonly string[];
  /** Check response bodies against their schemas (development and tests). */
  validateResponses: boolean;
}

export class ApiRegistry {
  readonly routes: ApiRoute[] = [];
  readonly seen: SeenRoute[] = [];
  private callerOf: (req: FastifyRequest) => Promise<CallerIdentity> = async (req) =>
    req.headers.authorization?.startsWith('Bearer ') ? { kind: 'client' } : { kind: 'anonymous' };

  constructor(readonly options: ApiRegistryOptions) {}

  /** How the gate learns who sent a request (the accounts feature knows sessions). */
  identifyCallers(callerOf: (req: FastifyRequest) => Promise<CallerIdentity>): void {
    this.callerOf = callerOf;
  }

  /**
   * The gate in front of every route: a caller the route does not admit is refused before its
   * input is even read, 401 when nobody is signed in, 403 otherwise. A route open to clients
   * lets an unauthenticated request through to its handler, which answers the OAuth way.
   */
  private async gate(route: ApiRoute, req: FastifyRequest): Promise<void> {
    if (route.who.includes('anyone')) return;
    const caller = await this.callerOf(req);
    // Routes for patients or staff roles need a session whose second factor is done.
    if (caller.kind === 'account' && caller.stage !== 'full' && !route.who.includes('account')) {
      throw apiErrors.mfaRequired(caller.stage === 'mfa-enrol' ? 'enrol' : 'verify');
    }
    if (admits(route.who, caller)) return;
    if (caller.kind === 'anonymous') {
      if (route.who.includes('client')) return;
      throw apiErrors.sessionRequired();
    }
    this.refused?.(route, req, caller);
    throw errors.forbidden(`Only ${describeCallers(route.who)} may use ${route.method} ${route.url}`);
  }

  private refused?: (route: ApiRoute, req: FastifyRequest, caller: CallerIdentity) => void;

  /** Called for each request the gate refuses to a signed-in caller (the audit trail records it). */
  onRefused(listener: (route: ApiRoute, req: FastifyRequest, caller: CallerIdentity) => void): void {
    this.refused = listener;
  }

  /** Records every route Fastify registers from now on (add before registering plugins). */
  track(app: FastifyInstance): void {
    registries.set(app, this);
    app.addHook('onRoute', (r: RouteOptions) => {
      // The web app's pages and files (features/web) are HTML, not part of the JSON API.
      if ((r.config as { page?: boolean } | undefined)?.page === true) return;
      for (const m of Array.isArray(r.method) ? r.method : [r.method]) this.seen.push({ method: m, url: r.url ?? '' });
    });
  }

  /** Registers the routes on `app` (inside a plugin or at the root) and in the document. */
  add(app: FastifyInstance, routes: readonly ApiRoute[]): void {
    for (const route of routes) {
      this.routes.push(route);
      app.route({
        method: route.method,
        url: route.url,
        ...(route.bodyLimit !== undefined ? { bodyLimit: route.bodyLimit } : {}),
        handler: async (req, reply) => {
          if (!SAFE.has(req.method)) this.checkOrigin(req);
          await this.gate(route, req);
          if (route.admit) await route.admit(req);
          let input: ApiInput<Schema, Schema, Schema>;
          try {
            input = readInput(route, req, reply);
          } catch (err) {
            if (!(err instanceof InvalidInputError)) throw err;
            if (!route.invalidInput) throw errors.badRequest(err.message, err.problem.issues.map((i) => i.path));
            return this.send(route, reply, route.invalidInput(err.problem));
          }
          return this.send(route, reply, await route.handler(input));
        },
      });
    }
  }

  /**
   * Cross-site request forgery, first line: a browser names the page's origin on every
   * state-changing request (Fetch standard), so one from another site is refused outright.
   * Requests without Origin (curl, server-to-server) pass here; cookie-authenticated ones
   * still need the CSRF token.
   */
  private checkOrigin(req: FastifyRequest): void {
    const origin = req.headers.origin;
    if (origin !== undefined) {
      if (!this.options.allowedOrigins.includes(origin)) throw apiErrors.csrf(`Requests from origin ${origin} are not accepted`);
      return;
    }
    if (req.headers['sec-fetch-site'] === 'cross-site') throw apiErrors.csrf('Cross-site requests are not accepted');
  }

  private send(route: ApiRoute, reply: FastifyReply, result: ApiResult): FastifyReply {
    this.checkResponse(route, result);
    for (const [k, v] of Object.entries(result.headers ?? {})) reply.header(k, v);
    const type = route.responses[result.status]?.contentType;
    if (type) reply.type(type);
    reply.code(result.status);
    return result.body === undefined ? reply.send() : reply.send(result.body);
  }

  private checkResponse(route: ApiRoute, result: ApiResult): void {
    if (!this.options.validateResponses) return;
    const spec = route.responses[result.status];
    if (!spec) throw new Error(`${route.operationId} answered ${result.status}, which it does not declare`);
    if (spec.schema) {
      const res = spec.schema.safeParse(result.body);
      if (!res.success) throw new Error(`${route.operationId} ${result.status} body does not match its schema: ${res.error.message}`);
    } else if (result.body !== undefined) {
      throw new Error(`${route.operationId} ${result.status} declares no body but sent one`);
    }
  }
}

const registries = new WeakMap<FastifyInstance, ApiRegistry>();

/** The registry of an app built by buildApp (tests check the document against the routes). */
export function apiRegistryOf(app: FastifyInstance): ApiRegistry | undefined {
  return registries.get(app);
}
