import { parseArgs } from 'node:util';
import { ConfigError, DataDirLockedError } from './errors.ts';
import { auditVerifyCommand } from './commands/audit.ts';
import { clientCommand } from './commands/client.ts';
import { importCommand } from './commands/import.ts';
import { migrateCommand } from './commands/migrate.ts';
import { orgCreateCommand } from './commands/org.ts';
import { seedCommand } from './commands/seed.ts';
import { serveCommand } from './commands/serve.ts';
import type { CliIo } from './io.ts';

/**
 * `kennebec <command>`. Each command builds what it needs from the same configuration as the
 * server. On PGlite a command needs the server stopped (one process owns the data directory);
 * on PostgreSQL commands run at any time.
 */
const USAGE = `Usage: kennebec <command> [options]

Commands:
  serve                                 start the server (migrates, seeds demo data on first start)
  migrate                               apply pending database migrations
  seed [--patients N]                   load the demo organizations, patients and client
  org create --name NAME --hl7-facility CODE [--oid OID]
                                        register an organization as a data source; prints JSON with its id
  client create --name NAME --scope S [--org ORG_ID]
                                        register a system client; prints client_id and client_secret
  import PATH [--org ORG_ID]            import FHIR Bundles (.json), NDJSON (.ndjson), HL7 v2 files and
                                        batches (.hl7) and C-CDA documents (.xml, from source ORG_ID)
  audit verify [--anchor SEQ:HASH]      recompute the audit trail's hash chain: OK with the count and
                                        head, or the first broken entry (exit code 1)

Configuration comes from the environment (see README): DATABASE_URL, DATA_DIR, BASE_URL, PORT, …`;

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serveCommand(io);
      case 'migrate':
        return await migrateCommand(io);
      case 'seed': {
        const { values } = parseArgs({ args: rest, options: { patients: { type: 'string' } } });
        return await seedCommand(io, values.patients ? Number(values.patients) : undefined);
      }
      case 'client': {
        const [sub, ...args] = rest;
        if (sub !== 'create') break;
        const { values } = parseArgs({ args, options: { name: { type: 'string' }, scope: { type: 'string' }, org: { type: 'string' } } });
        if (!values.name || !values.scope) {
          io.err('client create needs --name NAME and --scope "SCOPES"');
          return 2;
        }
        return await clientCommand(io, { name: values.name, scope: values.scope, org: values.org });
      }
      case 'org': {
        const [sub, ...args] = rest;
        if (sub !== 'create') break;
        const { values } = parseArgs({ args, options: { name: { type: 'string' }, 'hl7-facility': { type: 'string' }, oid: { type: 'string' } } });
        if (!values.name || !values['hl7-facility']) {
          io.err('org create needs --name NAME and --hl7-facility CODE');
          return 2;
        }
        return await orgCreateCommand(io, { name: values.name, hl7Facility: values['hl7-facility'], oid: values.oid });
      }
      case 'import': {
        const { positionals, values } = parseArgs({ args: rest, allowPositionals: true, options: { org: { type: 'string' } } });
        if (positionals.length !== 1) {
          io.err('import needs exactly one PATH (a file or a folder)');
          return 2;
        }
        return await importCommand(io, positionals[0] as string, values.org);
      }
      case 'audit': {
        const [sub, ...args] = rest;
        if (sub !== 'verify') break;
        const { values } = parseArgs({ args, options: { anchor: { type: 'string' } } });
        return await auditVerifyCommand(io, values.anchor);
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      default:
        break;
    }
    io.err(`Unknown command: ${argv.join(' ')}\n\n${USAGE}`);
    return 2;
  } catch (err) {
    if (err instanceof ConfigError || err instanceof DataDirLockedError) {
      io.err(err.message);
      return 1;
    }
    if (err instanceof TypeError && (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
}
