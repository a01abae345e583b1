import { describe, expect, it } from 'vitest';
import { generatePatientRecords, generatePopulation } from './index.ts';
import { options } from './test-support.ts';

describe('streaming', () => {
  it('is lazy: asking for a huge population yields the first patient at once', () => {
    const started = performance.now();
    const first = generatePopulation(options({ patients: 1_000_000_000_000 })).next();
    expect(first.done).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('generates 10k patients without holding them, with bounded memory', () => {
    // Small records keep the test quick; memory behaviour does not depend on record size.
    const opts = options({ patients: 10_000, resourcesPerPatient: 15 });
    let patients = 0;
    let resources = 0;
    let heapAt2k = 0;
    for (const record of generatePatientRecords(opts)) {
      patients++;
      resources += 1 + record.resources.length;
      if (patients === 2000) heapAt2k = process.memoryUsage().heapUsed;
    }
    const growth = process.memoryUsage().heapUsed - heapAt2k;
    expect(patients).toBe(10_000);
    expect(resources).toBeGreaterThan(150_000);
    // Retaining the 8k later patients would take hundreds of MB.
    expect(growth).toBeLessThan(120 * 2 ** 20);
  });

  it('validates its options', () => {
    expect(() => generatePopulation(options({ seed: 1.5 })).next()).toThrow(RangeError);
    expect(() => generatePopulation(options({ patients: -1 })).next()).toThrow(RangeError);
    expect(() => generatePopulation(options({ now: 'yesterday' })).next()).toThrow(RangeError);
    const badOrg = { id: 'has space', name: 'X', mrnSystem: 'urn:oid:1.2.3' };
    expect(() => generatePopulation(options({ organization: badOrg })).next()).toThrow(RangeError);
    expect([...generatePopulation(options({ patients: 0 }))]).toEqual([]);
  });
});
