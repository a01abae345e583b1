import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '@kennebec/fhir';
import type { Actor } from '../access/index.ts';
import type { FhirRequest, FhirResponse, RequestContext } from './types.ts';
import { serializeJson } from './json.ts';

/**
 * The HTTP adapter of the FHIR API: content negotiation, body parsing and the mapping of a
 * Fastify request to a FhirRequest. Everything FHIR-specific happens in `dispatch`.
 */
export interface FhirHttpOptions {
  dispatch: (req: FhirRequest) => Promise<FhirResponse>;
  authenticate: (authorization: string | undefined) => Promise<Actor>;
  bodyLimit: number;
  /** Records a request refused for want of a valid token (the audit trail). */
  refused?: ((req: Omit<FhirRequest, 'actor'>, err: unknown) => Promise<void>) | undefined;
}

const JSON_TYPES = ['application/fhir+json', 'application/json'];
const FORMAT_JSON = new Set(['json', 'application/json', 'application/fhir+json', 'application/json+fhir']);
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;

function negotiate(req: FastifyRequest, format: string | undefined): string {
  if (format !== undefined) {
    if (!FORMAT_JSON.has(format.split(';')[0]?.trim() ?? '')) throw errors.notAcceptable(format);
    return format.includes('fhir') ? 'application/fhir+json' : format === 'json' ? 'application/fhir+json' : 'application/json';
  }
  const accept = req.headers.accept;
  if (!accept || accept.includes('*/*') || accept.includes('fhir+json') || accept.includes('json+fhir')) return 'application/fhir+json';
  if (accept.includes('application/json')) return 'application/json';
  if (accept.includes('application/*')) return 'application/fhir+json';
  throw errors.notAcceptable(accept);
}

export async function fhirHttpPlugin(app: FastifyInstance, opts: FhirHttpOptions): Promise<void> {
  // JSON bodies, parsed here so that malformed JSON becomes an OperationOutcome.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(JSON_TYPES, { parseAs: 'string', bodyLimit: opts.bodyLimit }, (_req, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(errors.malformedJson((err as Error).message), undefined);
    }
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: opts.bodyLimit }, (_req, body, done) => {
    done(null, [...new URLSearchParams(body as string)]);
  });
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: opts.bodyLimit }, (req, _body, done) => {
    done(errors.unsupportedMediaType(String(req.headers['content-type'])), undefined);
  });

  const handler = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const url = req.raw.url ?? '';
    const qIndex = url.indexOf('?');
    const rawPath = (qIndex === -1 ? url : url.slice(0, qIndex)).replace(/^\/fhir\/R4\/?/, '');
    const query = qIndex === -1 ? [] : [...new URLSearchParams(url.slice(qIndex + 1))];
    const format = query.find(([k]) => k === '_format')?.[1];
    const contentType = negotiate(req, format);
    const path = decodeURIComponent(rawPath).replace(/\/+$/, '');
    const method = req.method as FhirRequest['method'];
    const header = (name: string): string | undefined => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const context: RequestContext = { requestId: req.id, clientIp: req.ip, userAgent: header('user-agent') };
    const request: Omit<FhirRequest, 'actor'> = {
      method,
      path,
      query: query.filter(([k]) => k !== '_format'),
      headers: { ifMatch: header('if-match'), ifNoneExist: header('if-none-exist'), prefer: header('prefer') },
      body: req.body,
      context,
    };
    let actor: Actor;
    try {
      actor = path === 'metadata' && method === 'GET' ? { kind: 'system', origin: 'metadata' } : await opts.authenticate(req.headers.authorization);
    } catch (err) {
      await opts.refused?.(request, err);
      throw err;
    }
    const res = await opts.dispatch({ ...request, actor });
    reply.code(res.status);
    for (const [k, v] of Object.entries(res.headers ?? {})) reply.header(k, v);
    if (res.body === undefined) return reply.send();
    reply.type(`${contentType}; charset=utf-8`);
    return reply.send(serializeJson(res.body));
  };

  app.route({ method: [...METHODS], url: '/fhir/R4', handler, exposeHeadRoute: false });
  app.route({ method: [...METHODS], url: '/fhir/R4/*', handler, exposeHeadRoute: false });
}
