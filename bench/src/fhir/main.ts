import { benchMain } from './bench-main.ts';
import { FhirHttpClient, runLoad } from './client.ts';
import { prepareDatabase } from './load.ts';
import { parseOptions, USAGE, type BenchOptions } from './options.ts';
import { cpuSeconds, machineBusySeconds, postgresCpu, postgresCpuDelta, RssSampler } from './proc.ts';
import { formatTable, machineInfo, optionsInfo, summarize, writeReport, type ScenarioResult } from './report.ts';
import { buildScenarios, type Scenario } from './scenarios.ts';
import { fetchToken, freePort, registerClient, ServerStartError, spawnServer, type ServerHandle } from './server.ts';

/**
 * `npm run bench`: load a synthetic population, start the server as a child process, and
 * measure each scenario with C concurrent keep-alive clients. Prints a table, writes JSON.
 * Targets are reported, never asserted; the exit code is non-zero only when the bench itself
 * could not run (bad options, database or server failure).
 */
const log = (s: string): void => {
  process.stdout.write(`${s}\n`);
};


async function measure(client: FhirHttpClient, scenario: Scenario, opts: BenchOptions, srv: ServerHandle, withPostgres: boolean): Promise<ScenarioResult> {
  if (opts.warmupS > 0) await runLoad(client, scenario, opts.concurrency, opts.warmupS, false);
  const sampler = new RssSampler(srv.pid, 250);
  const srvCpu0 = await cpuSeconds(srv.pid);
  const pgCpu0 = withPostgres ? await postgresCpu() : undefined;
  const all0 = await machineBusySeconds();
  const cli0 = process.cpuUsage();
  sampler.start();
  const stats = await runLoad(client, scenario, opts.concurrency, opts.durationS, true);
  const rss = sampler.stop();
  const cli = process.cpuUsage(cli0);
  const all1 = await machineBusySeconds();
  const srvCpu1 = await cpuSeconds(srv.pid);
  const pgCpu1 = withPostgres ? await postgresCpu() : undefined;
  return summarize(scenario, stats, rss, {
    server: srvCpu0 !== undefined && srvCpu1 !== undefined ? srvCpu1 - srvCpu0 : undefined,
    postgres: postgresCpuDelta(pgCpu0, pgCpu1),
    client: (cli.user + cli.system) / 1e6,
    machine: all0 !== undefined && all1 !== undefined ? all1 - all0 : undefined,
  });
}

async function run(opts: BenchOptions, started: (server: ServerHandle) => void): Promise<void> {
  const startedAt = new Date().toISOString();
  log(`Kennebec FHIR bench: ${opts.db}, ${opts.patients.toLocaleString('en-US')} patients, ${opts.concurrency} clients, ${opts.durationS} s per scenario (+${opts.warmupS} s warm-up)`);

  const prepared = await prepareDatabase(opts, log);
  const { load } = prepared;
  const top = Object.entries(load.counts)
    .slice(0, 8)
    .map(([t, n]) => `${t} ${n.toLocaleString('en-US')}`)
    .join(', ');
  log(`Database: ${load.patients.toLocaleString('en-US')} patients, ${load.totalResources.toLocaleString('en-US')} resources (${top}${Object.keys(load.counts).length > 8 ? ', …' : ''})`);
  const scenarios = buildScenarios(opts.scenarios, prepared.sample);

  // On PGlite only one process may hold the data directory: the CLI runs before the server starts.
  const creds = await registerClient(prepared.env);
  const port = await freePort();
  const t0 = performance.now();
  const srv = spawnServer(prepared.env, port);
  started(srv);
  await srv.waitHealthy(180_000);
  const serverStartSeconds = (performance.now() - t0) / 1000;
  log(`Server up at ${srv.baseUrl} (pid ${srv.pid}) in ${serverStartSeconds.toFixed(1)} s`);
  const token = await fetchToken(srv.baseUrl, creds);

  const client = new FhirHttpClient(srv.baseUrl, token, opts.concurrency);
  // PostgreSQL CPU is read from /proc, so only for a server on this machine.
  const localPostgres = opts.serverUrl !== undefined && /^(127\.|localhost$|\[::1\]$)/.test(new URL(opts.serverUrl).hostname);
  const results: ScenarioResult[] = [];
  try {
    for (const scenario of scenarios) {
      log(`\n▶ ${scenario.title}`);
      const r = await measure(client, scenario, opts, srv, localPostgres);
      results.push(r);
      const matches = r.meanMatchesPerSearch !== undefined ? `, ${r.meanMatchesPerSearch} matches/search` : '';
      log(`  ${r.requests} requests, ${r.errors} errors, ${r.rps} req/s, p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, RSS max ${r.serverRssMb.max ?? '-'} MB${matches}`);
      if (r.firstError) {
        const statuses = Object.entries(r.errorStatuses).map(([s, n]) => `${s === '0' ? 'network' : s}×${n}`).join(', ');
        log(`  errors by status: ${statuses}\n  first error: ${r.firstError.body.slice(0, 800).replace(/\n/g, '\n    ')}`);
      }
      if (!srv.running) throw new ServerStartError(`the server stopped during '${scenario.name}'. Its output:\n${srv.output()}`);
    }
  } finally {
    client.close();
  }

  log(`\n${formatTable(results)}`);
  const { counts: _c, totalResources: _t, patients: _p, databaseBytes: _b, ...loadTiming } = load;
  await writeReport(opts.out, {
    kind: 'kennebec-fhir-bench',
    startedAt,
    finishedAt: new Date().toISOString(),
    machine: machineInfo(),
    database: {
      kind: opts.db,
      patients: load.patients,
      resources: load.totalResources,
      counts: load.counts,
      ...(load.databaseBytes !== undefined ? { bytes: load.databaseBytes } : {}),
    },
    options: optionsInfo(opts),
    load: loadTiming,
    serverStartSeconds,
    results,
  });
  log(`\nResults written to ${opts.out}`);
}

process.exit(await benchMain({ name: 'bench', usage: USAGE, parse: () => parseOptions(process.argv.slice(2), process.env), run }));
