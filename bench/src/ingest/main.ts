import { benchMain } from '../fhir/bench-main.ts';
import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { databaseUrlFor, LOCAL_POSTGRES, UsageError, type DbKind } from '../fhir/options.ts';
import { cpuSeconds, machineBusySeconds, postgresCpu, postgresCpuDelta, RssSampler } from '../fhir/proc.ts';
import { machineInfo, percentile } from '../fhir/report.ts';
import { freePort, ServerStartError, spawnServer, type DbEnv, type ServerHandle } from '../fhir/server.ts';
import { adtA01, MESSAGE_KINDS, MESSAGE_TYPE, oruR01, readAck, realisticPatients, rng, type MessageKind, type PatientRef } from './messages.ts';
import { MllpConnection } from './mllp-client.ts';

/**
 * HL7 v2 ingest benchmark: ADT^A01 and ORU^R01 end to end over MLLP (the ACK comes after the
 * commit) into a throw-away database, with N source connections each sending one message at a
 * time. Prints a table and writes JSON; targets are reported, never asserted. Exits non-zero
 * only when the bench itself could not run.
 *
 *   node bin/run-ts.js bench/src/ingest/main.ts [--db postgres|pglite] [--duration 20] [--connections 4] [--mix adt,oru]
 */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const KENNEBEC = fileURLToPath(new URL('../../../bin/kennebec.js', import.meta.url));
const BENCH_DATABASE = 'kennebec_bench_ingest';
const TARGET_MPS = 1000;
const TARGET_P99_MS = 50;

const USAGE = `Usage: node bin/run-ts.js bench/src/ingest/main.ts [options]

  --db postgres|pglite   database (default postgres: ${LOCAL_POSTGRES}; '${BENCH_DATABASE}' is dropped and created)
  --database-url URL     another PostgreSQL server to create '${BENCH_DATABASE}' on
  --data-dir DIR         PGlite data directory, deleted and recreated (default <tmp>/kennebec-bench-ingest-pglite)
  --duration S           measured seconds (default 20)
  --warmup S             unmeasured warm-up seconds before (default 2)
  --connections N        concurrent MLLP source connections, one registered source each (default 4)
  --mix LIST             message types each connection cycles through, from adt,oru (default adt,oru)
  --out FILE             JSON results (default bench/results/ingest-<db>-<date>.json)
  -h, --help             this help`;

interface Options {
  db: DbKind;
  serverUrl: string | undefined;
  dataDir: string;
  durationS: number;
  warmupS: number;
  connections: number;
  mix: MessageKind[];
  out: string;
}

const log = (s: string): void => {
  process.stdout.write(`${s}\n`);
};

function wholeNumber(raw: string | undefined, name: string, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number ≥ ${min} (got '${raw}')`);
  return n;
}

function parseOptions(argv: string[]): Options | undefined {
  let v;
  try {
    v = parseArgs({
      args: argv,
      strict: true,
      options: {
        db: { type: 'string' },
        'database-url': { type: 'string' },
        'data-dir': { type: 'string' },
        duration: { type: 'string' },
        warmup: { type: 'string' },
        connections: { type: 'string' },
        mix: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (v.help) return undefined;
  const db = v.db ?? 'postgres';
  if (db !== 'postgres' && db !== 'pglite') throw new UsageError(`--db must be postgres or pglite (got '${db}')`);
  const url = v['database-url'] ?? LOCAL_POSTGRES;
  if (!/^postgres(ql)?:\/\//.test(url)) throw new UsageError(`--database-url must start with postgres:// (got '${url}')`);
  const mix = (v.mix ?? 'adt,oru').split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
  for (const m of mix) if (!(MESSAGE_KINDS as readonly string[]).includes(m)) throw new UsageError(`--mix: unknown type '${m}' (choose from adt, oru)`);
  if (mix.length === 0) throw new UsageError('--mix is empty');
  const stamp = new Date().toISOString().slice(0, 19).replace(/:/g, '-');
  return {
    db,
    serverUrl: db === 'postgres' ? url : undefined,
    dataDir: v['data-dir'] ?? join(tmpdir(), 'kennebec-bench-ingest-pglite'),
    durationS: wholeNumber(v.duration, 'duration', 20, 1),
    warmupS: wholeNumber(v.warmup, 'warmup', 2, 0),
    connections: wholeNumber(v.connections, 'connections', 4, 1),
    mix: mix as MessageKind[],
    out: v.out ?? `bench/results/ingest-${db}-${stamp}.json`,
  };
}

