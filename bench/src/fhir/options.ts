import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { SCENARIO_NAMES, type ScenarioName } from './scenarios.ts';

/** Command-line options of `npm run bench`; every default is chosen here. */
export type DbKind = 'postgres' | 'pglite';

export interface BenchOptions {
  db: DbKind;
  /** PostgreSQL server the bench creates `kennebec_bench` on (any database path is replaced). */
  serverUrl: string | undefined;
  /** PGlite data directory root (the server's DATA_DIR). */
  dataDir: string;
  patients: number;
  durationS: number;
  warmupS: number;
  concurrency: number;
  scenarios: ScenarioName[];
  out: string;
  skipLoad: boolean;
  keep: boolean;
}

export const BENCH_DATABASE = 'kennebec_bench';
export const LOCAL_POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';

export const USAGE = `Usage: npm run bench -- [options]

  --db postgres|pglite    database (default: postgres when DATABASE_URL/--database-url is set
                          or ${LOCAL_POSTGRES} answers, else pglite)
  --database-url URL      PostgreSQL server to use; the bench drops and creates '${BENCH_DATABASE}' on it
  --data-dir DIR          PGlite data directory (default: <tmp>/kennebec-bench-pglite)
  --patients N            synthetic patients to load (default 10000 on postgres, 1000 on pglite)
  --duration S            measured seconds per scenario (default 20)
  --warmup S              unmeasured warm-up seconds per scenario (default 2)
  --concurrency C         concurrent clients (default 10)
  --scenarios LIST        comma-separated, from ${SCENARIO_NAMES.join(',')} (default: all)
  --out FILE              JSON results (default bench/results/fhir-<db>-<date>.json)
  --skip-load             use the data already in the bench database, do not load
  --keep                  reuse the bench database when it already holds the population
  -h, --help              this help`;

export class UsageError extends Error {
  override name = 'UsageError';
}

function positiveInt(raw: string | undefined, name: string, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number ≥ ${min} (got '${raw}')`);
  return n;
}

/** True when a PostgreSQL server answers at `url` within two seconds. */
async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function stamp(d: Date): string {
  return d.toISOString().slice(0, 19).replace(/:/g, '-');
}

/** Parses argv; returns undefined when help was asked for. */
export async function parseOptions(argv: string[], env: NodeJS.ProcessEnv): Promise<BenchOptions | undefined> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      options: {
        db: { type: 'string' },
        'database-url': { type: 'string' },
        'data-dir': { type: 'string' },
        patients: { type: 'string' },
        duration: { type: 'string' },
        warmup: { type: 'string' },
        concurrency: { type: 'string' },
        scenarios: { type: 'string' },
        out: { type: 'string' },
        'skip-load': { type: 'boolean', default: false },
        keep: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  if (v.help) return undefined;

  const givenUrl = v['database-url'] ?? (env.DATABASE_URL || undefined);
  if (givenUrl !== undefined && !/^postgres(ql)?:\/\//.test(givenUrl)) {
    throw new UsageError(`--database-url / DATABASE_URL must start with postgres:// (got '${givenUrl}')`);
  }
  if (v.db !== undefined && v.db !== 'postgres' && v.db !== 'pglite') {
    throw new UsageError(`--db must be postgres or pglite (got '${v.db}')`);
  }
  const localAnswers = v.db === 'pglite' || givenUrl ? false : await postgresAnswers(LOCAL_POSTGRES);
  const db: DbKind = v.db ?? (givenUrl || localAnswers ? 'postgres' : 'pglite');
  if (db === 'postgres' && !givenUrl && !localAnswers) {
    throw new UsageError(`--db postgres: no PostgreSQL answers at ${LOCAL_POSTGRES}; pass --database-url or use --db pglite`);
  }
  const serverUrl = db === 'postgres' ? (givenUrl ?? LOCAL_POSTGRES) : undefined;

  const scenarios = (v.scenarios ?? SCENARIO_NAMES.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const s of scenarios) {
    if (!(SCENARIO_NAMES as readonly string[]).includes(s)) {
      throw new UsageError(`unknown scenario '${s}' (choose from ${SCENARIO_NAMES.join(', ')})`);
    }
  }
  if (scenarios.length === 0) throw new UsageError('--scenarios is empty');

  return {
    db,
    serverUrl,
    dataDir: v['data-dir'] ?? join(tmpdir(), 'kennebec-bench-pglite'),
    patients: positiveInt(v.patients, 'patients', db === 'postgres' ? 10_000 : 1_000),
    durationS: positiveInt(v.duration, 'duration', 20),
    warmupS: positiveInt(v.warmup, 'warmup', 2, 0),
    concurrency: positiveInt(v.concurrency, 'concurrency', 10),
    scenarios: scenarios as ScenarioName[],
    out: v.out ?? `bench/results/fhir-${db}-${stamp(new Date())}.json`,
    skipLoad: v['skip-load'],
    keep: v.keep,
  };
}

/** The URL of database `name` on the server of `url` (same credentials, host and options). */
export function databaseUrlFor(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}
