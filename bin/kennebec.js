#!/usr/bin/env node
// Entry point of the `kennebec` command. It runs the bundle that `npm start` builds
// (dist/kennebec.mjs, see scripts/build.mjs) when the bundle is newer than every source file;
// otherwise it runs the TypeScript sources directly through tsx's loader, so a stale bundle
// can never run and `npx kennebec` works without a build.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = `${root}dist/kennebec.mjs`;

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = `${dir}/${entry.name}`;
    // The web app is built separately (scripts/build-web.mjs); the server bundle does not hold it.
    if (path === `${root}apps/web`) continue;
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (/\.(ts|json|sql)$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function bundleIsFresh() {
  if (process.env.KENNEBEC_FROM_SOURCE === '1' || !existsSync(bundle)) return false;
  const built = statSync(bundle).mtimeMs;
  return ['apps', 'packages', 'bench/src'].every((d) => newestSource(`${root}${d}`) < built);
}

if (bundleIsFresh()) {
  await import('../dist/kennebec.mjs');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../apps/cli/src/main.ts');
}
