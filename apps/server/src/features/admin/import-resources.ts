import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Bundle, FhirResource, OperationOutcome, Resource } from 'fhir/r4';
import { isOutcomeError } from '@kennebec/fhir';
import type { Actor } from '../access/index.ts';
import { writeContext, type FhirService, type FhirRequest, type FhirResponse } from '../fhir-api/index.ts';
import { authorize } from '../access/index.ts';
import type { SqlFhirStore } from '@kennebec/fhir-store';
import type { Database } from '@kennebec/db';
import { isHl7ParseError, parseBatch, serializeMessage, type Hl7Batch } from '@kennebec/hl7v2';
import { ingestCcda, ingestHl7v2, type IngestDeps } from '../ingestion/index.ts';

/**
 * `kennebec import PATH`: FHIR Bundles (.json), NDJSON (.ndjson), HL7 v2 messages and batches
 * (.hl7) and C-CDA documents (.xml), one file or a folder. A transaction Bundle goes through the same transaction processing as the API
 * (all-or-nothing per Bundle); NDJSON is validated line by line and stored in chunks, so an
 * invalid line is reported and skipped without losing the rest of its file.
 */
export interface ImportDeps {
  service: FhirService;
  store: SqlFhirStore;
  dispatch: (req: FhirRequest) => Promise<FhirResponse>;
  db: Database;
  now: () => Date;
  mergePatients: IngestDeps['mergePatients'];
  /** The data source that C-CDA documents (.xml) come from; HL7 v2 files name theirs in MSH-4. */
  orgId?: string | undefined;
  maxBytes: number;
}

export interface ImportReport {
  files: number;
  bundles: number;
  resources: number;
  failed: { file: string; line?: number; entry?: number; message: string }[];
}

const CHUNK = 500;
/** Reference data that Synthea-style bundles repeat in every patient file. */
const SHARED_TYPES = new Set(['Organization', 'Practitioner', 'Location']);

export async function importPath(deps: ImportDeps, actor: Actor, path: string, report: ImportReport = { files: 0, bundles: 0, resources: 0, failed: [] }): Promise<ImportReport> {
  const info = await stat(path);
  if (info.isDirectory()) {
    const names = (await readdir(path)).sort();
    // Companion files of shared reference data first, so patient bundles find them.
    names.sort((a, b) => Number(/information/i.test(b)) - Number(/information/i.test(a)));
    for (const name of names) {
      if (/\.(json|ndjson|hl7|xml)$/.test(name)) await importPath(deps, actor, join(path, name), report);
    }
    return report;
  }
  report.files++;
  if (path.endsWith('.ndjson')) await importNdjson(deps, actor, path, report);
  else if (path.endsWith('.hl7')) await importHl7(deps, path, report);
  else if (path.endsWith('.xml')) await importCcda(deps, path, report);
  else await importJson(deps, actor, path, report);
  return report;
}

async function importJson(deps: ImportDeps, actor: Actor, file: string, report: ImportReport): Promise<void> {
  let body: FhirResource;
  try {
    body = JSON.parse(await readFile(file, 'utf8')) as FhirResource;
  } catch (err) {
    report.failed.push({ file, message: `not JSON: ${(err as Error).message}` });
    return;
  }
  try {
    if (body.resourceType === 'Bundle' && (body.type === 'transaction' || body.type === 'batch')) {
      const res = await deps.dispatch({ method: 'POST', path: '', query: [], headers: {}, body: dedupeSharedEntries(body), actor });
      report.bundles++;
      const entries = (res.body as Bundle).entry ?? [];
      entries.forEach((e, i) => {
        const failure = e.response?.outcome as OperationOutcome | undefined;
        if (failure) report.failed.push({ file, entry: i, message: failure.issue?.[0]?.diagnostics ?? 'failed' });
        else report.resources++;
      });
    } else if (body.resourceType === 'Bundle') {
      report.bundles++;
      await storeResources(deps, actor, file, (body.entry ?? []).map((e, i) => ({ resource: e.resource, line: i })), report);
    } else {
      await storeResources(deps, actor, file, [{ resource: body, line: 0 }], report);
    }
  } catch (err) {
    if (!isOutcomeError(err)) throw err;
    report.failed.push({ file, message: err.outcome.issue?.map((i) => i.diagnostics).join('; ') ?? err.message });
  }
}

