/**
 * Parse + map throughput for ADT^A01 and a 10-OBX ORU^R01 on one core:
 * `node bin/run-ts.js packages/hl7v2/scripts/bench.ts` (or `npx tsx packages/hl7v2/scripts/bench.ts`).
 */
import { readFileSync } from 'node:fs';
import { parseMessage, toFhir } from '../src/index.ts';

const adt = readFileSync(new URL('../src/fixtures/adt-a01.hl7', import.meta.url), 'utf8');
const oruBase = readFileSync(new URL('../src/fixtures/oru-r01.hl7', import.meta.url), 'utf8').split('\r');
// Ten OBX in one OBR: the reference ORU.
const obx = (i: number): string => `OBX|${i}|NM|${2000 + i}-${i}^Analyte ${i}^LN||${(i * 1.7).toFixed(1)}|mg/dL^mg/dL^UCUM|1.0-20.0|${i % 3 === 0 ? 'H' : 'N'}|||F|||20240302080000-0500`;
const oru = [...oruBase.slice(0, 4), ...Array.from({ length: 10 }, (_, i) => obx(i + 1))].join('\r') + '\r';

function bench(name: string, text: string, seconds = 2): void {
  const options = { sourceSystem: 'https://north.example/mrn', now: '2024-01-01T00:00:00Z' };
  for (let i = 0; i < 2000; i++) toFhir(parseMessage(text), options);
  const end = performance.now() + seconds * 1000;
  let n = 0;
  const start = performance.now();
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) toFhir(parseMessage(text), options);
    n += 100;
  }
  const rate = n / ((performance.now() - start) / 1000);
  console.log(`${name}: ${Math.round(rate).toLocaleString('en-US')} messages/s (parse + map, one core)`);
}

bench('ADT^A01', adt);
bench('ORU^R01 (10 OBX)', oru);
