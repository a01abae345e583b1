import { ACT_CODE_SYSTEM } from '@kennebec/consent';
import { errors } from '@kennebec/fhir';
import type { AccessFilter } from '@kennebec/fhir-store';
import type { Actor } from './actor.ts';
import { labelsOfResource, OWNER_SEARCH_PARAMS, ownersOf } from './compartment.ts';
import { decide, visibleUnder, type Action, type Decision, type PatientScope, type Principal, type PurposeOfUse } from './decide.ts';
import { noPatientLinks, noProxyGrants, type PatientLinks, type ProxyGrants, type RecordIndex } from './ports.ts';

/**
 * The decision point as the routes use it: resolves the actor's relationships once
 * (`principal`), asks `decide`, and applies a permit's scope to what the store returns
 * (`visible`) or to a search (`searchFilter`). Routes never filter on their own.
 */
export interface AccessPointDeps {
  records: RecordIndex;
  patientLinks?: PatientLinks | undefined;
  proxyGrants?: ProxyGrants | undefined;
  now: () => Date;
}

type Stored = { resourceType: string; id?: string | undefined } & Record<string, unknown>;

export class AccessPoint {
  constructor(private readonly deps: AccessPointDeps) {}

  /** The actor with its relationships (patients it is, people it acts for), as of now. */
  async principal(actor: Actor): Promise<Principal> {
    if (actor.kind !== 'user' || actor.accountKind !== 'patient') return { actor, self: [], proxies: [] };
    const links = this.deps.patientLinks ?? noPatientLinks;
    const grants = this.deps.proxyGrants ?? noProxyGrants;
    const [own, subjects] = await Promise.all([links.patientsOf(actor.userId), grants.subjectsOf(actor.userId, this.deps.now())]);
    const self = await this.deps.records.samePerson(own);
    const proxies = await Promise.all(
      subjects.map(async (s) => ({ patientIds: await this.deps.records.samePerson([s.patientId]), decision: s.decision, subject: s.patientId })),
    );
    return { actor, own, self, proxies };
  }

  decide(principal: Principal, req: Parameters<typeof decide>[1]): Decision {
    return decide(principal, req);
  }

  /** The permit's scope, or throws 403 with the reason. */
  require(principal: Principal, action: Action, resourceType: string, purpose: PurposeOfUse = defaultPurpose(principal.actor)): PatientScope {
    const d = decide(principal, { action, resourceType, patients: 'any', purpose });
    if (!d.permit) throw errors.forbidden(`Not permitted to ${action} ${resourceType}: ${d.reason}`);
    return d.scope;
  }

  /** Which of these resources the scope lets the actor see (owner patients and labels). */
  async visible(scope: PatientScope, resources: readonly Stored[]): Promise<boolean[]> {
    if (scope.kind === 'all') return resources.map(() => true);
    const owners = resources.map((r) => ownersOf(r));
    if (scope.kind === 'organization') {
      const related = await this.deps.records.caredForBy(scope.orgId, [...new Set(owners.flat())]);
      return owners.map((o) => o.some((id) => related.has(id)));
    }
    return resources.map((r, i) => visibleUnder(scope, owners[i] ?? [], labelsOfResource(r as { meta?: { security?: { system?: string; code?: string }[] } })));
  }

  /** Every source record of the same Person as these Patients (the HIE view of one person). */
  samePerson(patientIds: readonly string[]): Promise<string[]> {
    return this.deps.records.samePerson(patientIds);
  }

  /** Those of these Patients the organization has a care relationship with. */
  caredForBy(orgId: string, patientIds: readonly string[]): Promise<Set<string>> {
    return this.deps.records.caredForBy(orgId, patientIds);
  }

  /** The search restriction for a scope (none for 'all'). */
  searchFilter(scope: PatientScope): AccessFilter | undefined {
    if (scope.kind === 'all') return undefined;
    const base = { ownerParams: OWNER_SEARCH_PARAMS, labelSystem: ACT_CODE_SYSTEM };
    if (scope.kind === 'organization') return { ...base, organization: scope.orgId };
    return { ...base, groups: scope.groups.map((g) => ({ patientIds: g.patientIds, hiddenLabels: g.hiddenLabels })) };
  }
}

/** The purpose of use when the request does not name one: a patient's own request, or treatment. */
export function defaultPurpose(actor: Actor): PurposeOfUse {
  return actor.kind === 'user' && actor.accountKind === 'patient' ? 'PATRQT' : 'TREAT';
}
