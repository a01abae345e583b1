import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildWeb } from '../../../scripts/build-web.mjs';

/**
 * The portal's first load stays small: the JavaScript that index.html loads (its entry script
 * and the modules it preloads) is at most 200 KB gzipped. The staff console and HIE
 * administration are separate chunks, loaded only when opened.
 */
const BUDGET = 200 * 1024;

describe('web app size', () => {
  it('keeps the portal’s initial JavaScript within 200 KB gzipped, staff and admin split off', async () => {
    const { dir } = await buildWeb({ quiet: true });
    const html = readFileSync(join(dir, 'index.html'), 'utf8');
    const initial = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*rel="modulepreload"[^>]*\shref)="\/([^"]+\.js)"/g)].map((m) => m[1] ?? '');
    expect(initial.length).toBeGreaterThan(0);
    const sizes = initial.map((f) => ({ f, gz: gzipSync(readFileSync(join(dir, f))).length }));
    const total = sizes.reduce((n, s) => n + s.gz, 0);
    console.log(`portal initial JS: ${(total / 1024).toFixed(1)} KB gzipped (${sizes.map((s) => `${s.f} ${(s.gz / 1024).toFixed(1)} KB`).join(', ')})`);
    expect(total).toBeLessThanOrEqual(BUDGET);
    const manifest = JSON.parse(readFileSync(join(dir, '.vite/manifest.json'), 'utf8')) as Record<string, { file: string; isDynamicEntry?: boolean }>;
    const lazy = Object.entries(manifest).filter(([, v]) => v.isDynamicEntry).map(([k, v]) => ({ src: k, file: v.file }));
    for (const area of ['staff/staff-app.tsx', 'admin/admin-app.tsx']) {
      const chunk = lazy.find((l) => l.src.endsWith(area));
      expect(chunk, `${area} is a lazy chunk`).toBeDefined();
      expect(initial).not.toContain(chunk?.file);
    }
  }, 120_000);
});
