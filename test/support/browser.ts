import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { TEST_BASE_URL } from './app.ts';

/**
 * A browser's view of the JSON API for tests: keeps the cookies the server sets (as a browser
 * would, by name), sends the session's CSRF token on state-changing requests once it knows it,
 * and sends our own Origin. Set `csrf`/`origin` to override, or pass headers per request.
 */
export class TestBrowser {
  readonly cookies = new Map<string, string>();
  csrf: string | undefined;
  origin: string | undefined = TEST_BASE_URL;

  constructor(private readonly app: FastifyInstance) {}

  async request(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const unsafe = method !== 'GET';
    const res = await this.app.inject({
      method,
      url,
      headers: {
        ...(this.cookies.size > 0 ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
        ...(unsafe && this.csrf ? { 'x-csrf-token': this.csrf } : {}),
        ...(unsafe && this.origin ? { origin: this.origin } : {}),
        ...headers,
      },
      ...(body !== undefined ? { payload: body as Record<string, unknown> } : {}),
    });
    for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const expired = c.maxAge === 0 || (c.expires !== undefined && c.expires.getTime() <= Date.now()) || c.value === '';
      if (expired) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    const json = String(res.headers['content-type'] ?? '').includes('json') ? (res.json() as { csrfToken?: string; authenticated?: boolean }) : undefined;
    if (json && typeof json.csrfToken === 'string') this.csrf = json.csrfToken;
    if (json && json.authenticated === false) this.csrf = undefined;
    return res;
  }

  get = (url: string, headers?: Record<string, string>) => this.request('GET', url, undefined, headers);
  post = (url: string, body?: unknown, headers?: Record<string, string>) => this.request('POST', url, body ?? {}, headers);
  delete = (url: string, headers?: Record<string, string>) => this.request('DELETE', url, undefined, headers);
}
