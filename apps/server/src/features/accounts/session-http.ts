import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '@kennebec/db';
import { errors } from '@kennebec/fhir';
import type { Clock } from '../../deps.ts';
import type { Actor, UserActor } from '../access/index.ts';
import { apiErrors } from '../../http/api-errors.ts';
import { hmac, safeEqual } from './random.ts';
import { loadSession, type Session, type SessionStage, type SessionTimeouts } from './sessions.ts';

/**
 * Sessions over HTTP: the cookie, the CSRF token, and turning a request into a Session or a
 * user Actor.
 *
 * Cookie: HttpOnly (no script reads it), Path=/, and over HTTPS Secure with the `__Host-` prefix
 * (RFC 6265bis §4.1.3.2: the browser refuses it unless Secure, from a secure origin, without
 * Domain, so no sibling subdomain can set or shadow it). SameSite=Lax rather than Strict: a
 * person who follows a link from their email, or returns from the OpenID Connect provider (a
 * cross-site top-level navigation), must arrive signed in; Strict would drop the cookie on
 * exactly those requests. Lax still withholds it from cross-site subrequests and cross-site
 * POSTs, and no GET changes state.
 *
 * CSRF: state-changing requests authenticated by the cookie must also carry the session's
 * synchronizer token in `X-CSRF-Token` (returned by GET /api/session). The token is an HMAC
 * of the session token under a key derived from the server's key: unguessable without the
 * cookie, so not stored. The API routes also refuse requests whose Origin is not our own.
 */
export const CSRF_HEADER = 'x-csrf-token';

export interface SessionHttpOptions {
  db: Database;
  clock: Clock;
  baseUrl: string;
  timeouts: SessionTimeouts;
  csrfKey: Buffer;
}

export interface CurrentSession {
  session: Session;
  token: string;
}

export interface SessionRequirement {
  /** Stages allowed (default: full only). */
  stages?: readonly SessionStage[];
  /** Require the CSRF header (default: for every method but GET/HEAD). */
  csrf?: boolean;
}

export class SessionHttp {
  readonly cookieName: string;
  readonly secure: boolean;
  private readonly cache = new WeakMap<FastifyRequest, Promise<CurrentSession | null>>();

  constructor(private readonly opts: SessionHttpOptions) {
    this.secure = opts.baseUrl.startsWith('https:');
    this.cookieName = this.secure ? '__Host-kennebec_session' : 'kennebec_session';
  }

  csrfToken(token: string): string {
    return hmac(this.opts.csrfKey, token);
  }

  /** The request's live session, looked up once per request. */
  current(req: FastifyRequest): Promise<CurrentSession | null> {
    let found = this.cache.get(req);
    if (!found) {
      const token = req.cookies[this.cookieName];
      found = token ? loadSession(this.opts.db, token, this.opts.clock.now(), this.opts.timeouts).then((s) => (s ? { session: s, token } : null)) : Promise.resolve(null);
      this.cache.set(req, found);
    }
    return found;
  }

  /** Forgets the cached lookup (after the session changed within the request). */
  refresh(req: FastifyRequest): void {
    this.cache.delete(req);
  }

  /**
   * The session, or throws: 401 KB-SESSION-REQUIRED without one, 403 KB-CSRF without the right
   * token on a state-changing request, 403 KB-MFA-REQUIRED when the second factor is still due.
   */
  async require(req: FastifyRequest, need: SessionRequirement = {}): Promise<CurrentSession> {
    const cur = await this.current(req);
    if (!cur) throw apiErrors.sessionRequired();
    const csrf = need.csrf ?? (req.method !== 'GET' && req.method !== 'HEAD');
    if (csrf) {
      const sent = req.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !safeEqual(sent, this.csrfToken(cur.token))) {
        throw apiErrors.csrf(`State-changing requests need the ${CSRF_HEADER} header from GET /api/session`);
      }
    }
    const stages = need.stages ?? ['full'];
    if (!stages.includes(cur.session.stage)) {
      if (cur.session.stage === 'full') throw errors.unprocessable('The second factor has already been verified in this session');
      throw apiErrors.mfaRequired(cur.session.stage === 'mfa-enrol' ? 'enrol' : 'verify');
    }
    return cur;
  }

  /** The signed-in user as an Actor: only for fully authenticated sessions. */
  async actor(req: FastifyRequest): Promise<UserActor> {
    const { session } = await this.require(req, { csrf: false });
    return actorOf(session);
  }

  setCookie(reply: FastifyReply, token: string): void {
    reply.setCookie(this.cookieName, token, { path: '/', httpOnly: true, secure: this.secure, sameSite: 'lax' });
  }

  clearCookie(reply: FastifyReply): void {
    reply.clearCookie(this.cookieName, { path: '/', httpOnly: true, secure: this.secure, sameSite: 'lax' });
  }
}

export function actorOf(session: Session): UserActor {
  return {
    kind: 'user',
    userId: session.user.id,
    accountKind: session.user.kind,
    orgId: session.user.staff?.orgId ?? null,
    roles: session.user.staff?.roles ?? [],
    ...(session.actingFor ? { actingFor: session.actingFor, onBehalfOf: `Patient/${session.actingFor.patientId}` } : {}),
  };
}

/**
 * The caller of a route open both to people and to automation (the HIE admin API), told apart
 * as the route gate tells them: the user of a live session cookie (fully signed in, with the
 * CSRF token on a state change), else the OAuth client of the Authorization header's bearer
 * token. Without either it answers as the bearer scheme does (401 with its challenge).
 */
export function sessionOrBearer(sessions: SessionHttp, bearer: (authorization: string | undefined) => Promise<Actor>): (req: FastifyRequest) => Promise<Actor> {
  return async (req) => {
    if (!(await sessions.current(req))) return bearer(req.headers.authorization);
    return actorOf((await sessions.require(req)).session);
  };
}