/** Drops and creates the bench database (PostgreSQL) or empties the data directory (PGlite). */
async function freshDatabase(opts: Options): Promise<DbEnv> {
  if (opts.db === 'pglite') {
    await rm(opts.dataDir, { recursive: true, force: true });
    return { DATA_DIR: opts.dataDir };
  }
  const server = opts.serverUrl as string;
  const admin = new pg.Client({ connectionString: databaseUrlFor(server, 'postgres'), connectionTimeoutMillis: 5000 });
  admin.on('error', () => undefined);
  try {
    await admin.connect();
    await admin.query(`drop database if exists ${BENCH_DATABASE} with (force)`);
    await admin.query(`create database ${BENCH_DATABASE}`);
  } catch (err) {
    throw new ServerStartError(`cannot create database ${BENCH_DATABASE} on ${new URL(server).host}: ${(err as Error).message}`);
  } finally {
    await admin.end().catch(() => undefined);
  }
  return { DATABASE_URL: databaseUrlFor(server, BENCH_DATABASE) };
}

/** `kennebec org create`: one data source per connection. Run while no server holds a PGlite directory. */
async function registerSource(db: DbEnv, name: string, facility: string): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env, SEED_DEMO: 'false', LOG_LEVEL: 'warn', ...db };
  if (!('DATABASE_URL' in db)) delete env.DATABASE_URL;
  await new Promise<void>((resolve, reject) => {
    execFile(process.execPath, [KENNEBEC, 'org', 'create', '--name', name, '--hl7-facility', facility], { cwd: REPO_ROOT, env, timeout: 120_000 }, (err, out, errOut) => {
      if (err) reject(new ServerStartError(`kennebec org create --hl7-facility ${facility} failed (${err.killed ? 'timed out' : `exit code ${String(err.code)}`}):\n${(errOut.trim() || out.trim()).slice(0, 4000)}`));
      else resolve();
    });
  });
}

interface KindStats {
  latencies: number[];
  sent: number;
  codes: Record<string, number>;
  firstError?: string;
}

interface ConnectionOutcome {
  stats: Record<MessageKind, KindStats>;
  /** Set when the connection broke (timeout, server closed it). */
  failure?: string;
}

/**
 * CPU of the PostgreSQL backends connected to the bench database, sampled every 500 ms so that
 * connections the pool opens or closes during the window are counted (a backend seen first
 * after the start counts from zero; one that exits counts up to its last sample).
 */
class BackendCpu {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private readonly bornLater = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> = Promise.resolve();

  private constructor(private readonly client: pg.Client) {}

