import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  addSourceCertificates,
  compose,
  shutdown,
  DataSourceError,
  DataSourceNotFoundError,
  listSourcesWithCertificates,
  loadConfig,
  removeSourceCertificate,
  type AppDeps,
  type CertificateInput,
} from '@kennebec/server';
import { commandLogger, type CliIo } from '../io.ts';

/**
 * `kennebec source cert add | list | remove`: the client certificates a data source presents on
 * the MLLP/TLS listener. Only the certificate's fingerprint and public facts are stored.
 */

/** Reads certificate files given on the command line; a file that cannot be read is named. */
export async function readCertificateFiles(io: CliIo, paths: string[]): Promise<CertificateInput[] | undefined> {
  const inputs: CertificateInput[] = [];
  for (const path of paths) {
    try {
      inputs.push({ pem: await readFile(resolve(path)) });
    } catch (err) {
      io.err(`Cannot read certificate file '${path}' (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      return undefined;
    }
  }
  return inputs;
}

async function withDeps(io: CliIo, fn: (deps: AppDeps) => Promise<number>): Promise<number> {
  const deps = await compose(loadConfig(io.env), { logger: commandLogger(io.env) });
  try {
    return await fn(deps);
  } catch (err) {
    if (!(err instanceof DataSourceError) && !(err instanceof DataSourceNotFoundError)) throw err;
    io.err(err.message);
    return 1;
  } finally {
    await shutdown(deps);
  }
}

export async function sourceCertAddCommand(io: CliIo, opts: { org: string; certs: string[]; fingerprints: string[] }): Promise<number> {
  const files = await readCertificateFiles(io, opts.certs);
  if (!files) return 1;
  const inputs: CertificateInput[] = [...files, ...opts.fingerprints.map((fingerprint) => ({ fingerprint }))];
  return withDeps(io, async (deps) => {
    const result = await addSourceCertificates(deps.db, opts.org, inputs, { now: deps.clock.now(), trustedCas: deps.config.mllpTls?.caCertificates });
    for (const w of result.warnings) io.err(`warning: ${w}`);
    io.out(JSON.stringify(result.certificates, null, 2));
    return 0;
  });
}

export async function sourceCertListCommand(io: CliIo, opts: { org?: string | undefined }): Promise<number> {
  return withDeps(io, async (deps) => {
    const sources = await listSourcesWithCertificates(deps.db);
    const wanted = opts.org ? sources.filter((s) => s.id === opts.org) : sources;
    if (opts.org && wanted.length === 0) throw new DataSourceNotFoundError(opts.org);
    const rows = wanted.map((s) => ({ orgId: s.id, name: s.name, hl7Facility: s.hl7Facility, certificates: s.certificates.map(({ orgId: _, ...c }) => c) }));
    io.out(JSON.stringify(rows, null, 2));
    return 0;
  });
}

export async function sourceCertRemoveCommand(io: CliIo, opts: { org: string; fingerprint: string }): Promise<number> {
  return withDeps(io, async (deps) => {
    await removeSourceCertificate(deps.db, opts.org, opts.fingerprint);
    io.out(`Removed certificate ${opts.fingerprint} from source ${opts.org}`);
    return 0;
  });
}
