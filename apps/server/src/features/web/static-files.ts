import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/**
 * The built web app (apps/web/dist, made by `npm run build`): finds it, and reads its files
 * once, keeping each with a gzipped copy. Files are looked up by their exact relative path
 * under the directory; anything that resolves outside it is never read.
 */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../../../web/dist/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.txt', '.webmanifest']);

export interface StaticFile {
  type: string;
  body: Buffer;
  gzip: Buffer | null;
}

export class WebFiles {
  private readonly cache = new Map<string, StaticFile>();
  constructor(readonly dir: string) {}

  /** Whether the app has been built (its index.html exists). */
  built(): boolean {
    return existsSync(join(this.dir, 'index.html'));
  }

  /** A file by its path under the directory ('assets/index-abc.js'), or null. */
  async get(path: string): Promise<StaticFile | null> {
    if (!/^[A-Za-z0-9_.\-/]{1,200}$/.test(path) || path.split('/').some((p) => p === '' || p.startsWith('.'))) return null;
    const cached = this.cache.get(path);
    if (cached) return cached;
    const root = resolve(this.dir);
    const full = resolve(root, path);
    let file: StaticFile | null = null;
    if (full.startsWith(root + sep)) {
      const info = await stat(full).catch(() => null);
      if (info?.isFile()) {
        const ext = extname(full).toLowerCase();
        const body = await readFile(full);
        file = { type: TYPES[ext] ?? 'application/octet-stream', body, gzip: COMPRESSIBLE.has(ext) && body.length > 1024 ? gzipSync(body, { level: 9 }) : null };
      }
    }
    // index.html changes with each build; everything else is named by its content hash. Misses
    // are not kept, so that requests for made-up paths cannot fill the memory.
    if (file && path !== 'index.html') this.cache.set(path, file);
    return file;
  }
}
