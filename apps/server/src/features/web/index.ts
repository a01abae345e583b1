import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DEFAULT_WEB_DIR, WebFiles, type StaticFile } from './static-files.ts';

/**
 * The web app (patient portal at /, staff console at /staff, HIE administration at /admin): a
 * single-page app built by `npm run build` into apps/web/dist. Its routes are client-side, so
 * any page path answers index.html (history fallback); paths of the APIs never do. Hashed
 * assets are cached for a year; index.html is revalidated every time, so a new build is seen
 * at once. Every page carries a strict Content-Security-Policy: scripts and styles from this
 * origin only, no inline scripts, no eval, no framing.
 *
 * When the app has not been built the server still runs its APIs, and the pages say how to
 * build it.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Paths that belong to the APIs: an unknown one there is a JSON 404, never the app. */
const NOT_PAGES = /^\/(api|fhir|oauth2|\.well-known|ingest|dev|healthz)(\/|$)/;

export const BUILD_HINT = 'The web app is not built. Run `npm run build` (or `npm start`, which builds it) and reload.';

export interface WebOptions {
  /** Where the built app is (default apps/web/dist beside the server's sources). */
  dir?: string;
}

/** Whether the web app is built, for the start-up message. */
export function webAppBuilt(dir: string = DEFAULT_WEB_DIR): boolean {
  return new WebFiles(dir).built();
}

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('cross-origin-opener-policy', 'same-origin');
}

function send(req: FastifyRequest, reply: FastifyReply, file: StaticFile, cacheControl: string): FastifyReply {
  securityHeaders(reply).type(file.type).header('cache-control', cacheControl).header('vary', 'accept-encoding');
  const accepts = String(req.headers['accept-encoding'] ?? '');
  if (file.gzip && /\bgzip\b/.test(accepts)) return reply.header('content-encoding', 'gzip').send(file.gzip);
  return reply.send(file.body);
}

export async function webPlugin(app: FastifyInstance, opts: WebOptions = {}): Promise<void> {
  const files = new WebFiles(opts.dir ?? DEFAULT_WEB_DIR);
  // Marked as pages: they are HTML and files, not part of the JSON API's document.
  const config = { page: true };

  const page = async (req: FastifyRequest, reply: FastifyReply) => {
    const index = await files.get('index.html');
    if (!index) {
      return securityHeaders(reply).code(503).type('text/plain; charset=utf-8').header('cache-control', 'no-store').send(BUILD_HINT);
    }
    return send(req, reply, index, 'no-cache');
  };

  app.get('/assets/*', { config }, async (req, reply) => {
    const file = await files.get(`assets/${(req.params as { '*': string })['*']}`);
    if (!file) return reply.callNotFound();
    return send(req, reply, file, 'public, max-age=31536000, immutable');
  });
  app.get('/', { config }, page);
  app.get('/*', { config }, async (req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    if (NOT_PAGES.test(path)) return reply.callNotFound();
    // A file at the top of the build (favicon.svg, robots.txt); other paths are the app's pages.
    const name = path.slice(1);
    if (/^[^/]+\.[a-z0-9]+$/i.test(name)) {
      const file = await files.get(name);
      return file ? send(req, reply, file, 'public, max-age=3600') : reply.callNotFound();
    }
    return page(req, reply);
  });
}
