import type { ServerHandle } from './server.ts';
import { ServerStartError } from './server.ts';
import { UsageError } from './options.ts';

/**
 * The shell every benchmark runs in: parse options (usage errors exit 2, help exits 0), run,
 * and never leave a server behind: a graceful stop on SIGINT/SIGTERM and at the end, SIGKILL on
 * any other exit.
 */
export interface BenchMain<O> {
  name: string;
  usage: string;
  parse: () => Promise<O | undefined> | O | undefined;
  run: (opts: O, started: (server: ServerHandle) => void) => Promise<void>;
}

export async function benchMain<O>(bench: BenchMain<O>): Promise<number> {
  let server: ServerHandle | undefined;
  let opts: O | undefined;
  try {
    opts = await bench.parse();
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n\n${bench.usage}\n`);
      return 2;
    }
    throw err;
  }
  if (!opts) {
    process.stdout.write(`${bench.usage}\n`);
    return 0;
  }
  process.on('exit', () => server?.killNow());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping the server…\n`);
      void (server?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
    });
  }
  try {
    await bench.run(opts, (s) => (server = s));
    return 0;
  } catch (err) {
    const e = err as Error;
    process.stderr.write(`\n${bench.name} failed: ${e instanceof ServerStartError ? e.message : (e.stack ?? e.message)}\n`);
    return 1;
  } finally {
    if (server) {
      await server.stop();
      process.stdout.write('Server stopped.\n');
    }
  }
}
