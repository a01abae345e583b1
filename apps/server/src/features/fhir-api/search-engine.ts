import type { Database } from '@kennebec/db';
import { getSearchRegistry, searchParamsForCapability } from '@kennebec/fhir';
import { searchResources } from '@kennebec/fhir-store';
import type { SearchEngine } from './ports.ts';

/**
 * FHIR search over the SQL store. Runs on the pool, or on a transaction's handle when a
 * conditional operation inside a transaction Bundle must see that transaction's writes.
 */
export function createSearchEngine(deps: { db: Database; baseUrl: string; now?: () => Date }): SearchEngine {
  const registry = getSearchRegistry();
  return {
    async search(resourceType, params, opts) {
      const result = await searchResources(opts.handle ?? deps.db, resourceType, params, {
        registry,
        lenient: opts.lenient,
        baseUrl: deps.baseUrl,
        ...(deps.now ? { now: deps.now() } : {}),
        ...(opts.access ? { access: opts.access } : {}),
      });
      return {
        matches: result.matches,
        included: result.included,
        total: result.total,
        nextCursor: result.nextCursor,
        warnings: result.warnings,
      };
    },
  };
}

export function searchParamsFor(type: string): { name: string; type: string; definition?: string; documentation?: string }[] {
  return searchParamsForCapability(type).map((p) => ({
    name: p.name,
    type: p.type,
    ...(p.definition ? { definition: p.definition } : {}),
    ...(p.documentation ? { documentation: p.documentation } : {}),
  }));
}
