import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { migrate, openDatabase, type Database, type QueryOptions, type Queryable, type Tx } from '@kennebec/db';
import { compose, createSource, loadConfig, startServer } from '@kennebec/server';
import { databaseUrlFor, LOCAL_POSTGRES, UsageError } from '../fhir/options.ts';
import { benchMain } from '../fhir/bench-main.ts';
import { adtA01, oruR01, readAck, realisticPatients, rng, type PatientRef } from './messages.ts';
import { MllpConnection } from './mllp-client.ts';

/**
 * Where an ingested message's time goes. The server runs in this process over a database handle
 * that counts and times every round trip (statements, BEGIN and COMMIT included). First one
 * MLLP connection sends ADT^A01 and ORU^R01 alternately, one at a time, so each message's
 * statements are its own; then N connections do the same at once, which adds the waits (row
 * and advisory locks, the pool). Prints round trips per message type, the statement shapes that
 * cost the most, and the time spent linking Patients to Persons (MPI) inside the write.
 *
 *   node bin/run-ts.js bench/src/ingest/profile.ts [--db postgres|pglite] [--messages 400] [--connections 4]
 */
const DATABASE = 'kennebec_bench_ingest_profile';
const USAGE = `Usage: node bin/run-ts.js bench/src/ingest/profile.ts [--db postgres|pglite] [--messages N] [--database-url URL]

  --db postgres|pglite   default postgres (${LOCAL_POSTGRES}; '${DATABASE}' is dropped and created), pglite in memory
  --messages N           messages of each type per connection (default 400); the first quarter warms up and is not counted
  --connections N        then the same with N connections at once (default 4; 1 skips it)
  --top N                statement shapes listed (default 12)`;

interface Options {
  db: 'postgres' | 'pglite';
  serverUrl: string;
  messages: number;
  connections: number;
  top: number;
}

interface Shape {
  count: number;
  ms: number;
}

/** Counts and times every round trip made through a database handle. */
class Counter {
  statements = 0;
  ms = 0;
  readonly shapes = new Map<string, Shape>();
  active = true;

  record(sql: string, ms: number): void {
    if (!this.active) return;
    this.statements++;
    this.ms += ms;
    const key = sql.replace(/\s+/g, ' ').trim().slice(0, 110);
    const s = this.shapes.get(key) ?? { count: 0, ms: 0 };
    s.count++;
    s.ms += ms;
    this.shapes.set(key, s);
  }

  async time<T>(sql: string, run: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await run();
    } finally {
      this.record(sql, performance.now() - t0);
    }
  }
}

function counting(db: Database, c: Counter): Database {
  const wrap = <Q extends Queryable>(q: Q): Queryable => ({
    query: <R>(sql: string, params?: readonly unknown[], options?: QueryOptions) => c.time(sql, () => q.query<R>(sql, params, options)),
    exec: (sql: string) => c.time(sql, () => q.exec(sql)),
  });
  const outer = wrap(db);
  return {
    dialect: db.dialect,
    query: outer.query,
    exec: outer.exec,
    close: () => db.close(),
    async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      // BEGIN and COMMIT (or ROLLBACK) are round trips too: counted, not timed.
      c.record('BEGIN', 0);
      try {
        return await db.transaction((tx) => fn({ ...wrap(tx), inTransaction: true }));
      } finally {
        c.record('COMMIT', 0);
      }
    },
  };
}

