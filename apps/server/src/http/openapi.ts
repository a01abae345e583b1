import { z } from 'zod';
import { apiRoute, problemSchema, type ApiRegistry, type ApiResponseSpec, type ApiRoute, type ApiSecurity } from './api-routes.ts';

/**
 * The OpenAPI 3.1 document (https://spec.openapis.org/oas/v3.1.0) of the JSON API, built from
 * the route declarations. OpenAPI 3.1 schemas are JSON Schema 2020-12, which is what
 * z.toJSONSchema emits: requests are described as the input they accept, responses as the
 * output they produce.
 */
type JsonSchema = Record<string, unknown>;

export interface OpenApiInfo {
  title: string;
  version: string;
  serverUrl: string;
  /** Name of the session cookie, for the security scheme. */
  sessionCookie: string;
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output', components: Record<string, JsonSchema>): JsonSchema {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete out.$schema;
  // Schemas registered with .meta({ id }) come back under $defs; hoist them to components.
  const defs = out.$defs as Record<string, JsonSchema> | undefined;
  if (defs) {
    for (const [k, v] of Object.entries(defs)) components[k] = toComponents(v);
    delete out.$defs;
  }
  return toComponents(out);
}

/** Points `$ref`s at components/schemas (a component may refer to another). */
function toComponents(schema: JsonSchema): JsonSchema {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema;
}

function parameters(schema: z.ZodType | undefined, where: 'query' | 'path', components: Record<string, JsonSchema>): JsonSchema[] {
  if (!schema) return [];
  const s = jsonSchema(schema, 'input', components);
  const props = (s.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((s.required ?? []) as string[]);
  return Object.entries(props).map(([name, p]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    ...(typeof p.description === 'string' ? { description: p.description } : {}),
    schema: p,
  }));
}

const SECURITY: Record<ApiSecurity, JsonSchema[]> = {
  none: [],
  session: [{ session: [] }],
  bearer: [{ bearer: [] }],
};

/** OpenAPI lists alternatives: any one of the requirements satisfies the route. */
function security(route: ApiRoute): JsonSchema[] {
  const schemes = typeof route.security === 'string' ? [route.security] : route.security;
  return schemes.flatMap((s) => SECURITY[s]);
}

/** The media type a response body is documented under. */
function responseType(status: number, spec: ApiResponseSpec): string {
  if (spec.contentType) return spec.contentType.split(';')[0]?.trim() ?? spec.contentType;
  return status >= 400 ? 'application/fhir+json' : 'application/json';
}

/** The CSRF header: required of a session-only route; of one that also takes a bearer token, only with the session. */
function csrfHeader(route: ApiRoute): JsonSchema {
  const sessionOnly = route.security === 'session';
  return {
    name: 'x-csrf-token',
    in: 'header',
    required: sessionOnly,
    description: sessionOnly ? 'The csrfToken of GET /api/session' : 'The csrfToken of GET /api/session, when calling with the session cookie (not with a bearer token)',
    schema: { type: 'string' },
  };
}

function operation(route: ApiRoute, components: Record<string, JsonSchema>): JsonSchema {
  const responses: Record<string, JsonSchema> = {};
  const declared = { ...route.responses };
  // Every route can answer bad input; most can answer 403 for a cross-site request.
  if (route.body || route.query || route.params) declared[400] ??= { description: 'Invalid input', schema: problemSchema };
  for (const [status, spec] of Object.entries(declared)) {
    responses[status] = {
      description: spec.description,
      ...(spec.schema ? { content: { [responseType(Number(status), spec)]: { schema: jsonSchema(spec.schema, 'output', components) } } } : {}),
      ...(spec.headers
        ? { headers: Object.fromEntries(Object.entries(spec.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }])) }
        : {}),
    };
  }
  const params = [
    ...parameters(route.params, 'path', components),
    ...parameters(route.query, 'query', components),
    ...(route.csrf ? [csrfHeader(route)] : []),
  ];
  const body = route.body ? jsonSchema(route.body, 'input', components) : undefined;
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: [route.description, `Who may call: ${route.who.join(', ')}.`].filter(Boolean).join('\n\n'),
    tags: route.tags,
    'x-callers': route.who,
    security: security(route),
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(body ? { requestBody: { required: true, content: Object.fromEntries((route.bodyTypes ?? ['application/json']).map((t) => [t, { schema: body }])) } } : {}),
    responses,
  };
}

export function openApiDocument(routes: readonly ApiRoute[], info: OpenApiInfo): JsonSchema {
  const components: Record<string, JsonSchema> = {};
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of [...routes].sort((a, b) => a.url.localeCompare(b.url))) {
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    (paths[path] ??= {})[route.method.toLowerCase()] = operation(route, components);
  }
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version, description: 'The API of Kennebec outside FHIR: accounts, sessions, staff, the portal, HIE administration, ingest and OAuth. The FHIR API has its own CapabilityStatement at /fhir/R4/metadata.' },
    servers: [{ url: info.serverUrl }],
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: info.sessionCookie, description: 'The session cookie set by POST /api/session' },
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token from POST /oauth2/token' },
      },
    },
  };
}

const documentSchema = z.object({ openapi: z.literal('3.1.0'), info: z.object({ title: z.string(), version: z.string() }).loose(), paths: z.record(z.string(), z.unknown()) }).loose();

/** GET /api/openapi.json, itself declared in the document it serves. */
export function openApiRoute(registry: ApiRegistry, info: OpenApiInfo): ApiRoute {
  let cached: JsonSchema | undefined;
  return apiRoute({
    method: 'GET',
    url: '/api/openapi.json',
    operationId: 'getOpenApi',
    summary: 'This document: the OpenAPI 3.1 description of the JSON API',
    tags: ['meta'],
    security: 'none',
    who: ['anyone'],
    responses: { 200: { description: 'The OpenAPI document', schema: documentSchema } },
    handler: async () => {
      cached ??= openApiDocument(registry.routes, info);
      return { status: 200, body: cached };
    },
  });
}
