import type { FastifyInstance } from 'fastify';
import type { AppDeps } from './deps.ts';
import { buildApp } from './app.ts';
import { fhirApiFor, shutdown } from './compose.ts';
import { ingestDepsFor, startMllpServer, type RunningMllpServer } from './features/ingestion/index.ts';

/**
 * Starts listening and shuts down gracefully on SIGTERM/SIGINT: stop accepting, finish the
 * requests in flight, append the audit entries still buffered, then close the database (PGlite
 * flushes its data directory).
 */
export interface RunningServer {
  app: FastifyInstance;
  url: string;
  /** Port of the plain MLLP listener; null when it is turned off (`MLLP_PORT=off`). */
  mllpPort: number | null;
  /** Port of the MLLP over TLS listener; null unless TLS is configured. */
  mllpTlsPort: number | null;
  stop: () => Promise<void>;
}

export async function startServer(deps: AppDeps): Promise<RunningServer> {
  // One FHIR API serves HTTP and the MLLP listeners.
  const api = fhirApiFor(deps);
  const app = await buildApp(deps, api);
  await app.listen({ port: deps.config.port, host: deps.config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : deps.config.port;
  const ingest = { ...ingestDepsFor(deps, api.dispatch), logger: deps.logger };
  const listeners: RunningMllpServer[] = [];
  let mllp: RunningMllpServer | null = null;
  let mllpTls: RunningMllpServer | null = null;
  try {
    const { mllpPort, mllpTls: tls, host, bodyLimit } = deps.config;
    if (mllpPort !== null) listeners.push((mllp = await startMllpServer(ingest, { port: mllpPort, host, maxFrameBytes: bodyLimit })));
    if (tls) listeners.push((mllpTls = await startMllpServer(ingest, { port: tls.port, host, maxFrameBytes: bodyLimit, tls })));
  } catch (err) {
    // A port already taken: release what did start before failing.
    await Promise.all([app.close(), ...listeners.map((l) => l.close())]);
    throw err;
  }
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await Promise.all([app.close(), ...listeners.map((l) => l.close())]);
      await shutdown(deps);
    })();
    return stopping;
  };
  return { app, url: `http://localhost:${port}`, mllpPort: mllp?.port ?? null, mllpTlsPort: mllpTls?.port ?? null, stop };
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
