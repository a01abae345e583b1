import type { FastifyRequest } from 'fastify';
import { outcomeForStatus, type AuditEntryInput } from '@kennebec/audit';
import type { Queryable } from '@kennebec/db';
import { isOutcomeError } from '@kennebec/fhir';
import { actorOrganization, actorPurpose, actorReference, type Actor } from './actor.ts';
import { authorizeAdmin, type AdminCapability } from './admin.ts';

/**
 * The admin API's front door: who calls (a session or a bearer token, see AdminGateDeps), may
 * they (authorizeAdmin), and the audit trail's record of the attempt. Refused and failed
 * attempts are recorded here; a request that succeeds records itself, a change in its own
 * transaction (`stage`), a read once it has its answer (`record`). Entries hold references
 * only (`Patient/1`, `Person/2`, `MpiChange/3`): never a name, and never the free-text reason of
 * an MPI change, which the index keeps with the change itself.
 */
export interface AdminAuditSink {
  record(entries: readonly AuditEntryInput[]): Promise<void>;
  appendInTransaction(tx: Queryable, entries: readonly AuditEntryInput[]): Promise<void>;
}

export interface AdminGateDeps {
  /**
   * The caller: the client of an Authorization bearer token, else the fully signed-in user of
   * the session cookie (with the CSRF token on a state change). Throws 401 without either.
   */
  caller(req: FastifyRequest): Promise<Actor>;
  /** Who a refused request came from, when `caller` threw but it can still be told (a session without its CSRF token). */
  whoTried?: ((req: FastifyRequest) => Promise<Actor | undefined>) | undefined;
  audit: AdminAuditSink;
  /** Where a failure to record a refusal is reported (the refusal itself still goes out). */
  onAuditError?: ((err: unknown) => void) | undefined;
}

/** What an admin request is about, for its audit entry. */
export interface AdminEvent {
  /** `mpi-unlink`, `source-create`, `read`… */
  action: string;
  resourceType?: string | undefined;
  /** Patients concerned, as references. */
  patients?: readonly string[] | undefined;
  /** What was read or changed, as references. */
  entities?: readonly string[] | undefined;
}

/** One admin route's guard: `admit` before its input is read (the route's hook), `run` for its work. */
export interface AdminGuard {
  admit(req: FastifyRequest): Promise<void>;
  /** Runs the request as the admitted caller; a failure is recorded (its success records itself). */
  run<T>(req: FastifyRequest, step: (actor: Actor, event: AdminEvent) => Promise<T>): Promise<T>;
}

export class AdminGate {
  /** The caller admitted for each request, so that admitting twice checks and records once. */
  private readonly admitted = new WeakMap<FastifyRequest, Promise<Actor>>();

  constructor(private readonly deps: AdminGateDeps) {}

  /**
   * The guard of a route needing `capability`; `event` says what a request is about from its
   * path parameters (as sent: they name records in the audit entry of a refusal too).
   */
  guard(capability: AdminCapability, event: (params: Readonly<Record<string, string>>) => AdminEvent): AdminGuard {
    const eventOf = (req: FastifyRequest): AdminEvent => event((req.params ?? {}) as Record<string, string>);
    return {
      admit: async (req) => {
        await this.admit(req, capability, eventOf(req));
      },
      run: (req, step) => this.run(req, capability, eventOf(req), (actor) => step(actor, eventOf(req))),
    };
  }

  /** The caller, when allowed; a refusal (401, 403) is recorded as denied and thrown. */
  admit(req: FastifyRequest, capability: AdminCapability, event: AdminEvent): Promise<Actor> {
    let found = this.admitted.get(req);
    if (!found) {
      found = this.check(req, capability, event);
      this.admitted.set(req, found);
    }
    return found;
  }

  private async check(req: FastifyRequest, capability: AdminCapability, event: AdminEvent): Promise<Actor> {
    let actor: Actor | undefined;
    try {
      actor = await this.deps.caller(req);
      authorizeAdmin(actor, capability);
      return actor;
    } catch (err) {
      await this.recordFailure(actor ?? (await this.deps.whoTried?.(req).catch(() => undefined)), req, event, err);
      throw err;
    }
  }

  /** Admits the caller and runs the request; a failure of the request is recorded (its success records itself). */
  async run<T>(req: FastifyRequest, capability: AdminCapability, event: AdminEvent, step: (actor: Actor) => Promise<T>): Promise<T> {
    const actor = await this.admit(req, capability, event);
    try {
      return await step(actor);
    } catch (err) {
      await this.recordFailure(actor, req, event, err);
      throw err;
    }
  }

  /** Records a request that succeeded, once answered: a read, or a change committed by a transaction of its own. */
  record(actor: Actor, req: FastifyRequest, event: AdminEvent, status = 200): Promise<void> {
    return this.deps.audit.record([this.entry(actor, req, event, status)]);
  }

  /** Stages the entry of a change in the transaction that makes it. */
  stage(tx: Queryable, actor: Actor, req: FastifyRequest, event: AdminEvent, status = 200): Promise<void> {
    return this.deps.audit.appendInTransaction(tx, [this.entry(actor, req, event, status)]);
  }

  entry(actor: Actor | undefined, req: FastifyRequest, event: AdminEvent, status: number): AuditEntryInput {
    const org = actor ? actorOrganization(actor) : null;
    return {
      actor: actor ? actorReference(actor) : 'anonymous',
      actorOrg: org ? `Organization/${org}` : null,
      onBehalfOf: actor?.onBehalfOf ?? null,
      purposeOfUse: actor ? (actorPurpose(actor) ?? 'HOPERAT') : null,
      action: event.action,
      resourceType: event.resourceType ?? null,
      patients: event.patients ?? [],
      entities: event.entities ?? [],
      outcome: outcomeForStatus(status),
      status,
      clientIp: req.ip,
      userAgent: req.headers['user-agent'] ?? null,
      requestId: req.id,
    };
  }

  private async recordFailure(actor: Actor | undefined, req: FastifyRequest, event: AdminEvent, err: unknown): Promise<void> {
    const status = isOutcomeError(err) ? err.status : 500;
    // The caller needs the original error; a failure to record it is reported, not thrown.
    await this.deps.audit.record([this.entry(actor, req, event, status)]).catch((e: unknown) => this.deps.onAuditError?.(e));
  }
}
