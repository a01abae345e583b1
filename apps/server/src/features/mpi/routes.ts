import type { FastifyInstance } from 'fastify';
import type { Queryable } from '@kennebec/db';
import { errors, ID_PATTERN } from '@kennebec/fhir';
import type { SqlFhirStore } from '@kennebec/fhir-store';
import { apiRoute, problemSchema, type ApiRegistry, type ApiRoute } from '../../http/api-routes.ts';
import { actorReference, adminCallers, type Actor, type AdminGate } from '../access/index.ts';
import { matchRecords } from './match-records.ts';
import { patientHistory, personDetail } from './person-view.ts';
import { decideReview, listReviews } from './review.ts';
import * as s from './schema.ts';
import { mergePersons, undoChange, unlink, type ChangeResult } from './staff-actions.ts';

/**
 * The MPI admin API: the review queue (both records side by side with the evidence of their
 * score), a Person's Patients and history, a Patient's history, and the actions unlink, merge
 * and undo. HIE admins, signed in, may read and act; HIE privacy officers may read only; a
 * system client needs the Person scopes (search to read, update to act). Every read of records
 * is audited as a read, every action in its own transaction, every refusal by the gate.
 */
export interface MpiRoutesContext {
  db: Queryable;
  store: SqlFhirStore;
  gate: AdminGate;
}

const problem = (description: string) => ({ description, schema: problemSchema });
const tags = ['mpi'];
const security = ['session', 'bearer'] as const;
const READ_DENIED = {
  401: problem('No session and no bearer token'),
  403: problem('Not HIE staff (hie-admin, hie-privacy-officer), nor a client with scope system/Person.s'),
};
const ACT_DENIED = {
  401: problem('No session and no bearer token'),
  403: problem('Not an HIE admin, nor a client with scope system/Person.u; or the CSRF token is missing'),
};
const CONFLICT = problem('The index changed meanwhile, or the action does not apply (KB-MPI-CONFLICT)');

const ref = (type: string, ids: readonly (string | null)[]): string[] => [...new Set(ids.filter((id): id is string => id !== null))].map((id) => `${type}/${id}`);

/** What a change touched: its Patients, the Persons they left and joined, and the change itself. */
function changeRefs(result: ChangeResult, extra: string[] = []): { patients: string[]; entities: string[] } {
  return {
    patients: ref('Patient', result.moves.map((m) => m.patientId)),
    entities: [...extra, ...ref('Person', result.moves.flatMap((m) => [m.fromPersonId, m.toPersonId])), `MpiChange/${result.changeId}`],
  };
}

