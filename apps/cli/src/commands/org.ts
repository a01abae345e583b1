import { compose, shutdown, createSource, DataSourceError, loadConfig } from '@kennebec/server';
import { commandLogger, type CliIo } from '../io.ts';
import { readCertificateFiles } from './source.ts';

export async function orgCreateCommand(io: CliIo, opts: { name: string; hl7Facility: string; oid?: string | undefined; tlsCerts?: string[] | undefined }): Promise<number> {
  const certificates = await readCertificateFiles(io, opts.tlsCerts ?? []);
  if (!certificates) return 1;
  const deps = await compose(loadConfig(io.env), { logger: commandLogger(io.env) });
  try {
    const { warnings, ...source } = await createSource(
      deps,
      { name: opts.name, hl7Facility: opts.hl7Facility, ...(opts.oid ? { oid: opts.oid } : {}), certificates },
      { now: deps.clock.now(), trustedCas: deps.config.mllpTls?.caCertificates },
    );
    for (const w of warnings) io.err(`warning: ${w}`);
    io.out(JSON.stringify(source, null, 2));
    return 0;
  } catch (err) {
    if (!(err instanceof DataSourceError)) throw err;
    io.err(err.message);
    return 1;
  } finally {
    await shutdown(deps);
  }
}
