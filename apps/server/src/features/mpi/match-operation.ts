import type { Bundle, BundleEntry, FhirResource, Parameters, Patient } from 'fhir/r4';
import type { Queryable } from '@kennebec/db';
import { errors } from '@kennebec/fhir';
import { DEFAULT_THRESHOLDS, fromFhirPatient, normalize } from '@kennebec/matching';
import { authorize } from '../access/index.ts';
import type { FhirRequest, FhirResponse } from '../fhir-api/index.ts';
import { scoreCandidates } from './candidates.ts';

/**
 * `POST Patient/$match` (https://hl7.org/fhir/R4/patient-operation-match.html): scored
 * candidates for the demographics in `resource`, best first, each with a 0–1 score and a
 * match grade.
 */
const GRADE_URL = 'http://hl7.org/fhir/StructureDefinition/match-grade';

/** Maps a log-likelihood score onto 0–1, centred between the review and link thresholds. */
function probability(score: number): number {
  const mid = (DEFAULT_THRESHOLDS.upper + DEFAULT_THRESHOLDS.lower) / 2;
  return Math.round((1 / (1 + Math.exp(-(score - mid) / 2))) * 1000) / 1000;
}

export function matchOperation(deps: { db: Queryable; fhirBase: () => string }) {
  return async (req: FhirRequest): Promise<FhirResponse> => {
    if (req.method !== 'POST') throw errors.methodNotAllowed(req.method, 'Patient/$match');
    authorize(req.actor, { resourceType: 'Patient', interaction: 's' });
    const params = req.body as Parameters | undefined;
    if (params?.resourceType !== 'Parameters') throw errors.badRequest('Patient/$match takes a Parameters resource', ['Parameters']);
    const patient = params.parameter?.find((p) => p.name === 'resource')?.resource as Patient | undefined;
    if (patient?.resourceType !== 'Patient') throw errors.badRequest("Parameter 'resource' must hold a Patient", ['Parameters.parameter']);
    const count = params.parameter?.find((p) => p.name === 'count')?.valueInteger ?? 10;
    const onlyCertain = params.parameter?.find((p) => p.name === 'onlyCertainMatches')?.valueBoolean === true;
    const candidates = (await scoreCandidates(deps.db, normalize(fromFhirPatient(patient)), null)).filter((c) => c.decision !== 'new' || c.score > 0);
    const kept = (onlyCertain ? candidates.filter((c) => c.decision === 'link') : candidates).slice(0, Math.max(1, Math.min(count, 100)));
    const rows = await deps.db.query<{ id: string; content: string }>(
      `select id, content::text as content from resource where resource_type = 'Patient' and id = any($1::text[])`,
      [kept.map((c) => c.patientId)],
    );
    const byId = new Map(rows.rows.map((r) => [r.id, JSON.parse(r.content) as FhirResource]));
    const entry: BundleEntry[] = kept.flatMap((c) => {
      const resource = byId.get(c.patientId);
      if (!resource) return [];
      const grade = c.decision === 'link' ? 'certain' : c.decision === 'review' ? 'probable' : 'possible';
      return [{
        fullUrl: `${deps.fhirBase()}/Patient/${c.patientId}`,
        resource,
        search: { mode: 'match' as const, score: probability(c.score), extension: [{ url: GRADE_URL, valueCode: grade }] },
      }];
    });
    const bundle: Bundle = { resourceType: 'Bundle', type: 'searchset', total: entry.length, ...(entry.length > 0 ? { entry } : {}) };
    return { status: 200, body: bundle };
  };
}
