import { z } from 'zod';
import { apiRoute, problemSchema, type ApiRegistry, type ApiRoute } from './api-routes.ts';

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
    for (const [k, v] of Object.entries(defs)) components[k] = v;
    delete out.$defs;
  }
  const text = JSON.stringify(out).replaceAll('"#/$defs/', '"#/components/schemas/');
  return JSON.parse(text) as JsonSchema;
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

const SECURITY: Record<ApiRoute['security'], JsonSchema[]> = {
  none: [],
  session: [{ session: [] }],
  bearer: [{ bearer: [] }],
};

function operation(route: ApiRoute, components: Record<string, JsonSchema>): JsonSchema {
  const responses: Record<string, JsonSchema> = {};
  const declared = { ...route.responses };
  // Every route can answer bad input; most can answer 403 for a cross-site request.
  if (route.body || route.query || route.params) declared[400] ??= { description: 'Invalid input', schema: problemSchema };
  for (const [status, spec] of Object.entries(declared)) {
    responses[status] = {
      description: spec.description,
      ...(spec.schema ? { content: { [Number(status) >= 400 ? 'application/fhir+json' : 'application/json']: { schema: jsonSchema(spec.schema, 'output', components) } } } : {}),
      ...(spec.headers
        ? { headers: Object.fromEntries(Object.entries(spec.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }])) }
        : {}),
    };
  }
  const params = [
    ...parameters(route.params, 'path', components),
    ...parameters(route.query, 'query', components),
    ...(route.csrf ? [{ name: 'x-csrf-token', in: 'header', required: true, description: 'The csrfToken of GET /api/session', schema: { type: 'string' } }] : []),
  ];
  return {
    operationId: route.operationId,
    summary: route.summary,
    description: [route.description, `Who may call: ${route.who.join(', ')}.`].filter(Boolean).join('\n\n'),
    tags: route.tags,
    'x-callers': route.who,
    security: SECURITY[route.security],
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input', components) } } } } : {}),
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
    info: { title: info.title, version: info.version, description: 'The JSON API of Kennebec (accounts, sessions, staff). The FHIR API has its own CapabilityStatement at /fhir/R4/metadata.' },
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
