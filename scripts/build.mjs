#!/usr/bin/env node
// Builds the web app (scripts/build-web.mjs: only when its sources changed) and bundles the
// command line (and with it the server) into dist/kennebec.mjs, which
// bin/kennebec.js runs when it is newer than every source file. Running one bundled file
// instead of loading TypeScript through tsx saves the loader's memory (~35 MB) and start time.
// Dependencies stay external (they load from node_modules); only our workspace code is bundled.
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { buildWeb } from './build-web.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})].flatMap((d) => [d, `${d}/*`]);

// Modules find their data files relative to import.meta.url; keep each module's own URL so
// those paths resolve exactly as they do from the sources.
const keepModuleUrls = {
  name: 'keep-module-urls',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      return { contents: source.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
    });
  },
};

await buildWeb({ quiet: process.argv.includes('--quiet') });

const started = Date.now();
await build({
  entryPoints: [`${root}apps/cli/src/main.ts`],
  outfile: `${root}dist/kennebec.mjs`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  external,
  plugins: [keepModuleUrls],
  logLevel: 'warning',
});
if (!process.argv.includes('--quiet')) console.log(`Built dist/kennebec.mjs in ${Date.now() - started} ms`);
