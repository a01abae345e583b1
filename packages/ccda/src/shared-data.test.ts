/**
 * Every document in the shared C-CDA samples (see shared/data/ccda/README.md and ccda-more/README.md):
 * complete documents convert and yield a Patient; fragments give a typed CcdaError or a
 * partial result. Each produced resource is validated against FHIR R4 (@kennebec/fhir-validator).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateResource } from '@kennebec/fhir-validator';
import { describe, expect, it } from 'vitest';
import { CcdaError, convertCcda } from './index.ts';

const base = process.env.KENNEBEC_SHARED_DATA ?? fileURLToPath(new URL('../../../../shared/data', import.meta.url));
const roots = [join(base, 'ccda'), join(base, 'ccda-more')].filter((d) => existsSync(d));

function xmlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return xmlFiles(p);
    return name.endsWith('.xml') ? [p] : [];
  });
}

const files = roots.flatMap(xmlFiles);
const isFragment = (f: string): boolean => f.includes('/fragments/');

describe.skipIf(roots.length === 0)('shared C-CDA samples', () => {
  it('converts every complete document, with typed errors or partial results for fragments', () => {
    const byType: Record<string, number> = {};
    const errorsByCode: Record<string, number> = {};
    const invalid: Record<string, number> = {};
    let converted = 0;
    let resources = 0;
    let valid = 0;
    for (const file of files) {
      const bytes = readFileSync(file);
      let result;
      try {
        result = convertCcda(bytes);
      } catch (err) {
        expect(isFragment(file), `${file}: ${String(err)}`).toBe(true);
        expect(err).toBeInstanceOf(CcdaError);
        const code = (err as CcdaError).code;
        errorsByCode[code] = (errorsByCode[code] ?? 0) + 1;
        continue;
      }
      converted += 1;
      const entries = result.bundle.entry ?? [];
      expect(entries.filter((e) => e.resource?.resourceType === 'Patient')).toHaveLength(1);
      for (const e of entries) {
        const r = e.resource;
        if (!r) continue;
        resources += 1;
        byType[r.resourceType] = (byType[r.resourceType] ?? 0) + 1;
        const v = validateResource(r);
        if (v.valid) valid += 1;
        else
          for (const i of v.issues.filter((x) => x.severity === 'error' || x.severity === 'fatal')) {
            const k = `${r.resourceType}: ${i.diagnostics.slice(0, 100)} @ ${i.expression.join(',').replace(/\[\d+\]/g, '[]')}`;
            invalid[k] = (invalid[k] ?? 0) + 1;
          }
      }
    }
    const complete = files.filter((f) => !isFragment(f)).length;
    console.log(JSON.stringify({ files: files.length, complete, converted, errorsByCode, resources, valid, byType, invalid }, null, 1));
    expect(converted).toBeGreaterThanOrEqual(complete);
    expect(valid).toBe(resources);
  });
});
