/**
 * Throughput of the generator, single-threaded, without serialization or I/O.
 *
 *   node bin/run-ts.js bench/src/generate/measure.ts [--patients 20000] [--resources-per-patient 50] [--mode bundles|records|both]
 *
 * Measure one mode per process for the cleanest figure: running both lets the JIT see two
 * object shapes per factory, which costs some speed in the second run.
 */
import { parseArgs } from 'node:util';
import { generatePatientRecords, generatePopulation, type PopulationOptions } from './index.ts';

function run(label: string, opts: PopulationOptions, mode: 'bundles' | 'records'): void {
  const started = performance.now();
  let resources = 0;
  if (mode === 'bundles') {
    for (const bundle of generatePopulation(opts)) resources += bundle.entry?.length ?? 0;
  } else {
    for (const record of generatePatientRecords(opts)) resources += 1 + record.resources.length;
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `${label.padEnd(8)} ${opts.patients} patients, ${resources} resources in ${seconds.toFixed(2)} s: ` +
      `${Math.round(opts.patients / seconds)} patients/s, ${Math.round(resources / seconds)} resources/s ` +
      `(avg ${(resources / opts.patients).toFixed(1)}/patient, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB)`,
  );
}

const { values } = parseArgs({
  options: {
    patients: { type: 'string', default: '20000' },
    'resources-per-patient': { type: 'string', default: '50' },
    seed: { type: 'string', default: '1' },
    mode: { type: 'string', default: 'both' },
  },
});

const opts: PopulationOptions = {
  seed: Number(values.seed),
  patients: Number(values.patients),
  resourcesPerPatient: Number(values['resources-per-patient']),
  organization: { id: 'measure-org', name: 'Measure Health', mrnSystem: 'urn:oid:2.16.840.1.113883.3.9999.1' },
  now: '2025-01-01T12:00:00Z',
};

const modes: ('bundles' | 'records')[] =
  values.mode === 'bundles' ? ['bundles'] : values.mode === 'records' ? ['records'] : ['bundles', 'records'];
// A short warm-up lets the JIT settle, so the figures reflect steady state.
const first = modes[0] ?? 'bundles';
run('warm-up', { ...opts, patients: Math.min(2000, opts.patients) }, first);
for (const mode of modes) run(mode, opts, mode);