export function mpiRoutes(ctx: MpiRoutesContext): ApiRoute[] {
  const { gate } = ctx;
  const author = (actor: Actor) => ({ author: actorReference(actor) });
  const reviews = gate.guard('mpi.read', () => ({ action: 'search', resourceType: 'Patient' }));
  const decide = gate.guard('mpi.act', (p) => ({ action: 'mpi-review-decide', entities: [`MpiReview/${p.id}`] }));
  const person = gate.guard('mpi.read', (p) => ({ action: 'read', resourceType: 'Person', entities: [`Person/${p.personId}`] }));
  const history = gate.guard('mpi.read', (p) => ({ action: 'read', resourceType: 'Patient', patients: [`Patient/${p.patientId}`] }));
  const unlinkOne = gate.guard('mpi.act', (p) => ({ action: 'mpi-unlink', resourceType: 'Patient', patients: [`Patient/${p.patientId}`] }));
  const merge = gate.guard('mpi.act', (p) => ({ action: 'mpi-merge', resourceType: 'Person', entities: [`Person/${p.personId}`] }));
  const undo = gate.guard('mpi.act', (p) => ({ action: 'mpi-undo', entities: [`MpiChange/${p.changeId}`] }));
  return [
    apiRoute({
      method: 'GET',
      url: '/admin/mpi/reviews',
      operationId: 'listMpiReviews',
      summary: 'The review queue: pairs of records the index would not decide alone, oldest first',
      description: 'Each item carries both records (demographics as their sources sent them) and the per-field evidence of its score.',
      tags,
      security,
      who: adminCallers('mpi.read'),
      query: s.reviewQueueQuery,
      responses: { 200: { description: 'A page of review items', schema: s.reviewQueue }, ...READ_DENIED },
      admit: reviews.admit,
      handler: async ({ query, req }) =>
        reviews.run(req, async (actor, event) => {
          const page = await listReviews(ctx.db, { status: query.status, limit: query.limit, after: query.cursor });
          const records = await matchRecords(ctx.db, page.reviews.flatMap((r) => [r.patientId, r.candidatePatientId]));
          const reviews = page.reviews.map((r) => ({ ...r, patient: records.get(r.patientId) ?? null, candidate: records.get(r.candidatePatientId) ?? null }));
          await gate.record(actor, req, {
            ...event,
            patients: ref('Patient', [...records.keys()]),
            entities: ref('MpiReview', page.reviews.map((r) => r.id)),
          });
          return { status: 200, body: { reviews, next: page.next } };
        }),
    }),
    apiRoute({
      method: 'POST',
      url: '/admin/mpi/reviews/:id',
      operationId: 'decideMpiReview',
      summary: 'Decide a review item: link the pair into one Person, or keep them apart',
      tags,
      security,
      who: adminCallers('mpi.act'),
      csrf: true,
      params: s.reviewParams,
      body: s.reviewDecisionBody,
      responses: { 200: { description: 'The item as decided', schema: s.reviewItemView }, ...ACT_DENIED, 404: problem('No such review item'), 409: CONFLICT },
      admit: decide.admit,
      handler: async ({ params, body, req }) =>
        decide.run(req, async (actor, event) => {
          const item = await decideReview(ctx.store, params.id, body.decision, body.reason, author(actor), (tx, refs) =>
            gate.stage(tx, actor, req, { ...event, patients: ref('Patient', refs.patients), entities: [`MpiReview/${params.id}`, ...ref('Person', refs.persons)] }),
          );
          return { status: 200, body: item };
        }),
    }),
    apiRoute({
      method: 'GET',
      url: '/admin/mpi/persons/:personId',
      operationId: 'getMpiPerson',
      summary: "A Person: its Patients with the score and evidence that placed each, and its link history",
      description: 'Identifiers only; see the review queue for demographics.',
      tags,
      security,
      who: adminCallers('mpi.read'),
      params: s.personParams,
      responses: { 200: { description: 'The Person', schema: s.personDetailView }, ...READ_DENIED, 404: problem('No such Person') },
      admit: person.admit,
      handler: async ({ params, req }) =>
        person.run(req, async (actor, event) => {
          const detail = ID_PATTERN.test(params.personId) ? await personDetail(ctx.db, params.personId) : undefined;
          if (!detail) throw errors.notFound(`Person/${params.personId}`);
          const patients = ref('Patient', [...detail.patients.map((p) => p.patientId), ...detail.history.map((h) => h.patientId)]);
          await gate.record(actor, req, { ...event, patients });
          return { status: 200, body: detail };
        }),
    }),
    apiRoute({
      method: 'GET',
      url: '/admin/mpi/patients/:patientId/history',
      operationId: 'getMpiPatientHistory',
      summary: "A Patient's place in the index: its Person now and every change that moved it",
      tags,
      security,
      who: adminCallers('mpi.read'),
      params: s.patientParams,
      responses: { 200: { description: 'The history, newest first', schema: s.patientHistoryView }, ...READ_DENIED, 404: problem('The index does not know this Patient') },
      admit: history.admit,
      handler: async ({ params, req }) =>
        history.run(req, async (actor, event) => {
          const found = ID_PATTERN.test(params.patientId) ? await patientHistory(ctx.db, params.patientId) : undefined;
          if (!found) throw errors.notFound(`Patient/${params.patientId} in the master patient index`);
          await gate.record(actor, req, { ...event, entities: [`Patient/${params.patientId}`, ...ref('Person', [found.personId])] });
          return { status: 200, body: found };
        }),
    }),
    apiRoute({
      method: 'POST',
      url: '/admin/mpi/patients/:patientId/unlink',
      operationId: 'unlinkMpiPatient',
      summary: 'Split a Patient out of its Person into a new Person of its own',
      tags,
      security,
      who: adminCallers('mpi.act'),
      csrf: true,
      params: s.patientParams,
      body: s.reasonBody,
      responses: { 200: { description: 'The change', schema: s.changeView }, ...ACT_DENIED, 404: problem('The index does not know this Patient'), 409: CONFLICT },
      admit: unlinkOne.admit,
      handler: async ({ params, body, req }) =>
        unlinkOne.run(req, async (actor, event) => {
          const change = await unlink(ctx.store, params.patientId, body.reason, author(actor), (tx, result) => gate.stage(tx, actor, req, { ...event, ...changeRefs(result) }));
          return { status: 200, body: change };
        }),
    }),
    apiRoute({
      method: 'POST',
      url: '/admin/mpi/persons/:personId/merge',
      operationId: 'mergeMpiPersons',
      summary: 'Merge this Person into another: every Patient moves there, and this one is marked replaced',
      tags,
      security,
      who: adminCallers('mpi.act'),
      csrf: true,
      params: s.personParams,
      body: s.mergeBody,
      responses: { 200: { description: 'The change', schema: s.changeView }, 400: problem('Invalid input, or a Person merged into itself'), ...ACT_DENIED, 404: problem('No such Person'), 409: CONFLICT },
      admit: merge.admit,
      handler: async ({ params, body, req }) =>
        merge.run(req, async (actor, event) => {
          const change = await mergePersons(ctx.store, params.personId, body.into, body.reason, author(actor), (tx, result) =>
            gate.stage(tx, actor, req, { ...event, ...changeRefs(result, ref('Person', [params.personId, body.into])) }),
          );
          return { status: 200, body: change };
        }),
    }),
    apiRoute({
      method: 'POST',
      url: '/admin/mpi/changes/:changeId/undo',
      operationId: 'undoMpiChange',
      summary: 'Revert an earlier change: every Patient it moved goes back (itself a change, which can be undone)',
      tags,
      security,
      who: adminCallers('mpi.act'),
      csrf: true,
      params: s.changeParams,
      body: s.reasonBody,
      responses: {
        200: { description: 'The change that reverted it', schema: s.changeView },
        ...ACT_DENIED,
        404: problem('No such change'),
        409: problem('Already undone, or a Patient has moved since (KB-MPI-CONFLICT)'),
        422: problem('A change that cannot be undone (KB-MPI-NOT-UNDOABLE)'),
      },
      admit: undo.admit,
      handler: async ({ params, body, req }) =>
        undo.run(req, async (actor, event) => {
          const change = await undoChange(ctx.store, params.changeId, body.reason, author(actor), (tx, result) =>
            gate.stage(tx, actor, req, { ...event, ...changeRefs(result, [`MpiChange/${params.changeId}`]) }),
          );
          return { status: 200, body: change };
        }),
    }),
  ];
}

export async function mpiPlugin(app: FastifyInstance, opts: { api: ApiRegistry; ctx: MpiRoutesContext }): Promise<void> {
  opts.api.add(app, mpiRoutes(opts.ctx));
}
