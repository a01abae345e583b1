import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generatePatientRecords } from './index.ts';
import { options } from './test-support.ts';
import { writePopulationFiles } from './write-ndjson.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('writePopulationFiles', () => {
  it('writes one NDJSON file per resource type with the same records as the generator', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kennebec-gen-'));
    dirs.push(dir);
    const opts = options({ patients: 40 });
    const summary = await writePopulationFiles(dir, opts);

    const files = (await readdir(dir)).sort();
    expect(files).toEqual(Object.keys(summary).map((t) => `${t}.ndjson`).sort());
    expect(summary).toMatchObject({ Patient: 40, Organization: 1, Location: 1, Practitioner: 8 });

    const lines = (await readFile(join(dir, 'Patient.ndjson'), 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(40);
    const expected = [...generatePatientRecords(opts)].map((r) => JSON.stringify(r.patient));
    expect(lines).toEqual(expected);

    for (const [type, count] of Object.entries(summary)) {
      const text = await readFile(join(dir, `${type}.ndjson`), 'utf8');
      const parsed = text.trimEnd().split('\n').map((l) => JSON.parse(l) as { resourceType: string });
      expect(parsed).toHaveLength(count);
      expect(parsed.every((r) => r.resourceType === type)).toBe(true);
    }
  });
});
