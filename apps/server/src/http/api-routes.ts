import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { z } from 'zod';
import { errors } from '@kennebec/fhir';
import { apiErrors } from './api-errors.ts';

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

export interface ApiResponseSpec {
  description: string;
  /** JSON body schema; absent for an empty body (204) or a redirect. */
  schema?: z.ZodType;
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
  security: ApiSecurity;
  /** Sends and checks the CSRF token header (cookie-authenticated state changes). */
  csrf?: boolean;
  body?: B;
  query?: Q;
  params?: P;
  responses: Record<number, ApiResponseSpec>;
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

function describeIssues(where: string, error: z.ZodError): never {
  const issues = error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }));
  throw errors.badRequest(
    issues.map((i) => `${i.path}: ${i.message}`).join('; '),
    issues.map((i) => i.path),
  );
}

function parse<S extends Schema>(schema: S, value: unknown, where: string): Out<S> {
  if (!schema) return undefined as Out<S>;
  const res = schema.safeParse(where === 'body' && value === undefined ? {} : value);
  if (!res.success) describeIssues(where, res.error);
  return res.data as Out<S>;
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

  constructor(readonly options: ApiRegistryOptions) {}

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
        handler: async (req, reply) => {
          if (!SAFE.has(req.method)) this.checkOrigin(req);
          const input = {
            params: parse(route.params, req.params, 'params'),
            query: parse(route.query, req.query, 'query'),
            body: parse(route.body, req.body, 'body'),
            req,
            reply,
          };
          const result = await route.handler(input);
          this.checkResponse(route, result);
          for (const [k, v] of Object.entries(result.headers ?? {})) reply.header(k, v);
          reply.code(result.status);
          return result.body === undefined ? reply.send() : reply.send(result.body);
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
