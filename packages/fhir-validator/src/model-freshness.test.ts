/**
 * generated/r4-model.json is committed so the server never reads the 35 MB definitions.
 * This test rebuilds it in memory (about a second) and fails when the committed file is stale:
 * run `node bin/run-ts.js packages/fhir-validator/scripts/build-model.ts` and commit.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildModel, serializeModel } from './model-build.ts';
import { MODEL_FORMAT_VERSION } from './model-types.ts';

const generated = new URL('../generated/r4-model.json', import.meta.url);

describe('generated model', () => {
  it('is up to date with scripts/build-model.ts', () => {
    const { model, stats } = buildModel();
    const committed = readFileSync(generated, 'utf8');
    // Compare sizes first so a mismatch does not print megabytes of diff.
    const fresh = serializeModel(model);
    expect(committed.length).toBe(fresh.length);
    expect(committed === fresh, 'generated/r4-model.json is stale: run scripts/build-model.ts').toBe(true);
    expect(model.format).toBe(MODEL_FORMAT_VERSION);
    expect(stats.expandedBindings).toBeGreaterThan(300);
  }, 60_000);

  it('stays small (a few MB at most)', () => {
    expect(readFileSync(generated).length).toBeLessThan(2 * 1024 * 1024);
  });
});