  static async open(db: DbEnv): Promise<BackendCpu | undefined> {
    if (!('DATABASE_URL' in db)) return undefined;
    const client = new pg.Client({ connectionString: db.DATABASE_URL, connectionTimeoutMillis: 5000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return new BackendCpu(client);
    } catch {
      return undefined;
    }
  }

  private async sample(initial: boolean): Promise<void> {
    try {
      const res = await this.client.query<{ pid: number }>('select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()');
      for (const { pid } of res.rows) {
        const s = await cpuSeconds(Number(pid));
        if (s === undefined) continue;
        if (!this.first.has(pid)) {
          this.first.set(pid, s);
          if (!initial) this.bornLater.add(pid);
        }
        this.last.set(pid, s);
      }
    } catch {
      // a sample lost; the next one counts
    }
  }

  async start(): Promise<void> {
    await this.sample(true);
    this.timer = setInterval(() => (this.sampling = this.sampling.then(() => this.sample(false))), 500);
  }

  /** CPU seconds used since start(). */
  async stop(): Promise<number> {
    clearInterval(this.timer);
    await this.sampling;
    await this.sample(false);
    await this.client.end().catch(() => undefined);
    let total = 0;
    for (const [pid, s] of this.last) total += s - (this.bornLater.has(pid) ? 0 : (this.first.get(pid) ?? s));
    return total;
  }
}

const emptyStats = (): Record<MessageKind, KindStats> => ({
  adt: { latencies: [], sent: 0, codes: {} },
  oru: { latencies: [], sent: 0, codes: {} },
});

/**
 * One source: cycles through the mix until `stopAt`. An ORU goes to a patient this connection
 * admitted (round robin over its last 50 admissions), or to a new MRN when it has none (--mix oru).
 */
async function runConnection(conn: MllpConnection, index: number, facility: string, mix: MessageKind[], stopAt: number, state: { seq: number; patients: PatientRef[]; run: string }): Promise<ConnectionOutcome> {
  const stats = emptyStats();
  const r = rng(1000 + index);
  const people = realisticPatients(5000 + index, `${state.run}${index}-`);
  let step = 0;
  try {
    while (performance.now() < stopAt) {
      const kind = mix[step++ % mix.length] as MessageKind;
      const seq = ++state.seq;
      const controlId = `${state.run}${index}-${seq}`;
      const now = new Date();
      let message: string;
      let admitted: PatientRef | undefined;
      if (kind === 'adt' || state.patients.length === 0) {
        const p = (people.next().value as (mrn: string) => PatientRef)(`M${seq}`);
        if (kind === 'adt') admitted = p;
        message = kind === 'adt' ? adtA01(facility, controlId, p, now) : oruR01(facility, controlId, p, 5 + Math.floor(r() * 6), now, r);
      } else {
        const p = state.patients[seq % state.patients.length] as PatientRef;
        message = oruR01(facility, controlId, p, 5 + Math.floor(r() * 6), now, r);
      }
      const s = stats[kind];
      s.sent++;
      const { ack, ms } = await conn.send(message);
      const { code, error } = readAck(ack);
      s.codes[code] = (s.codes[code] ?? 0) + 1;
      if (code === 'AA') {
        s.latencies.push(ms);
        if (admitted) {
          state.patients.push(admitted);
          if (state.patients.length > 50) state.patients.shift();
        }
      } else if (s.firstError === undefined) s.firstError = `${code}: ${error ?? ''}`;
    }
    return { stats };
  } catch (err) {
    return { stats, failure: (err as Error).message };
  }
}

interface Row {
  type: string;
  messages: number;
  aa: number;
  errors: number;
  codes: Record<string, number>;
  msgsPerS: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  firstError?: string;
}

const round = (n: number, d = 2): number => (Number.isFinite(n) ? Math.round(n * 10 ** d) / 10 ** d : n);

function row(type: string, parts: KindStats[], seconds: number): Row {
  const lat = Float64Array.from(parts.flatMap((p) => p.latencies)).sort();
  const codes: Record<string, number> = {};
  for (const p of parts) for (const [c, n] of Object.entries(p.codes)) codes[c] = (codes[c] ?? 0) + n;
  const messages = parts.reduce((a, p) => a + p.sent, 0);
  const aa = codes.AA ?? 0;
  const firstError = parts.find((p) => p.firstError !== undefined)?.firstError;
  return {
    type,
    messages,
    aa,
    errors: messages - aa,
    codes,
    msgsPerS: round(aa / seconds, 1),
    latencyMs: {
      p50: round(percentile(lat, 50)),
      p90: round(percentile(lat, 90)),
      p99: round(percentile(lat, 99)),
      max: round(lat.length > 0 ? (lat[lat.length - 1] as number) : Number.NaN),
      mean: round(lat.length > 0 ? lat.reduce((a, b) => a + b, 0) / lat.length : Number.NaN),
    },
    ...(firstError !== undefined ? { firstError } : {}),
  };
}

function formatTable(rows: Row[]): string {
  const fmt = (n: number, d: number): string => (Number.isFinite(n) ? n.toFixed(d) : '-');
  const cells = [['type', 'messages', 'msgs/s', 'p50 ms', 'p99 ms', 'max ms', 'errors'], ...rows.map((r) => [r.type, String(r.messages), fmt(r.msgsPerS, 1), fmt(r.latencyMs.p50, 2), fmt(r.latencyMs.p99, 2), fmt(r.latencyMs.max, 1), r.errors === 0 ? '0' : `${r.errors} (${Object.entries(r.codes).filter(([c]) => c !== 'AA').map(([c, n]) => `${c}×${n}`).join(', ')})`])];
  const widths = (cells[0] as string[]).map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]): string => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  ');
  const [head, ...body] = cells;
  return [line(head as string[]), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}


