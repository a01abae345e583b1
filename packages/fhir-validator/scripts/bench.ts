/**
 * Validation throughput on one core for a typical Patient and Observation.
 * Run: node bin/run-ts.js packages/fhir-validator/scripts/bench.ts [seconds-per-case]
 */
import { validateResource } from '../src/index.ts';
import { typicalObservation, typicalPatient } from '../src/test-fixtures.ts';

const seconds = Number(process.argv[2] ?? '2');

function bench(name: string, resource: object): void {
  const first = validateResource(resource);
  if (!first.valid) throw new Error(`${name} fixture is not valid: ${JSON.stringify(first.issues)}`);
  // Warm up the JIT and the lazily compiled invariants.
  for (let i = 0; i < 2000; i++) validateResource(resource);
  let count = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < end) {
    for (let i = 0; i < 100; i++) validateResource(resource);
    count += 100;
    now = process.hrtime.bigint();
  }
  const elapsed = Number(now - start) / 1e9;
  const rate = count / elapsed;
  console.log(`${name.padEnd(12)} ${rate.toFixed(0).padStart(8)} validations/s  (${((1e6 * elapsed) / count).toFixed(1)} µs each)`);
}

const loadStart = process.hrtime.bigint();
validateResource({ resourceType: 'Basic', code: { text: 'warm-up' } });
console.log(`model load + index: ${(Number(process.hrtime.bigint() - loadStart) / 1e6).toFixed(0)} ms`);
bench('Patient', typicalPatient);
bench('Observation', typicalObservation);
const mem = process.memoryUsage();
console.log(`rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB, heap used ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB`);
