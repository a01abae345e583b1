/**
 * Micro-benchmark of the index-row builder: resources indexed per second for a typical US Core
 * Patient and a vital-signs Observation (with components).
 * Run: `node bin/run-ts.js packages/fhir-store/src/search/bench-index.ts [iterations]`
 */
import type { Resource } from 'fhir/r4';
import { buildIndexRows } from './index.ts';
import { sampleHeartRate, sampleObservation, samplePatient } from './samples.ts';

function bench(label: string, resource: Resource, iterations: number): void {
  for (let i = 0; i < Math.min(iterations, 2000); i++) buildIndexRows(resource);
  const start = process.hrtime.bigint();
  let rows = 0;
  for (let i = 0; i < iterations; i++) {
    const r = buildIndexRows(resource);
    rows = r.string.length + r.token.length + r.reference.length + r.date.length + r.number.length + r.quantity.length + r.uri.length;
  }
  const ns = Number(process.hrtime.bigint() - start);
  const perResource = ns / iterations / 1000;
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(10);
  console.log(
    `${label.padEnd(28)} ${String(rows).padStart(3)} rows  ${perResource.toFixed(1).padStart(6)} µs/resource ${fmt(1e6 / perResource)} resources/s ${fmt((1e6 / perResource) * rows)} rows/s`,
  );
}

const iterations = Number(process.argv[2] ?? 50_000);
bench('Patient (US Core)', samplePatient, iterations);
bench('Observation (blood pressure)', sampleObservation, iterations);
bench('Observation (heart rate)', sampleHeartRate, iterations);
