/**
 * Deterministic synthetic population generator: realistic, US Core-shaped FHIR R4 records for
 * demos, tests and benchmarks. Pure: no I/O, no Math.random, no clock; the same options always
 * give byte-identical output, and patient `i` is the same whatever startIndex a run begins at.
 */
import type { Bundle, BundleEntry, FhirResource, Patient } from 'fhir/r4';
import type { OrganizationInfo } from './context.ts';
import { organizationContext } from './organization.ts';
import { buildRecord, type Setup } from './record.ts';
import { hashString, seedWords } from './rng.ts';
import { parseNow } from './time.ts';

export type { OrganizationInfo } from './context.ts';
export { generateOrganization, PRACTITIONERS_PER_ORGANIZATION } from './organization.ts';
export type { OrganizationOptions, OrganizationResources } from './organization.ts';

export interface PopulationOptions {
  /** Same seed => same output. Any safe integer. */
  seed: number;
  /** How many patients to generate (from startIndex on). Output is streamed, never held in memory. */
  patients: number;
  organization: OrganizationInfo;
  /** ISO date-time used as "today"; everything is dated before it. Without an offset it is taken as UTC. */
  now: string;
  /** Number of the first patient, for sharding and resuming. Default 0. */
  startIndex?: number;
  /** Approximate average number of resources per patient (default 50); scales encounters and labs. */
  resourcesPerPatient?: number;
}

export const DEFAULT_RESOURCES_PER_PATIENT = 50;

function setupFor(opts: PopulationOptions): { setup: Setup; start: number; end: number } {
  const start = opts.startIndex ?? 0;
  if (!Number.isSafeInteger(start) || start < 0) throw new RangeError(`startIndex must be a non-negative integer, got ${start}`);
  if (!Number.isSafeInteger(opts.patients) || opts.patients < 0) {
    throw new RangeError(`patients must be a non-negative integer, got ${opts.patients}`);
  }
  const perPatient = opts.resourcesPerPatient ?? DEFAULT_RESOURCES_PER_PATIENT;
  if (!(perPatient > 0)) throw new RangeError(`resourcesPerPatient must be positive, got ${perPatient}`);
  if (!opts.organization.mrnSystem) throw new RangeError('organization.mrnSystem is required');
  const words = seedWords(opts.seed);
  const orgHash = hashString(opts.organization.id);
  const setup: Setup = {
    key: [words[0], words[1], orgHash],
    org: organizationContext({ seed: opts.seed, organization: opts.organization }),
    nowMs: parseNow(opts.now),
    mrnOffset: (words[0] ^ orgHash) % 100_000_000,
    resourcesPerPatient: perPatient,
  };
  return { setup, start, end: start + opts.patients };
}

/**
 * One FHIR R4 transaction Bundle per patient: the Patient and all its resources, each entry with
 * a urn:uuid fullUrl and request POST; references between entries use those urn:uuids, and
 * references to the organization, its practitioners and location are 'Type/id'.
 */
export function* generatePopulation(opts: PopulationOptions): Generator<Bundle> {
  const { setup, start, end } = setupFor(opts);
  for (let i = start; i < end; i++) {
    const { resources, ids } = buildRecord(setup, i, false);
    const entry: BundleEntry[] = new Array<BundleEntry>(resources.length);
    for (let j = 0; j < resources.length; j++) {
      const resource = resources[j] as FhirResource;
      entry[j] = {
        fullUrl: `urn:uuid:${ids[j] as string}`,
        resource,
        request: { method: 'POST', url: resource.resourceType },
      };
    }
    yield { resourceType: 'Bundle', type: 'transaction', entry };
  }
}

export interface PatientRecords {
  patient: Patient;
  /** Everything else in the record, with ids; references are 'Type/id'. */
  resources: FhirResource[];
}

/** The same data as generatePopulation, with deterministic server-style ids for bulk loading. */
export function* generatePatientRecords(opts: PopulationOptions): Generator<PatientRecords> {
  const { setup, start, end } = setupFor(opts);
  for (let i = start; i < end; i++) {
    const { resources } = buildRecord(setup, i, true);
    const patient = resources[0] as Patient;
    resources.shift();
    yield { patient, resources };
  }
}
