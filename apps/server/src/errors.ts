import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errors, isOutcomeError, OutcomeError } from '@kennebec/fhir';

/**
 * Every error becomes an OperationOutcome. Known ones keep their status; anything unexpected
 * collapses to a generic 500 that quotes the request id, and internals never leak.
 */
export function toOutcomeError(err: unknown, requestId: string): OutcomeError {
  if (isOutcomeError(err)) return err;
  const fe = err as Partial<FastifyError>;
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || fe.statusCode === 413) return errors.tooLarge(0);
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || fe.statusCode === 415) return errors.unsupportedMediaType('');
  if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return errors.badRequest('Request body is empty');
  if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY') return errors.malformedJson('unexpected token');
  if (fe.validation) return errors.badRequest(fe.message ?? 'Invalid request');
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) return errors.badRequest(fe.message ?? 'Bad request');
  return errors.internal(requestId);
}

export function errorHandler(bodyLimit: number) {
  return (err: unknown, req: FastifyRequest, reply: FastifyReply): void => {
    let out = toOutcomeError(err, req.id);
    if (out.status === 413) out = errors.tooLarge(bodyLimit);
    if (out.status >= 500) req.log.error({ err }, 'request failed');
    for (const [k, v] of Object.entries(out.headers)) reply.header(k, v);
    void reply.code(out.status).type('application/fhir+json; charset=utf-8').send(JSON.stringify(out.outcome));
  };
}