async function run(opts: Options, started: (server: ServerHandle) => void): Promise<void> {
  const startedAt = new Date().toISOString();
  log(`Kennebec HL7 v2 ingest bench: ${opts.db}, ${opts.connections} MLLP connections, mix ${opts.mix.join(',')}, ${opts.durationS} s (+${opts.warmupS} s warm-up)`);

  const dbEnv = await freshDatabase(opts);
  log(opts.db === 'postgres' ? `Database: ${BENCH_DATABASE} on ${new URL(opts.serverUrl as string).host} (dropped and created)` : `Database: PGlite in ${opts.dataDir} (fresh)`);
  // Sources are registered before the server starts: on PGlite one process owns the data directory.
  const facilities = Array.from({ length: opts.connections }, (_, i) => `BENCH${i + 1}`);
  const t0 = performance.now();
  for (const [i, f] of facilities.entries()) await registerSource(dbEnv, `Bench Source ${i + 1}`, f);
  log(`Registered ${facilities.length} sources (${facilities.join(', ')}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const port = await freePort();
  const mllpPort = await freePort();
  const t1 = performance.now();
  // spawnServer spreads the DbEnv into the child's environment last, so MLLP_PORT rides along.
  const withMllp = { ...dbEnv, MLLP_PORT: String(mllpPort) };
  const srv = spawnServer(withMllp, port);
  started(srv);
  await srv.waitHealthy(180_000);
  const serverStartSeconds = (performance.now() - t1) / 1000;
  log(`Server up at ${srv.baseUrl} (pid ${srv.pid}), MLLP on 127.0.0.1:${mllpPort}, in ${serverStartSeconds.toFixed(1)} s`);

  const conns: MllpConnection[] = [];
  try {
    for (let i = 0; i < opts.connections; i++) conns.push(await MllpConnection.open('127.0.0.1', mllpPort));
    const run = Date.now().toString(36).slice(-5).toUpperCase();
    const states = conns.map(() => ({ seq: 0, patients: [] as PatientRef[], run }));
    const all = (stopAt: number): Promise<ConnectionOutcome[]> =>
      Promise.all(conns.map((c, i) => runConnection(c, i + 1, facilities[i] as string, opts.mix, stopAt, states[i] as (typeof states)[number])));
    const breakage = (outcomes: ConnectionOutcome[]): string | undefined => outcomes.find((o) => o.failure)?.failure;

    if (opts.warmupS > 0) {
      log(`Warm-up ${opts.warmupS} s…`);
      const w = await all(performance.now() + opts.warmupS * 1000);
      const broken = breakage(w);
      if (broken) throw new ServerStartError(`a connection broke during warm-up: ${broken}\nServer output:\n${srv.output()}`);
    }

    log(`Measuring ${opts.durationS} s…`);
    // Local: loopback TCP, or a Unix socket directory (postgres://user@%2Fvar%2Frun%2Fpostgresql).
    const localPostgres = opts.serverUrl !== undefined && /^(127\.|localhost$|\[::1\]$|%2F)/i.test(new URL(opts.serverUrl).hostname);
    const sampler = new RssSampler(srv.pid, 250);
    const srvCpu0 = await cpuSeconds(srv.pid);
    const pgCpu0 = localPostgres ? await postgresCpu() : undefined;
    // The backends serving the bench database: their CPU is this run's alone, whatever else uses the server.
    const backends = localPostgres ? await BackendCpu.open(dbEnv) : undefined;
    await backends?.start();
    const all0 = await machineBusySeconds();
    const cli0 = process.cpuUsage();
    sampler.start();
    const started = performance.now();
    const outcomes = await all(started + opts.durationS * 1000);
    const seconds = (performance.now() - started) / 1000;
    const rss = sampler.stop();
    const cli = process.cpuUsage(cli0);
    const all1 = await machineBusySeconds();
    const srvCpu1 = await cpuSeconds(srv.pid);
    const pgCpu1 = localPostgres ? await postgresCpu() : undefined;
    const backendSeconds = backends ? await backends.stop() : undefined;
    const failures = outcomes.map((o) => o.failure).filter((f): f is string => f !== undefined);

    const perCore = (s: number | undefined): number | null => (s === undefined ? null : round(s / seconds));
    const cpu = {
      server: perCore(srvCpu0 !== undefined && srvCpu1 !== undefined ? srvCpu1 - srvCpu0 : undefined),
      postgres: perCore(postgresCpuDelta(pgCpu0, pgCpu1)),
      postgresBackends: perCore(backendSeconds),
      client: round((cli.user + cli.system) / 1e6 / seconds),
      machine: perCore(all0 !== undefined && all1 !== undefined ? all1 - all0 : undefined),
    };
    /** Busy CPU not accounted to server, PostgreSQL or this client: anything else running on the machine. */
    const otherCores = cpu.machine === null ? null : round(Math.max(0, cpu.machine - (cpu.server ?? 0) - (cpu.postgres ?? 0) - cpu.client));
    const kinds = MESSAGE_KINDS.filter((k) => opts.mix.includes(k));
    const rows = kinds.map((k) => row(MESSAGE_TYPE[k], outcomes.map((o) => o.stats[k]), seconds));
    const total = row('total', outcomes.flatMap((o) => kinds.map((k) => o.stats[k])), seconds);
    const rssMaxMb = rss.maxBytes !== undefined ? round(rss.maxBytes / 1024 / 1024, 1) : null;
    const rssMeanMb = rss.meanBytes !== undefined ? round(rss.meanBytes / 1024 / 1024, 1) : null;
    const met = { throughput: total.errors === 0 && failures.length === 0 && total.msgsPerS >= TARGET_MPS, p99: total.latencyMs.p99 <= TARGET_P99_MS };

    const f = (n: number | null): string => (n === null ? '-' : n.toFixed(2));
    log(`\n${formatTable([...rows, total])}`);
    log(`measured ${seconds.toFixed(1)} s; msgs/s counts AA-acknowledged messages; latency = write to ACK, AA only`);
    log(`total ${total.msgsPerS.toFixed(1)} msgs/s (target ≥${TARGET_MPS}: ${met.throughput ? 'met' : 'NOT met'}), p99 ACK ${total.latencyMs.p99.toFixed(2)} ms (target ≤${TARGET_P99_MS}: ${met.p99 ? 'met' : 'NOT met'})`);
    log(`server RSS max ${rssMaxMb ?? '-'} MB, mean ${rssMeanMb ?? '-'} MB (${rss.samples} samples)`);
    log(`CPU in cores (this machine has ${cpus().length}): server ${f(cpu.server)} / PostgreSQL ${opts.db === 'postgres' ? `${f(cpu.postgres)} (backends of the bench database ${f(cpu.postgresBackends)})` : 'in server (PGlite)'} / client ${f(cpu.client)} / whole machine ${f(cpu.machine)} (other processes ${f(otherCores)})`);
    const perMessage = (cores: number | null): string => (cores === null || total.aa === 0 ? '-' : ((cores * seconds * 1000) / total.aa).toFixed(2));
    log(`CPU per message in ms: server ${perMessage(cpu.server)}${opts.db === 'postgres' ? ` + PostgreSQL backends ${perMessage(cpu.postgresBackends)}` : ''}`);
    for (const r of [...rows]) if (r.firstError) log(`first non-AA ${r.type}: ${r.firstError.replace(/\r/g, ' ')}`);
    for (const fl of failures) log(`connection failure: ${fl}`);
    if (!srv.running) log(`the server exited during the run. Its output:\n${srv.output()}`);

    await mkdir(dirname(opts.out), { recursive: true });
    await writeFile(
      opts.out,
      `${JSON.stringify(
        {
          kind: 'kennebec-ingest-bench',
          startedAt,
          finishedAt: new Date().toISOString(),
          machine: machineInfo(),
          database: { kind: opts.db, ...(opts.db === 'postgres' ? { name: BENCH_DATABASE } : { dataDir: opts.dataDir }) },
          options: { durationS: opts.durationS, warmupS: opts.warmupS, connections: opts.connections, mix: opts.mix },
          serverStartSeconds: round(serverStartSeconds),
          seconds: round(seconds),
          results: rows,
          total,
          serverRssMb: { max: rssMaxMb, mean: rssMeanMb, samples: rss.samples },
          cpuCores: { ...cpu, other: otherCores },
          cpuMsPerMessage: { server: cpu.server === null ? null : round((cpu.server * seconds * 1000) / Math.max(total.aa, 1)), postgresBackends: cpu.postgresBackends === null ? null : round((cpu.postgresBackends * seconds * 1000) / Math.max(total.aa, 1)) },
          connectionFailures: failures,
          target: { msgsPerS: TARGET_MPS, p99Ms: TARGET_P99_MS, met },
        },
        null,
        2,
      )}\n`,
    );
    log(`\nResults written to ${opts.out}`);
  } finally {
    for (const c of conns) c.close();
  }
}

process.exit(await benchMain({ name: 'ingest bench', usage: USAGE, parse: () => parseOptions(process.argv.slice(2)), run }));
