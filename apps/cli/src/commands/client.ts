import { compose, shutdown, createClient, loadConfig } from '@kennebec/server';
import { commandLogger, type CliIo } from '../io.ts';

export async function clientCommand(io: CliIo, opts: { name: string; scope: string; org?: string | undefined }): Promise<number> {
  const deps = await compose(loadConfig(io.env), { logger: commandLogger(io.env) });
  try {
    const client = await createClient(deps.db, { name: opts.name, scopes: opts.scope, ...(opts.org ? { orgId: opts.org } : {}) });
    io.out(JSON.stringify(client, null, 2));
    return 0;
  } catch (err) {
    // The foreign key names a source that is not registered.
    const unknownOrg = (err as { code?: string }).code === '23503';
    io.err(unknownOrg ? `No data source with id '${opts.org ?? ''}' (see: kennebec org create)` : (err as Error).message);
    return 1;
  } finally {
    await shutdown(deps);
  }
}
