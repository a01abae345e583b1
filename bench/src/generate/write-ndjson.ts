/**
 * Writes a generated population as one NDJSON file per resource type (Patient.ndjson,
 * Observation.ndjson, ...), the layout `kennebec import` and FHIR bulk data use. This is the
 * only part of the generator that does I/O.
 *
 *   node bin/run-ts.js bench/src/generate/write-ndjson.ts --patients 100 --out /tmp/x
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { FhirResource } from 'fhir/r4';
import { generateOrganization, generatePatientRecords, type PopulationOptions } from './index.ts';

export interface WriteOptions extends PopulationOptions {
  /** Also write the Organization, its Practitioners and Location (default true) so the files are self-contained. */
  includeOrganization?: boolean;
}

/** Resources written per type, e.g. { Patient: 100, Observation: 3100, ... }. */
export type WriteSummary = Record<string, number>;

/** Lines are batched per type: one write per ~256 KiB instead of one per resource. */
const FLUSH_BYTES = 256 * 1024;

class TypeFile {
  private chunks: string[] = [];
  private size = 0;
  count = 0;

  constructor(private readonly stream: WriteStream) {}

  async push(line: string): Promise<void> {
    this.chunks.push(line);
    this.size += line.length;
    this.count++;
    if (this.size >= FLUSH_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.chunks.length === 0) return;
    const data = this.chunks.join('');
    this.chunks = [];
    this.size = 0;
    // Respect backpressure so memory stays bounded however many patients are written.
    if (!this.stream.write(data)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
  }
}

export async function writePopulationFiles(dir: string, opts: WriteOptions): Promise<WriteSummary> {
  await mkdir(dir, { recursive: true });
  const files = new Map<string, TypeFile>();
  const write = async (resource: FhirResource): Promise<void> => {
    let file = files.get(resource.resourceType);
    if (!file) {
      file = new TypeFile(createWriteStream(join(dir, `${resource.resourceType}.ndjson`)));
      files.set(resource.resourceType, file);
    }
    await file.push(`${JSON.stringify(resource)}\n`);
  };
  try {
    if (opts.includeOrganization ?? true) {
      const org = generateOrganization(opts);
      await write(org.organization);
      for (const p of org.practitioners) await write(p);
      await write(org.location);
    }
    for (const record of generatePatientRecords(opts)) {
      await write(record.patient);
      for (const r of record.resources) await write(r as FhirResource);
    }
  } finally {
    for (const file of files.values()) await file.close();
  }
  const summary: WriteSummary = {};
  for (const [type, file] of [...files.entries()].sort(([a], [b]) => a.localeCompare(b))) summary[type] = file.count;
  return summary;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      patients: { type: 'string', default: '100' },
      out: { type: 'string' },
      seed: { type: 'string', default: '1' },
      now: { type: 'string', default: '2025-01-01T12:00:00Z' },
      'start-index': { type: 'string', default: '0' },
      'resources-per-patient': { type: 'string', default: '50' },
      'org-id': { type: 'string', default: 'kennebec-valley' },
      'org-name': { type: 'string', default: 'Kennebec Valley Health' },
      'mrn-system': { type: 'string', default: 'urn:oid:2.16.840.1.113883.3.9999.1' },
      'no-organization': { type: 'boolean', default: false },
    },
  });
  if (!values.out) {
    console.error('usage: write-ndjson.ts --out DIR [--patients N] [--seed N] [--now ISO] [--start-index N]');
    process.exit(2);
  }
  const started = performance.now();
  const summary = await writePopulationFiles(resolve(values.out), {
    seed: Number(values.seed),
    patients: Number(values.patients),
    now: values.now,
    startIndex: Number(values['start-index']),
    resourcesPerPatient: Number(values['resources-per-patient']),
    organization: { id: values['org-id'], name: values['org-name'], mrnSystem: values['mrn-system'] },
    includeOrganization: !values['no-organization'],
  });
  const total = Object.values(summary).reduce((a, b) => a + b, 0);
  const seconds = (performance.now() - started) / 1000;
  for (const [type, n] of Object.entries(summary)) console.log(`${type.padEnd(22)} ${n}`);
  console.log(`${total} resources in ${seconds.toFixed(1)} s -> ${resolve(values.out)}`);
}

const invoked = process.argv[1];
if (invoked && import.meta.url === pathToFileURL(resolve(invoked)).href) await main();
