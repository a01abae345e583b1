/** Helpers shared by the generator's tests. */
import type { PopulationOptions } from './index.ts';

export const ORG = { id: 'org-test', name: 'Kennebec Test Clinic', mrnSystem: 'urn:oid:2.16.840.1.113883.3.9999.1' };
export const NOW = '2025-06-01T12:00:00Z';

export function options(overrides: Partial<PopulationOptions> = {}): PopulationOptions {
  return { seed: 20250601, patients: 100, organization: ORG, now: NOW, ...overrides };
}

/** Calls visit(key, value, parentKey) for every property of a JSON-like tree. */
export function walk(node: unknown, visit: (key: string, value: unknown) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      visit(key, value);
      walk(value, visit);
    }
  }
}

export function references(resource: unknown): string[] {
  const refs: string[] = [];
  walk(resource, (key, value) => {
    if (key === 'reference' && typeof value === 'string') refs.push(value);
  });
  return refs;
}