function parseOptions(): Options | undefined {
  let v;
  try {
    v = parseArgs({
      strict: true,
      options: {
        db: { type: 'string' },
        'database-url': { type: 'string' },
        messages: { type: 'string' },
        connections: { type: 'string' },
        top: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (v.help) return undefined;
  const db = v.db ?? 'postgres';
  if (db !== 'postgres' && db !== 'pglite') throw new UsageError(`--db must be postgres or pglite (got '${db}')`);
  const messages = Number(v.messages ?? 400);
  const top = Number(v.top ?? 12);
  const connections = Number(v.connections ?? 4);
  if (!Number.isInteger(connections) || connections < 1) throw new UsageError('--connections must be a whole number ≥ 1');
  if (!Number.isInteger(messages) || messages < 4) throw new UsageError('--messages must be a whole number ≥ 4');
  if (!Number.isInteger(top) || top < 0) throw new UsageError('--top must be a whole number ≥ 0');
  return { db, serverUrl: v['database-url'] ?? LOCAL_POSTGRES, messages, connections, top };
}

async function freshDatabase(opts: Options): Promise<Database> {
  if (opts.db === 'pglite') return openDatabase({});
  const admin = new pg.Client({ connectionString: databaseUrlFor(opts.serverUrl, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${DATABASE} with (force)`);
    await admin.query(`create database ${DATABASE}`);
  } finally {
    await admin.end();
  }
  return openDatabase({ databaseUrl: databaseUrlFor(opts.serverUrl, DATABASE) });
}

async function run(opts: Options): Promise<void> {
  const raw = await freshDatabase(opts);
  await migrate(raw);
  const counter = new Counter();
  counter.active = false;
  const db = counting(raw, counter);
  const config = loadConfig({ LOG_LEVEL: 'warn', SEED_DEMO: 'false', PORT: '0', MLLP_PORT: '0', HOST: '127.0.0.1' });
  const deps = await compose(config, { db, migrate: false });
  let mpiMs = 0;
  let mpiCalls = 0;
  const follower = deps.follower;
  if (follower) {
    deps.follower = {
      types: follower.types,
      async after(repo, tx, versions, ctx) {
        const t0 = performance.now();
        try {
          await follower.after(repo, tx, versions, ctx);
        } finally {
          if (counter.active) {
            mpiMs += performance.now() - t0;
            mpiCalls += versions.length;
          }
        }
      },
    };
  }
  await createSource(deps, { name: 'Profile Source', hl7Facility: 'PROFILE1' });
  const server = await startServer(deps);
  const out = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  const mpi = (): { ms: number; calls: number } => ({ ms: mpiMs, calls: mpiCalls });
  try {
    const mllpPort = server.mllpPort;
    if (mllpPort === null) throw new Error('The profile needs the MLLP listener (MLLP_PORT is off)');
    // 1. One connection: each message's round trips are its own.
    const sequential = await drive(mllpPort, counter, 1, opts.messages, mpi, 100);
    out(`Ingest profile (${opts.db}). One connection, ${sequential.adt.n} ADT^A01 and ${sequential.oru.n} ORU^R01 (after ${Math.floor(opts.messages / 4)} of each as warm-up):`);
    for (const [name, k] of [['ADT^A01', sequential.adt], ['ORU^R01', sequential.oru]] as const) {
      out(`  ${name}: ${(k.statements / k.n).toFixed(1)} round trips/message (BEGIN and COMMIT included), ${(k.dbMs / k.n).toFixed(2)} ms in statements, ${(k.wallMs / k.n).toFixed(2)} ms write→ACK`);
    }
    report(out, sequential, opts.top);
    // 2. Several connections at once: what waiting (row and advisory locks, the pool) adds.
    if (opts.connections > 1) {
      const concurrent = await drive(mllpPort, counter, opts.connections, opts.messages, mpi, 200);
      out(`\n${opts.connections} connections at once, ${concurrent.adt.n + concurrent.oru.n} messages counted: ${concurrent.rate.toFixed(0)} msgs/s (client and server share this process)`);
      for (const [name, k] of [['ADT^A01', concurrent.adt], ['ORU^R01', concurrent.oru]] as const) {
        out(`  ${name}: ${(k.wallMs / k.n).toFixed(2)} ms write→ACK on average`);
      }
      report(out, concurrent, opts.top);
    }
  } finally {
    await server.stop();
  }
}

interface KindFigures {
  n: number;
  statements: number;
  dbMs: number;
  wallMs: number;
}

interface DriveResult {
  adt: KindFigures;
  oru: KindFigures;
  rate: number;
  mpiMs: number;
  mpiPatients: number;
  shapes: Map<string, Shape>;
}

/**
 * `connections` MLLP connections, each alternating ADT^A01 (a new patient) and ORU^R01 (results
 * for the patient it admitted last) for `messages` messages of each type; the first quarter of
 * them is not counted.
 */
async function drive(port: number, counter: Counter, connections: number, messages: number, mpi: () => { ms: number; calls: number }, seed: number): Promise<DriveResult> {
  const figures = (): KindFigures => ({ n: 0, statements: 0, dbMs: 0, wallMs: 0 });
  const res = { adt: figures(), oru: figures() };
  const warmup = Math.floor(messages / 4);
  const run = Date.now().toString(36);
  let counted = 0;
  let counting = 0;
  let started = 0;
  let mpi0 = mpi();
  const begin = (): void => {
    counter.shapes.clear();
    counter.active = true;
    mpi0 = mpi();
    started = performance.now();
  };
  const conns = await Promise.all(Array.from({ length: connections }, () => MllpConnection.open('127.0.0.1', port)));
  try {
    await Promise.all(
      conns.map(async (conn, c) => {
        // Distinct people on every connection and in every phase: each ADT^A01 admits someone new.
        const people = realisticPatients(seed + c, `P${run}${c}-`);
        const r = rng(seed + c);
        let last: PatientRef | undefined;
        for (let i = 0; i < messages * 2; i++) {
          const kind = i % 2 === 0 ? 'adt' : 'oru';
          const controlId = `PRF-${run}-${c}-${i}`;
          if (i === warmup * 2 && ++counting === connections) begin();
          let message: string;
          if (kind === 'adt' || !last) {
            last = (people.next().value as (mrn: string) => PatientRef)(`M${i}`);
            message = adtA01('PROFILE1', controlId, last, new Date());
          } else message = oruR01('PROFILE1', controlId, last, 5 + Math.floor(r() * 6), new Date(), r);
          const s0 = counter.statements;
          const d0 = counter.ms;
          const { ack, ms } = await conn.send(message);
          const { code, error } = readAck(ack);
          if (code !== 'AA') throw new Error(`${kind} ${controlId}: ${code} ${error ?? ''}`);
          if (counter.active && i >= warmup * 2) {
            const k = res[kind];
            k.n++;
            counted++;
            // With one connection the statements between send and ACK are this message's own.
            k.statements += counter.statements - s0;
            k.dbMs += counter.ms - d0;
            k.wallMs += ms;
          }
        }
      }),
    );
  } finally {
    for (const conn of conns) conn.close();
  }
  const seconds = (performance.now() - started) / 1000;
  counter.active = false;
  const m = mpi();
  return { ...res, rate: counted / seconds, mpiMs: m.ms - mpi0.ms, mpiPatients: m.calls - mpi0.calls, shapes: new Map(counter.shapes) };
}

function report(out: (line: string) => void, r: DriveResult, top: number): void {
  const n = r.adt.n + r.oru.n;
  out(`  MPI linking (inside the write, waits for its lock included): ${r.mpiPatients} Patients linked, ${r.mpiPatients > 0 ? (r.mpiMs / r.mpiPatients).toFixed(2) : '-'} ms each, ${(r.mpiMs / n).toFixed(2)} ms per message on average`);
  if (top === 0) return;
  out(`  count/msg    ms/msg  statement (time from send to result, waits included)`);
  const shapes = [...r.shapes.entries()].sort((a, b) => b[1].ms - a[1].ms || b[1].count - a[1].count).slice(0, top);
  for (const [sql, s] of shapes) out(`  ${(s.count / n).toFixed(2).padStart(9)}  ${(s.ms / n).toFixed(3).padStart(8)}  ${sql}`);
}

process.exit(await benchMain({ name: 'ingest profile', usage: USAGE, parse: parseOptions, run: (o) => run(o) }));
