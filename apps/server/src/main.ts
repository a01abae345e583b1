import type { FastifyInstance } from 'fastify';
import type { AppDeps } from './deps.ts';
import { buildApp } from './app.ts';
import { fhirApiFor, shutdown } from './compose.ts';
import { ingestDepsFor, startMllpServer } from './features/ingestion/index.ts';

/**
 * Starts listening and shuts down gracefully on SIGTERM/SIGINT: stop accepting, finish the
 * requests in flight, append the audit entries still buffered, then close the database (PGlite
 * flushes its data directory).
 */
export interface RunningServer {
  app: FastifyInstance;
  url: string;
  mllpPort: number;
  stop: () => Promise<void>;
}

export async function startServer(deps: AppDeps): Promise<RunningServer> {
  // One FHIR API serves HTTP and the MLLP listener.
  const api = fhirApiFor(deps);
  const app = await buildApp(deps, api);
  await app.listen({ port: deps.config.port, host: deps.config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : deps.config.port;
  const mllp = await startMllpServer(
    { ...ingestDepsFor(deps, api.dispatch), logger: deps.logger },
    { port: deps.config.mllpPort, host: deps.config.host, maxFrameBytes: deps.config.bodyLimit },
  );
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await Promise.all([app.close(), mllp.close()]);
      await shutdown(deps);
    })();
    return stopping;
  };
  return { app, url: `http://localhost:${port}`, mllpPort: mllp.port, stop };
}

export function stopOnSignals(server: RunningServer, log: (msg: string) => void): void {
  const onSignal = (signal: NodeJS.Signals): void => {
    log(`${signal} received, shutting down`);
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
