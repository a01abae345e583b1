import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem, platform, release } from 'node:os';
import { dirname } from 'node:path';
import type { RunStats } from './client.ts';
import type { LoadReport } from './load.ts';
import type { BenchOptions } from './options.ts';
import type { Scenario } from './scenarios.ts';

/** Figures of one scenario, the table printed at the end and the JSON file. */
export const RSS_TARGET_MB = 200;

export interface ScenarioResult {
  scenario: string;
  title: string;
  requests: number;
  errors: number;
  errorStatuses: Record<string, number>;
  firstError?: { status: number; body: string };
  seconds: number;
  /** Successful (2xx) requests per second. */
  rps: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  serverRssMb: { max: number | null; mean: number | null; samples: number };
  /**
   * CPU used during the measured window, in cores (2.0 = both cores of a 2-core machine busy):
   * the server, PostgreSQL, this bench process, and the whole machine (anything else running
   * shows as machine minus the other three).
   */
  cpuCores: { server: number | null; postgres: number | null; client: number; machine: number | null };
  meanMatchesPerSearch?: number;
  target: { rps: number; met: boolean; rssMb: number; rssMet: boolean | null };
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] as number;
}

const round = (n: number, d = 2): number => Math.round(n * 10 ** d) / 10 ** d;

export function summarize(
  scenario: Scenario,
  stats: RunStats,
  rss: { maxBytes: number | undefined; meanBytes: number | undefined; samples: number },
  cpu: { server: number | undefined; postgres: number | undefined; client: number; machine: number | undefined },
): ScenarioResult {
  const l = stats.latenciesMs;
  const ok = stats.requests - stats.errors;
  const rps = ok / stats.elapsedS;
  const mean = l.length > 0 ? l.reduce((a, b) => a + b, 0) / l.length : Number.NaN;
  const maxMb = rss.maxBytes !== undefined ? rss.maxBytes / 1024 / 1024 : null;
  const perCore = (s: number | undefined): number | null => (s === undefined ? null : round(s / stats.elapsedS));
  return {
    scenario: scenario.name,
    title: scenario.title,
    requests: stats.requests,
    errors: stats.errors,
    errorStatuses: stats.errorStatuses,
    ...(stats.firstError ? { firstError: stats.firstError } : {}),
    seconds: round(stats.elapsedS),
    rps: round(rps, 1),
    latencyMs: {
      p50: round(percentile(l, 50)),
      p90: round(percentile(l, 90)),
      p99: round(percentile(l, 99)),
      max: round(l.length > 0 ? (l[l.length - 1] as number) : Number.NaN),
      mean: round(mean),
    },
    serverRssMb: {
      max: maxMb === null ? null : round(maxMb, 1),
      mean: rss.meanBytes !== undefined ? round(rss.meanBytes / 1024 / 1024, 1) : null,
      samples: rss.samples,
    },
    cpuCores: {
      server: perCore(cpu.server),
      postgres: perCore(cpu.postgres),
      client: round(cpu.client / stats.elapsedS),
      machine: perCore(cpu.machine),
    },
    ...(stats.meanMatches !== undefined ? { meanMatchesPerSearch: round(stats.meanMatches, 1) } : {}),
    target: {
      rps: scenario.target,
      met: stats.errors === 0 && rps >= scenario.target,
      rssMb: RSS_TARGET_MB,
      rssMet: maxMb === null ? null : maxMb <= RSS_TARGET_MB,
    },
  };
}

function table(rows: string[][], rightAlign: (col: number) => boolean): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  const line = (r: string[]): string =>
    r.map((cell, c) => (rightAlign(c) ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0))).join('  ');
  const [head, ...body] = rows;
  return [line(head ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

const fmt = (n: number | null | undefined, d = 1): string => (n === null || n === undefined || Number.isNaN(n) ? '-' : n.toFixed(d));

export function formatTable(results: readonly ScenarioResult[]): string {
  const rows = [['scenario', 'requests', 'errors', 'req/s', 'p50 ms', 'p99 ms', 'RSS max MB', 'RSS mean MB', 'CPU srv/db/cli/all', 'target req/s', 'met']];
  for (const r of results) {
    rows.push([
      r.title,
      String(r.requests),
      String(r.errors),
      fmt(r.rps),
      fmt(r.latencyMs.p50, 2),
      fmt(r.latencyMs.p99, 2),
      fmt(r.serverRssMb.max),
      fmt(r.serverRssMb.mean),
      [r.cpuCores.server, r.cpuCores.postgres, r.cpuCores.client, r.cpuCores.machine].map((n) => fmt(n, 2)).join('/'),
      `≥${r.target.rps}`,
      r.target.met ? 'met' : 'NOT met',
    ]);
  }
  const maxRss = Math.max(...results.map((r) => r.serverRssMb.max ?? 0));
  const rssLine = `server RSS under load: max ${maxRss.toFixed(1)} MB (target ≤${RSS_TARGET_MB} MB: ${maxRss <= RSS_TARGET_MB ? 'met' : 'NOT met'})`;
  return `${table(rows, (c) => c > 0 && c < 10)}\n${rssLine}\nCPU is in cores (this machine has ${cpus().length}): server process / PostgreSQL processes / load client / whole machine.`;
}

export interface BenchReport {
  kind: 'kennebec-fhir-bench';
  startedAt: string;
  finishedAt: string;
  machine: { cpus: number; cpuModel: string | undefined; totalMemMb: number; node: string; platform: string };
  database: { kind: string; patients: number; resources: number; counts: Record<string, number>; bytes?: number };
  options: { patients: number; durationS: number; warmupS: number; concurrency: number; scenarios: string[] };
  load: Omit<LoadReport, 'counts' | 'totalResources' | 'patients' | 'databaseBytes'>;
  serverStartSeconds: number;
  results: ScenarioResult[];
}

export function machineInfo(): BenchReport['machine'] {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    totalMemMb: Math.round(totalmem() / 1024 / 1024),
    node: process.version,
    platform: `${platform()} ${release()}`,
  };
}

export function optionsInfo(o: BenchOptions): BenchReport['options'] {
  return { patients: o.patients, durationS: o.durationS, warmupS: o.warmupS, concurrency: o.concurrency, scenarios: o.scenarios };
}

export async function writeReport(path: string, report: BenchReport): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
}
