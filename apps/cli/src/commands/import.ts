import { compose, shutdown, importPath, ingestDepsFor, loadConfig, fhirApiFor } from '@kennebec/server';
import { commandLogger, type CliIo } from '../io.ts';

export async function importCommand(io: CliIo, path: string, orgId?: string): Promise<number> {
  const deps = await compose(loadConfig(io.env), { logger: commandLogger(io.env) });
  try {
    const started = Date.now();
    const api = fhirApiFor(deps);
    const report = await importPath(
      { ...api, ...ingestDepsFor(deps, api.dispatch), store: deps.store, orgId, maxBytes: deps.config.bodyLimit },
      { kind: 'system', origin: 'cli:import' },
      path,
    );
    const seconds = (Date.now() - started) / 1000;
    io.out(JSON.stringify({ files: report.files, bundles: report.bundles, resources: report.resources, failed: report.failed.length, seconds }, null, 2));
    for (const f of report.failed.slice(0, 50)) {
      io.err(`${f.file}${f.line !== undefined ? `:${f.line}` : ''}${f.entry !== undefined ? ` entry ${f.entry}` : ''}: ${f.message}`);
    }
    if (report.failed.length > 50) io.err(`… and ${report.failed.length - 50} more failures`);
    return report.failed.length > 0 ? 1 : 0;
  } finally {
    await shutdown(deps);
  }
}
