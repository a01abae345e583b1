import { compose, shutdown, createStaffUser, loadConfig, StaffError } from '@kennebec/server';
import { commandLogger, type CliIo } from '../io.ts';

/**
 * `kennebec staff create`: a staff user with an organization and roles, and the one-time link
 * (72 hours) by which they choose their password. The link is printed, not mailed, so that an
 * administrator can hand it over even before mail is set up.
 */
export async function staffCreateCommand(io: CliIo, opts: { org?: string | undefined; email: string; roles: string[]; name?: string | undefined }): Promise<number> {
  const config = loadConfig(io.env);
  const deps = await compose(config, { logger: commandLogger(io.env) });
  try {
    const created = await createStaffUser(
      { db: deps.db, baseUrl: config.baseUrl, now: deps.clock.now() },
      { email: opts.email, roles: opts.roles, orgId: opts.org ?? null, name: opts.name },
    );
    await deps.securityEvents.record({ type: 'staff.created', outcome: 'success', userId: created.id, method: 'cli', at: deps.clock.now() });
    io.err(`Staff user created. Send them this one-time link to choose a password (valid until ${created.setPasswordExpiresAt}):`);
    io.err(`  ${created.setPasswordUrl}`);
    io.out(JSON.stringify(created, null, 2));
    return 0;
  } catch (err) {
    if (!(err instanceof StaffError)) throw err;
    io.err(err.message);
    return 1;
  } finally {
    await shutdown(deps);
  }
}