/** An HL7 v2 file: one message, or a batch (FHS/BHS). Each message is ingested as if it had arrived by MLLP. */
async function importHl7(deps: ImportDeps, file: string, report: ImportReport): Promise<void> {
  let batch: Hl7Batch;
  try {
    batch = parseBatch(await readFile(file), { maxBytes: deps.maxBytes });
  } catch (err) {
    if (!isHl7ParseError(err)) throw err;
    report.failed.push({ file, message: err.message });
    return;
  }
  report.bundles++;
  for (const e of batch.errors) report.failed.push({ file, entry: e.index, message: e.error.message });
  for (const [i, msg] of batch.messages.entries()) {
    const result = await ingestHl7v2(deps, serializeMessage(msg), 'file');
    if (result.code === 'AA') report.resources++;
    else report.failed.push({ file, entry: i, message: `${result.code}: ${ackError(result.ack)}` });
  }
}

function ackError(ack: string): string {
  const err = ack.split('\r').find((s) => s.startsWith('ERR|'));
  return err ? (err.split('|').find((f, i) => i >= 8 && f !== '') ?? err) : 'rejected';
}

async function importCcda(deps: ImportDeps, file: string, report: ImportReport): Promise<void> {
  if (!deps.orgId) {
    report.failed.push({ file, message: 'C-CDA documents need the source they come from: import PATH --org ORG_ID' });
    return;
  }
  try {
    const result = await ingestCcda(deps, await readFile(file), deps.orgId, deps.maxBytes);
    report.bundles++;
    report.resources += (result.response.entry ?? []).length;
  } catch (err) {
    if (!isOutcomeError(err)) throw err;
    report.failed.push({ file, message: err.outcome.issue?.map((i) => i.diagnostics).join('; ') ?? err.message });
  }
}

/** Makes shared reference data conditional on its identifier so repeated copies are stored once. */
export function dedupeSharedEntries(bundle: Bundle): Bundle {
  if (bundle.type !== 'transaction') return bundle;
  return {
    ...bundle,
    entry: (bundle.entry ?? []).map((e) => {
      const r = e.resource as (Resource & { identifier?: { system?: string; value?: string }[] }) | undefined;
      const ident = r?.identifier?.find((i) => i.system && i.value);
      if (!r || !SHARED_TYPES.has(r.resourceType) || e.request?.method !== 'POST' || e.request.ifNoneExist || !ident) return e;
      return { ...e, request: { ...e.request, ifNoneExist: `identifier=${encodeURIComponent(`${ident.system}|${ident.value}`)}` } };
    }),
  };
}

async function importNdjson(deps: ImportDeps, actor: Actor, file: string, report: ImportReport): Promise<void> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let chunk: { resource: unknown; line: number }[] = [];
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    try {
      chunk.push({ resource: JSON.parse(line), line: n });
    } catch (err) {
      report.failed.push({ file, line: n, message: `not JSON: ${(err as Error).message}` });
    }
    if (chunk.length >= CHUNK) {
      await storeResources(deps, actor, file, chunk, report);
      chunk = [];
    }
  }
  if (chunk.length > 0) await storeResources(deps, actor, file, chunk, report);
}

/** Validates each resource, then stores the valid ones in one transaction: new ids created, known ids updated. */
async function storeResources(deps: ImportDeps, actor: Actor, file: string, items: { resource: unknown; line: number }[], report: ImportReport): Promise<void> {
  const valid: Resource[] = [];
  for (const { resource, line } of items) {
    try {
      const type = (resource as Resource | undefined)?.resourceType ?? '';
      deps.service.checkType(type);
      authorize(actor, { resourceType: type, interaction: 'c' });
      valid.push(deps.service.validateForWrite(resource, type));
    } catch (err) {
      if (!isOutcomeError(err)) throw err;
      report.failed.push({ file, line, message: err.outcome.issue?.map((i) => i.diagnostics).join('; ') ?? err.message });
    }
  }
  if (valid.length === 0) return;
  const ctx = writeContext(actor);
  await deps.store.transaction(async (repo, tx) => {
    const withIds = valid.filter((r) => r.id);
    const existing = new Set<string>();
    if (withIds.length > 0) {
      const res = await tx.query<{ resource_type: string; id: string }>(
        'select resource_type, id from resource where (resource_type, id) in (select * from unnest($1::text[], $2::text[]))',
        [withIds.map((r) => r.resourceType), withIds.map((r) => r.id)],
      );
      for (const row of res.rows) existing.add(`${row.resource_type}/${row.id}`);
    }
    const fresh = valid.filter((r) => !r.id || !existing.has(`${r.resourceType}/${r.id}`));
    const written = await repo.createMany(fresh.map((r) => ({ resource: r, id: r.id })), ctx);
    for (const r of valid) if (r.id && existing.has(`${r.resourceType}/${r.id}`)) written.push((await repo.update({ ...r, id: r.id }, ctx)).version);
    await deps.service.appendBulkWrites(tx, actor, written);
    await deps.service.followWrites(repo, tx, written, ctx);
  });
  report.resources += valid.length;
}
