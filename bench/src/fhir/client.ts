import http from 'node:http';
import type { RequestSpec, Scenario } from './scenarios.ts';

/**
 * The load client: C async workers sharing one keep-alive agent (maxSockets = C), each issuing
 * the scenario's requests back to back and timing them with process.hrtime.bigint().
 */
export interface HttpResult {
  status: number;
  /** The body, when it was asked for (errors always keep theirs). */
  body?: string;
}

export class FhirHttpClient {
  readonly agent: http.Agent;

  constructor(
    readonly baseUrl: string,
    private token: string | undefined,
    maxSockets: number,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  setToken(token: string): void {
    this.token = token;
  }

  /** Sends one request; `keepBody` keeps a 2xx body, which is otherwise drained and dropped. */
  send(spec: RequestSpec, keepBody = false): Promise<HttpResult> {
    const url = new URL(spec.path, this.baseUrl);
    const headers: http.OutgoingHttpHeaders = { accept: 'application/fhir+json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let payload: Buffer | undefined;
    if (spec.body !== undefined) {
      payload = Buffer.from(spec.body, 'utf8');
      headers['content-type'] = 'application/fhir+json';
      headers['content-length'] = payload.length;
    }
    return new Promise<HttpResult>((resolve, reject) => {
      const req = http.request(url, { method: spec.method, agent: this.agent, headers }, (res) => {
        const status = res.statusCode ?? 0;
        const keep = keepBody || status < 200 || status >= 300;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => {
          if (keep) chunks.push(c);
        });
        res.on('end', () => resolve(keep ? { status, body: Buffer.concat(chunks).toString('utf8') } : { status }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface RunStats {
  requests: number;
  errors: number;
  /** Status (0: network error) → count, for the failed requests. */
  errorStatuses: Record<string, number>;
  firstError?: { status: number; body: string };
  elapsedS: number;
  /** Latency of every measured request, in milliseconds, sorted ascending. */
  latenciesMs: Float64Array;
  /** Mean matches per search response, over a sample of them (searches only). */
  meanMatches?: number;
  matchSamples: number;
}

/** Matches in a searchset Bundle (entries with search.mode 'match'). */
function countMatches(body: string): number | undefined {
  try {
    const bundle = JSON.parse(body) as { entry?: { search?: { mode?: string } }[] };
    return (bundle.entry ?? []).filter((e) => e.search?.mode !== 'include' && e.search?.mode !== 'outcome').length;
  } catch {
    return undefined;
  }
}

/** Runs the scenario for `seconds` with `concurrency` workers; `record` false for the warm-up. */
export async function runLoad(client: FhirHttpClient, scenario: Scenario, concurrency: number, seconds: number, record: boolean): Promise<RunStats> {
  const latencies: number[] = [];
  const errorStatuses: Record<string, number> = {};
  let errors = 0;
  let firstError: { status: number; body: string } | undefined;
  let matchTotal = 0;
  let matchSamples = 0;
  let counter = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(seconds * 1e9));

  const fail = (status: number, body: string): void => {
    errors++;
    errorStatuses[String(status)] = (errorStatuses[String(status)] ?? 0) + 1;
    firstError ??= { status, body: body.slice(0, 2000) };
  };

  const worker = async (): Promise<void> => {
    while (process.hrtime.bigint() < end) {
      const spec = scenario.next();
      // Count matches in one response out of 25 (parsing every body would load the client).
      const sampleThis = scenario.countsMatches && counter++ % 25 === 0;
      const t0 = process.hrtime.bigint();
      let res: HttpResult;
      try {
        res = await client.send(spec, sampleThis);
      } catch (err) {
        if (record) fail(0, `${(err as Error).message} (${spec.method} ${spec.path})`);
        // A refused connection would otherwise spin; back off a little.
        await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      const t1 = process.hrtime.bigint();
      if (!record) continue;
      latencies.push(Number(t1 - t0) / 1e6);
      if (res.status < 200 || res.status >= 300) {
        fail(res.status, `${spec.method} ${spec.path} → ${res.status}\n${res.body ?? ''}`);
      } else if (sampleThis && res.body !== undefined) {
        const n = countMatches(res.body);
        if (n !== undefined) {
          matchTotal += n;
          matchSamples++;
        }
      }
    }
  };

  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  const elapsedS = Number(process.hrtime.bigint() - start) / 1e9;
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests: latencies.length + (errorStatuses['0'] ?? 0),
    errors,
    errorStatuses,
    ...(firstError ? { firstError } : {}),
    elapsedS,
    latenciesMs: sorted,
    ...(matchSamples > 0 ? { meanMatches: matchTotal / matchSamples } : {}),
    matchSamples,
  };
}
