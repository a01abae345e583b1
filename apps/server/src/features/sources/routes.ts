import type { FastifyInstance } from 'fastify';
import { errors } from '@kennebec/fhir';
import type { AppDeps } from '../../deps.ts';
import { apiRoute, problemSchema, type ApiRegistry, type ApiRoute } from '../../http/api-routes.ts';
import { adminCallers, type AdminGate } from '../access/index.ts';
import * as s from './schema.ts';
import {
  addSourceCertificates,
  createSource,
  DataSourceError,
  DataSourceNotFoundError,
  listSourcesWithCertificates,
  removeSourceCertificate,
  type CertificateContext,
} from './sources.ts';

/**
 * Admin API for data sources and their client certificates (MLLP over TLS), for an HIE admin
 * signed in, or a system client with Organization scopes (search to list, create to register,
 * update to add or remove a certificate). Each change is audited in its transaction; refusals
 * are audited by the gate.
 */
export interface FeedCounts {
  accepted: number;
  rejected: number;
  errored: number;
}

export interface FeedStatus {
  lastReceivedAt: string | null;
  last24h: FeedCounts;
  total: FeedCounts;
}

/** How each source's feed is doing (the ingestion feature knows; wired by the composition root). */
export type FeedStatusPort = (now: Date) => Promise<{ bySource: Map<string, FeedStatus>; unattributed: FeedStatus }>;

export interface SourcesRoutesContext {
  deps: Pick<AppDeps, 'db' | 'store' | 'clock' | 'config'>;
  gate: AdminGate;
  feeds: FeedStatusPort;
}

const problem = (description: string) => ({ description, schema: problemSchema });
const tags = ['sources'];
const security = ['session', 'bearer'] as const;
const DENIED = {
  401: problem('No session and no bearer token'),
  403: problem('Not an HIE admin, nor a client with the Organization scope; or the CSRF token is missing'),
};
const EMPTY_FEED: FeedStatus = { lastReceivedAt: null, last24h: { accepted: 0, rejected: 0, errored: 0 }, total: { accepted: 0, rejected: 0, errored: 0 } };

function asOutcome(err: unknown): never {
  if (err instanceof DataSourceError) throw errors.badRequest(err.message);
  if (err instanceof DataSourceNotFoundError) throw errors.notFound(err.ref);
  throw err;
}

const certificateRef = (fingerprint: string): string => `SourceCertificate/${fingerprint.replaceAll(':', '')}`;

export function sourceRoutes(ctx: SourcesRoutesContext): ApiRoute[] {
  const { deps, gate } = ctx;
  const certificateContext = (): CertificateContext => ({ now: deps.clock.now(), trustedCas: deps.config.mllpTls?.caCertificates });
  const list = gate.guard('sources.read', () => ({ action: 'source-list', resourceType: 'Organization' }));
  const create = gate.guard('sources.create', () => ({ action: 'source-create', resourceType: 'Organization' }));
  const addCertificate = gate.guard('sources.certificates', (p) => ({ action: 'source-certificate-add', resourceType: 'Organization', entities: [`Organization/${p.id}`] }));
  const removeCertificate = gate.guard('sources.certificates', (p) => ({ action: 'source-certificate-remove', resourceType: 'Organization', entities: [`Organization/${p.id}`] }));
  return [
    apiRoute({
      method: 'GET',
      url: '/admin/sources',
      operationId: 'listSources',
      summary: 'Every data source with its client certificates and the state of its feed',
      description: 'Feed counts are of the inbound message log: the last 24 hours and all time, by outcome.',
      tags,
      security,
      who: adminCallers('sources.read'),
      responses: { 200: { description: 'The sources', schema: s.sourceListView }, ...DENIED },
      admit: list.admit,
      handler: async ({ req }) =>
        list.run(req, async () => {
          const [sources, feeds] = await Promise.all([listSourcesWithCertificates(deps.db), ctx.feeds(deps.clock.now())]);
          return { status: 200, body: { sources: sources.map((src) => ({ ...src, feed: feeds.bySource.get(src.id) ?? EMPTY_FEED })), unattributed: feeds.unattributed } };
        }),
    }),
    apiRoute({
      method: 'POST',
      url: '/admin/sources',
      operationId: 'createSource',
      summary: 'Register a data source: its Organization, HL7 facility, OID and client certificates, all or nothing',
      tags,
      security,
      who: adminCallers('sources.create'),
      csrf: true,
      body: s.newSourceBody,
      responses: { 201: { description: 'Registered', schema: s.createdSourceView }, 400: problem('Invalid input, a bad certificate, or a facility or OID already registered'), ...DENIED },
      admit: create.admit,
      handler: async ({ body, req }) =>
        create.run(req, async (actor, event) => {
          const source = await createSource(deps, body, certificateContext(), (tx, created) =>
            gate.stage(tx, actor, req, { ...event, entities: [`Organization/${created.id}`, ...created.certificates.map((c) => certificateRef(c.fingerprint))] }, 201),
          ).catch(asOutcome);
          return { status: 201, body: source };
        }),
    }),
    apiRoute({
      method: 'POST',
      url: '/admin/sources/:id/certificates',
      operationId: 'addSourceCertificate',
      summary: 'Register another client certificate of a source (its PEM, or its SHA-256 fingerprint)',
      tags,
      security,
      who: adminCallers('sources.certificates'),
      csrf: true,
      params: s.sourceParams,
      body: s.certificateBody,
      responses: {
        201: { description: 'Registered', schema: s.certificateAddedView },
        400: problem('Not a usable client certificate, or already registered'),
        ...DENIED,
        404: problem('No such source'),
      },
      admit: addCertificate.admit,
      handler: async ({ params, body, req }) =>
        addCertificate.run(req, async (actor, event) => {
          const result = await addSourceCertificates(deps.db, params.id, [body], certificateContext(), (tx, added) =>
            gate.stage(tx, actor, req, { ...event, entities: [`Organization/${params.id}`, ...added.map((c) => certificateRef(c.fingerprint))] }, 201),
          ).catch(asOutcome);
          const [added] = result.certificates;
          if (!added) throw errors.internal(req.id);
          return { status: 201, body: { ...added, warnings: result.warnings } };
        }),
    }),
    apiRoute({
      method: 'DELETE',
      url: '/admin/sources/:id/certificates/:fingerprint',
      operationId: 'removeSourceCertificate',
      summary: 'Remove a client certificate of a source: its connections are refused from their next message on',
      tags,
      security,
      who: adminCallers('sources.certificates'),
      csrf: true,
      params: s.certificateParams,
      responses: { 204: { description: 'Removed' }, 400: problem('Not a SHA-256 fingerprint'), ...DENIED, 404: problem('No such source, or no such certificate of it') },
      admit: removeCertificate.admit,
      handler: async ({ params, req }) =>
        removeCertificate.run(req, async (actor, event) => {
          await deps.db
            .transaction(async (tx) => {
              const fingerprint = await removeSourceCertificate(tx, params.id, params.fingerprint);
              await gate.stage(tx, actor, req, { ...event, entities: [`Organization/${params.id}`, certificateRef(fingerprint)] }, 204);
            })
            .catch(asOutcome);
          return { status: 204 };
        }),
    }),
  ];
}

export async function sourcesPlugin(app: FastifyInstance, opts: { api: ApiRegistry; ctx: SourcesRoutesContext }): Promise<void> {
  opts.api.add(app, sourceRoutes(opts.ctx));
}
