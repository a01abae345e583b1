import { isOutcomeError } from '@kennebec/fhir';
import type { Actor } from '../access/index.ts';
import { classify, failureEntry, readEntry, recordedInTransaction } from './audit-entries.ts';
import type { AuditSink } from './ports.ts';
import type { FhirRequest, FhirResponse } from './types.ts';

/**
 * Every FHIR interaction leaves an entry in the audit trail, whichever way it ends:
 *  - a write records its success in its own transaction (service, bundle), so it is here only
 *    when it fails;
 *  - a read, search, history or operation is recorded from what it returned, before the
 *    response leaves (unless the trail buffers reads);
 *  - a refused or failed request is recorded with its status.
 * Batch entries pass through here one by one, so each is recorded like a request of its own.
 */
export function auditedDispatch(route: (req: FhirRequest) => Promise<FhirResponse>, audit: AuditSink, fhirBase: string) {
  return async (req: FhirRequest): Promise<FhirResponse> => {
    const interaction = classify(req);
    if (!interaction) return route(req);
    let res: FhirResponse;
    try {
      res = await route(req);
    } catch (err) {
      // A failure to record a failure is logged by the trail; the original error is what the caller needs.
      await audit.record([failureEntry(req, interaction, statusOf(err))]).catch(() => undefined);
      throw err;
    }
    if (!recordedInTransaction(interaction)) await audit.record([readEntry(req, interaction, res, fhirBase)]);
    return res;
  };
}

/** Records a request refused before it had an actor (no valid token: 401). */
export async function auditRefused(audit: AuditSink, req: Omit<FhirRequest, 'actor'> & { actor?: Actor | undefined }, err: unknown): Promise<void> {
  const interaction = classify(req);
  if (!interaction) return;
  await audit.record([failureEntry(req, interaction, statusOf(err))]).catch(() => undefined);
}

function statusOf(err: unknown): number {
  return isOutcomeError(err) ? err.status : 500;
}
