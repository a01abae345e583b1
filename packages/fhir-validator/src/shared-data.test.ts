/**
 * Runs the validator over the shared third-party sample data (never copied into the repo):
 * - fhir-r4-cases: resources from HL7's fhir-test-cases, unlabelled upstream. The expected
 *   outcome of each case below was decided by reviewing every file against the R4 base spec
 *   (e.g. case-163 has gender 'M', case-011 uses DSTU2's fhir_comments, cases 96-161 are R4
 *   examples). A file that is not valid JSON is rejected before validation, as the server does.
 * - fhir-examples: US Core 9.0.0 examples, which must pass the base spec (profiles and
 *   extensions are not checked against US Core; any extension with a url is allowed).
 * Skipped when the shared folder is absent (set KENNEBEC_SHARED_DATA to its data/ folder).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateResource } from './index.ts';
import { errorLines } from './test-fixtures.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const sharedData = process.env.KENNEBEC_SHARED_DATA ?? `${repoRoot}../shared/data`;
const casesDir = `${sharedData}/fhir-r4-cases/cases`;
const usCoreDir = `${sharedData}/fhir-examples/us-core`;

/** Cases 1-95 come from the validator's own test files; 162-248 are one-element breakages of R4 examples. */
const INVALID_CASES = new Set([
  1, 4, 5, 7, 9, 10, 11, 12, 13, 15, 16, 17, 18, 29, 31, 32, 33, 41, 42, 45, 50, 55, 57, 58, 59, 60, 61, 62, 63, 64, 70, 71, 72, 73, 74, 76,
  78, 81, 82, 83, 89, 95,
  ...Array.from({ length: 248 - 162 + 1 }, (_, i) => 162 + i),
]);

/** US Core examples that break a base-spec rule in the published source. */
const KNOWN_INVALID_EXAMPLES: Record<string, string[]> = {
  // text has a status but no div; Narrative.div is 1..1 (the IG publisher fills it in when rendering)
  'diagnosticreport-cbc.json': ["DiagnosticReport.text.div: Missing required element 'div' (minimum cardinality 1, found 0)"],
};

function listJson(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
}

/** Error lines, or a parse failure for files that are not JSON at all. */
function outcome(file: string): string[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    return [`not JSON: ${(err as Error).message}`];
  }
  return errorLines(validateResource(json));
}

describe.skipIf(!existsSync(casesDir))('shared data: fhir-r4-cases', () => {
  it('accepts the valid cases and rejects the invalid ones', () => {
    const files = listJson(casesDir);
    expect(files).toHaveLength(248);
    const disagreements: string[] = [];
    let invalid = 0;
    for (const file of files) {
      const n = Number(/case-(\d+)\.json/.exec(file)?.[1]);
      const errors = outcome(`${casesDir}/${file}`);
      const expectInvalid = INVALID_CASES.has(n);
      if (expectInvalid) invalid++;
      if (expectInvalid && errors.length === 0) disagreements.push(`${file}: expected errors, found none`);
      if (!expectInvalid && errors.length > 0) disagreements.push(`${file}: unexpected ${errors.slice(0, 3).join(' | ')}`);
    }
    expect(disagreements).toEqual([]);
    expect(invalid).toBe(129);
  });
});

describe.skipIf(!existsSync(usCoreDir))('shared data: US Core examples', () => {
  it('validates every example against the base spec without errors', () => {
    const files = listJson(usCoreDir);
    expect(files.length).toBeGreaterThanOrEqual(229);
    const unexpected: string[] = [];
    for (const file of files) {
      const errors = outcome(`${usCoreDir}/${file}`);
      const known = KNOWN_INVALID_EXAMPLES[file] ?? [];
      if (JSON.stringify(errors) !== JSON.stringify(known)) unexpected.push(`${file}: ${errors.slice(0, 3).join(' | ') || 'no errors (expected known ones)'}`);
    }
    expect(unexpected).toEqual([]);
  });
});
