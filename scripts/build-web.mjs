// Builds the web app (apps/web, with packages/ui) into apps/web/dist with Vite, unless the build
// there was made from exactly the current sources: a stamp file records a hash of every source
// file's path, size and modification time (and the lockfile), so an unchanged tree costs a few
// milliseconds. `npm start` (prestart) and the test suite's global setup both call it.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const WEB_DIST = join(root, 'apps/web/dist');
const STAMP = join(WEB_DIST, '.build-stamp');
const SOURCES = ['apps/web/src', 'apps/web/public', 'apps/web/index.html', 'apps/web/vite.config.ts', 'packages/ui/src', 'package-lock.json'];

function walk(path, out) {
  if (!existsSync(path)) return;
  const info = statSync(path);
  if (info.isDirectory()) {
    for (const name of readdirSync(path).sort()) if (!name.startsWith('.') && name !== 'node_modules') walk(join(path, name), out);
  } else if (!/\.test\.tsx?$/.test(path)) {
    out.push(`${path.slice(root.length)}:${info.size}:${info.mtimeMs}`);
  }
}

export function webSourceHash() {
  const entries = [];
  for (const s of SOURCES) walk(join(root, s), entries);
  return createHash('sha256').update(`production\n${entries.join('\n')}`).digest('hex');
}

/** Builds when the sources changed since the last build; returns what it did. */
export async function buildWeb({ quiet = false, force = false } = {}) {
  const hash = webSourceHash();
  if (!force && existsSync(STAMP) && existsSync(join(WEB_DIST, 'index.html')) && readFileSync(STAMP, 'utf8') === hash) {
    return { built: false, dir: WEB_DIST };
  }
  let vite;
  try {
    vite = await import('vite');
  } catch {
    // A production install without the build tools: the server still starts and says how to build.
    if (!quiet) console.warn('Web app not built: Vite is not installed (run `npm install`, then `npm run build`).');
    return { built: false, dir: WEB_DIST, skipped: true };
  }
  const started = Date.now();
  // Always a production build (React's production bundle), also when called from the test
  // runner, which sets NODE_ENV=test and would otherwise get the development one.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await vite.build({ configFile: join(root, 'apps/web/vite.config.ts'), mode: 'production', logLevel: quiet ? 'error' : 'warn' });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  writeFileSync(STAMP, hash);
  if (!quiet) console.log(`Built the web app into apps/web/dist in ${Date.now() - started} ms`);
  return { built: true, dir: WEB_DIST };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildWeb({ quiet: process.argv.includes('--quiet'), force: process.argv.includes('--force') });
}
