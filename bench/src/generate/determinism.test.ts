import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateOrganization, generatePatientRecords, generatePopulation } from './index.ts';
import { options } from './test-support.ts';

function digest(opts: Parameters<typeof generatePopulation>[0]): string {
  const hash = createHash('sha256');
  for (const bundle of generatePopulation(opts)) hash.update(JSON.stringify(bundle));
  return hash.digest('hex');
}

describe('determinism', () => {
  it('gives byte-identical output for the same seed and options', () => {
    expect(digest(options())).toBe(digest(options()));
    expect(JSON.stringify(generateOrganization(options()))).toBe(JSON.stringify(generateOrganization(options())));
  });

  it('gives different output for a different seed or organization', () => {
    const base = digest(options());
    expect(digest(options({ seed: 20250602 }))).not.toBe(base);
    expect(digest(options({ organization: { ...options().organization, id: 'org-other' } }))).not.toBe(base);
  });

  it('does not depend on the host time zone', () => {
    // "now" without an offset is read as UTC rather than local time.
    expect(digest(options({ now: '2025-06-01T12:00:00', patients: 20 }))).toBe(digest(options({ patients: 20 })));
  });

  it('reproduces patient i whatever index a run starts at (sharding / resuming)', () => {
    const whole = [...generatePopulation(options({ patients: 60 }))].map((b) => JSON.stringify(b));
    const first = [...generatePopulation(options({ patients: 25 }))].map((b) => JSON.stringify(b));
    const rest = [...generatePopulation(options({ patients: 35, startIndex: 25 }))].map((b) => JSON.stringify(b));
    expect([...first, ...rest]).toEqual(whole);
  });

  it('holds the same data in bundles and in id-assigned records', () => {
    const bundles = [...generatePopulation(options({ patients: 30 }))];
    const records = [...generatePatientRecords(options({ patients: 30 }))];
    bundles.forEach((bundle, i) => {
      const record = records[i];
      const entries = bundle.entry ?? [];
      const fromRecord = record ? [record.patient, ...record.resources] : [];
      expect(fromRecord).toHaveLength(entries.length);
      // Turn the record back into bundle form: drop ids, map Type/id references to urn:uuid.
      const local = new Map(fromRecord.map((r) => [`${r.resourceType}/${r.id}`, `urn:uuid:${r.id}`]));
      const asBundle = JSON.parse(JSON.stringify(fromRecord), (key, value: unknown) =>
        key === 'reference' && typeof value === 'string' ? (local.get(value) ?? value) : value,
      ) as { id?: string }[];
      entries.forEach((entry, j) => {
        const expected = asBundle[j];
        expect(entry.fullUrl).toBe(`urn:uuid:${expected?.id}`);
        delete expected?.id;
        expect(entry.resource).toEqual(expected);
        expect(entry.request).toEqual({ method: 'POST', url: entry.resource?.resourceType });
      });
    });
  });
});
