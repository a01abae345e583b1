import { parseArgs } from 'node:util';
import { ConfigError, DataDirLockedError } from './errors.ts';
import { auditVerifyCommand } from './commands/audit.ts';
import { clientCommand } from './commands/client.ts';
import { importCommand } from './commands/import.ts';
import { migrateCommand } from './commands/migrate.ts';
import { mpiReindexCommand } from './commands/mpi.ts';
import { orgCreateCommand } from './commands/org.ts';
import { seedCommand } from './commands/seed.ts';
import { sourceCertAddCommand, sourceCertListCommand, sourceCertRemoveCommand } from './commands/source.ts';
import { serveCommand } from './commands/serve.ts';
import { staffCreateCommand } from './commands/staff.ts';
import type { CliIo } from './io.ts';
import { demoCode } from '@kennebec/server';

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
  org create --name NAME --hl7-facility CODE [--oid OID] [--tls-cert PATH]…
                                        register an organization as a data source (with the client
                                        certificates it uses for MLLP over TLS); prints JSON with its id
  source cert add --org ORG_ID (--cert PATH | --fingerprint SHA256)…
                                        register client certificates of a source for MLLP over TLS
  source cert list [--org ORG_ID]       list sources' client certificates (fingerprint, subject, validity)
  source cert remove --org ORG_ID --fingerprint SHA256
                                        remove a client certificate from a source
  client create --name NAME --scope S [--org ORG_ID]
                                        register a system client; prints client_id and client_secret
  staff create --email E --role R [--role R2] [--org ORG_ID] [--name NAME]
                                        add a staff user; prints a one-time set-password link and JSON.
                                        Roles: front-desk nurse provider billing org-admin (need --org),
                                        hie-privacy-officer hie-admin
  import PATH [--org ORG_ID]            import FHIR Bundles (.json), NDJSON (.ndjson), HL7 v2 files and
                                        batches (.hl7) and C-CDA documents (.xml, from source ORG_ID)
  audit verify [--anchor SEQ:HASH]      recompute the audit trail's hash chain: OK with the count and
                                        head, or the first broken entry (exit code 1)
  demo-code                             the current TOTP code of the demo staff accounts (demo data only)
  mpi reindex                           rebuild the master patient index's matching keys and name
                                        frequencies for every linked Patient (after an upgrade that asks for it)

Configuration comes from the environment (see README): DATABASE_URL, DATA_DIR, BASE_URL, PORT, …`;

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serveCommand(io);
      case 'migrate':
        return await migrateCommand(io);
      case 'demo-code':
        io.out(demoCode(new Date()));
        return 0;
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
        const { values } = parseArgs({
          args,
          options: { name: { type: 'string' }, 'hl7-facility': { type: 'string' }, oid: { type: 'string' }, 'tls-cert': { type: 'string', multiple: true } },
        });
        if (!values.name || !values['hl7-facility']) {
          io.err('org create needs --name NAME and --hl7-facility CODE');
          return 2;
        }
        return await orgCreateCommand(io, { name: values.name, hl7Facility: values['hl7-facility'], oid: values.oid, tlsCerts: values['tls-cert'] });
      }
      case 'source': {
        const [sub, action, ...args] = rest;
        if (sub !== 'cert') break;
        const { values } = parseArgs({ args, options: { org: { type: 'string' }, cert: { type: 'string', multiple: true }, fingerprint: { type: 'string', multiple: true } } });
        const certs = values.cert ?? [];
        const fingerprints = values.fingerprint ?? [];
        if (action === 'list') return await sourceCertListCommand(io, { org: values.org });
        if (action === 'add') {
          if (!values.org || certs.length + fingerprints.length === 0) {
            io.err('source cert add needs --org ORG_ID and --cert PATH or --fingerprint SHA256');
            return 2;
          }
          return await sourceCertAddCommand(io, { org: values.org, certs, fingerprints });
        }
        if (action === 'remove') {
          if (!values.org || fingerprints.length !== 1 || certs.length > 0) {
            io.err('source cert remove needs --org ORG_ID and one --fingerprint SHA256');
            return 2;
          }
          return await sourceCertRemoveCommand(io, { org: values.org, fingerprint: fingerprints[0] as string });
        }
        break;
      }
      case 'staff': {
        const [sub, ...args] = rest;
        if (sub !== 'create') break;
        const { values } = parseArgs({
          args,
          options: { org: { type: 'string' }, email: { type: 'string' }, role: { type: 'string', multiple: true }, name: { type: 'string' } },
        });
        const roles = (values.role ?? []).flatMap((r) => r.split(',')).map((r) => r.trim()).filter((r) => r !== '');
        if (!values.email || roles.length === 0) {
          io.err('staff create needs --email EMAIL and at least one --role ROLE');
          return 2;
        }
        return await staffCreateCommand(io, { org: values.org, email: values.email, roles, name: values.name });
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
      case 'mpi': {
        const [sub, ...args] = rest;
        if (sub !== 'reindex' || args.length > 0) break;
        return await mpiReindexCommand(io);
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
