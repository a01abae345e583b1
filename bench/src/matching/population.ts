/** Generated people as matching demographics, from the project's deterministic population generator. */
import { fromFhirPatient, type Demographics } from '@kennebec/matching';
import { generatePatientRecords } from '../generate/index.ts';

export const ORGANIZATION = { id: 'org-matching-bench', name: 'Matching bench', mrnSystem: 'urn:oid:2.16.840.1.113883.3.9999.77' };
export const NOW = '2025-06-01T00:00:00Z';

/** Demographics of generated patients startIndex … startIndex+count−1 (clinical records are generated small and dropped). */
export function* people(seed: number, count: number, startIndex = 0): Generator<{ index: number; demographics: Demographics }> {
  let index = startIndex;
  for (const r of generatePatientRecords({ seed, patients: count, startIndex, organization: ORGANIZATION, now: NOW, resourcesPerPatient: 1 })) {
    yield { index, demographics: fromFhirPatient(r.patient) };
    index++;
  }
}
