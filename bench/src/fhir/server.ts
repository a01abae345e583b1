import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * The Kennebec server under test, as a child process (`node bin/kennebec.js serve`), so its RSS
 * and CPU are its own. A handle that is started is always stopped: on return, on error, on
 * Ctrl+C, and (with SIGKILL) when the bench process exits any other way.
 */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const KENNEBEC = fileURLToPath(new URL('../../../bin/kennebec.js', import.meta.url));

/** DATABASE_URL for PostgreSQL, DATA_DIR for PGlite. */
export type DbEnv = { DATABASE_URL: string } | { DATA_DIR: string };

export class ServerStartError extends Error {
  override name = 'ServerStartError';
}

function childEnv(db: DbEnv, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, SEED_DEMO: 'false', LOG_LEVEL: 'warn', ...extra, ...db };
  if (!('DATABASE_URL' in db)) delete env.DATABASE_URL;
  return env;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** `kennebec client create`: a system client with every scope. Run it while no server holds a PGlite directory. */
export async function registerClient(db: DbEnv): Promise<{ clientId: string; clientSecret: string }> {
  const args = [KENNEBEC, 'client', 'create', '--name', 'bench', '--scope', 'system/*.cruds'];
  const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
    execFile(process.execPath, args, { cwd: REPO_ROOT, env: childEnv(db), timeout: 120_000 }, (err, out, errOut) => {
      if (err) {
        const how = err.killed ? 'timed out' : `exit code ${String(err.code)}`;
        reject(new ServerStartError(`kennebec client create failed (${how}):\n${(errOut.trim() || out.trim()).slice(0, 4000)}`));
      }
      else resolve({ stdout: out, stderr: errOut });
    });
  });
  const id = /"client_id"\s*:\s*"([^"]+)"/.exec(stdout)?.[1];
  const secret = /"client_secret"\s*:\s*"([^"]+)"/.exec(stdout)?.[1];
  if (!id || !secret) throw new ServerStartError(`kennebec client create printed no credentials:\n${stdout}${stderr}`);
  return { clientId: id, clientSecret: secret };
}

export class ServerHandle {
  private exited: Promise<void>;
  private exitInfo: string | undefined;
  private readonly tail: string[] = [];

  constructor(
    readonly child: ChildProcess,
    readonly baseUrl: string,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = signal ? `signal ${signal}` : `exit code ${code}`;
        resolve();
      });
    });
    const keep = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) this.tail.push(line);
      if (this.tail.length > 60) this.tail.splice(0, this.tail.length - 60);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** The last lines the server printed. */
  output(): string {
    return this.tail.join('\n');
  }

  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
    if ((await Promise.race([this.exited.then(() => 'exited' as const), timer])) === 'timeout') {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }

  /** Synchronous last resort for process 'exit'. */
  killNow(): void {
    if (this.running) this.child.kill('SIGKILL');
  }

  /** Resolves when GET /healthz answers 200; rejects if the server exits or `timeoutMs` passes. */
  async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new ServerStartError(`the server exited during start (${this.exitInfo}). Its output:\n${this.output()}`);
      try {
        const res = await fetch(`${this.baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new ServerStartError(`the server did not answer GET /healthz with 200 within ${timeoutMs / 1000} s. Its output:\n${this.output()}`);
  }
}

export function spawnServer(db: DbEnv, port: number): ServerHandle {
  const child = spawn(process.execPath, [KENNEBEC, 'serve'], {
    cwd: REPO_ROOT,
    env: childEnv(db, { PORT: String(port), HOST: '127.0.0.1', BASE_URL: `http://127.0.0.1:${port}` }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new ServerHandle(child, `http://127.0.0.1:${port}`);
}

/** POST /oauth2/token, client_credentials with client_secret_post. */
export async function fetchToken(baseUrl: string, creds: { clientId: string; clientSecret: string }): Promise<string> {
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: creds.clientId,
    client_secret: creds.clientSecret,
    scope: 'system/*.cruds',
  });
  const res = await fetch(`${baseUrl}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  const text = await res.text();
  if (res.status !== 200) throw new ServerStartError(`POST /oauth2/token answered ${res.status}: ${text}`);
  const token = (JSON.parse(text) as { access_token?: unknown }).access_token;
  if (typeof token !== 'string') throw new ServerStartError(`POST /oauth2/token gave no access_token: ${text}`);
  return token;
}
